use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::components::icons::IconBack;

#[component]
pub fn Profile() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    view! {
        <Title text="Profile"/>
        <main class="mx-auto flex min-h-dvh max-w-lg flex-col">
            <header class="flex items-center gap-2 px-2 py-2.5">
                <a href="/chats" class="rounded-full p-2 hover:bg-slate-100 dark:hover:bg-slate-800" aria-label="Back to chats"><IconBack/></a>
                <h1 class="font-semibold">"Profile"</h1>
            </header>
            <div class="flex flex-1 flex-col items-center justify-center gap-2 px-8 text-center">
                <h2 class="font-semibold">"No one here"</h2>
                <p class="text-sm text-slate-500 dark:text-slate-400">"There is no user with the ID “" {id} "”."</p>
            </div>
        </main>
    }
}
