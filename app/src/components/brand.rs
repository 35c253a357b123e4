use leptos::prelude::*;

/// The Confab mark: two overlapping speech bubbles (the same art as public/icons/icon.svg).
#[component]
pub fn Logo(#[prop(default = "h-10 w-10")] class: &'static str) -> impl IntoView {
    view! {
        <svg class=class viewBox="0 0 64 64" aria-hidden="true">
            <rect width="64" height="64" rx="16" fill="#4f46e5"/>
            <rect x="30" y="26" width="26" height="21" rx="7" fill="#a5b4fc"/>
            <path d="M44 46h8v9z" fill="#a5b4fc"/>
            <rect x="12" y="13" width="34" height="25" rx="8" fill="#fff"/>
            <path d="M19 36h9l-9 10z" fill="#fff"/>
            <circle cx="22" cy="25.5" r="2.6" fill="#4f46e5"/>
            <circle cx="29" cy="25.5" r="2.6" fill="#4f46e5"/>
            <circle cx="36" cy="25.5" r="2.6" fill="#4f46e5"/>
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
