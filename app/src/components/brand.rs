use leptos::prelude::*;

/// The Confab mark: two overlapping speech bubbles.
#[component]
pub fn Logo(#[prop(default = "h-10 w-10")] class: &'static str) -> impl IntoView {
    view! {
        <svg class=class viewBox="0 0 64 64" aria-hidden="true">
            <rect width="64" height="64" rx="16" fill="#4f46e5"/>
            <path d="M14 20a8 8 0 0 1 8-8h18a8 8 0 0 1 8 8v10a8 8 0 0 1-8 8H27l-8 7v-7.4A8 8 0 0 1 14 30z" fill="#fff"/>
            <path d="M50 26v10a8 8 0 0 1-8 8H31l8 6h7l6 5v-5.6A7 7 0 0 0 56 43V32a6 6 0 0 0-6-6z" fill="#a5b4fc"/>
        </svg>
    }
}

/// The centred card used by the sign-in pages.
#[component]
pub fn AuthCard(title: &'static str, subtitle: &'static str, children: Children) -> impl IntoView {
    view! {
        <main class="flex min-h-dvh items-start justify-center bg-slate-50 px-4 py-10 sm:items-center dark:bg-slate-950">
            <div class="w-full max-w-sm">
                <div class="mb-8 flex flex-col items-center text-center">
                    <Logo class="h-14 w-14 drop-shadow-sm"/>
                    <h1 class="mt-4 text-2xl font-semibold tracking-tight">{title}</h1>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">{subtitle}</p>
                </div>
                <div class="rounded-2xl border border-slate-200 bg-white p-6 shadow-sm dark:border-slate-800 dark:bg-slate-900">
                    {children()}
                </div>
            </div>
        </main>
    }
}
