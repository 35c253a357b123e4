use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found"/>
        <main class="flex min-h-dvh flex-col items-center justify-center gap-4 px-6 text-center">
            <p class="text-6xl font-bold text-indigo-600 dark:text-indigo-400">"404"</p>
            <h1 class="text-xl font-semibold">"This page doesn’t exist"</h1>
            <p class="max-w-xs text-sm text-slate-500 dark:text-slate-400">
                "The link may be broken, or the conversation may have been deleted."
            </p>
            <a href="/chats" class="rounded-full bg-indigo-600 px-5 py-2.5 text-sm font-medium text-white hover:bg-indigo-500">
                "Go to your chats"
            </a>
        </main>
    }
}
