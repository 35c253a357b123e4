use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::icons::IconBack;

#[component]
pub fn Settings() -> impl IntoView {
    view! {
        <Title text="Settings"/>
        <main class="mx-auto flex min-h-dvh max-w-lg flex-col">
            <header class="flex items-center gap-2 px-2 py-2.5">
                <a href="/chats" class="rounded-full p-2 hover:bg-slate-100 dark:hover:bg-slate-800" aria-label="Back to chats"><IconBack/></a>
                <h1 class="text-lg font-semibold">"Settings"</h1>
            </header>
            <nav class="mx-4 mt-2 divide-y divide-slate-200 overflow-hidden rounded-2xl border border-slate-200 dark:divide-slate-800 dark:border-slate-800">
                <a href="/settings" class="block px-4 py-3.5 hover:bg-slate-50 dark:hover:bg-slate-900">"Account"</a>
                <a href="/settings" class="block px-4 py-3.5 hover:bg-slate-50 dark:hover:bg-slate-900">"Devices"</a>
            </nav>
        </main>
    }
}
