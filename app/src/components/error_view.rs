use leptos::prelude::*;

/// What the error boundary shows when a page fails to render.
#[component]
pub fn ErrorPanel(errors: ArcRwSignal<Errors>) -> impl IntoView {
    let messages = move || {
        errors.get().into_iter().map(|(_, e)| view! { <li>{e.to_string()}</li> }).collect_view()
    };
    view! {
        <main class="flex min-h-dvh flex-col items-center justify-center gap-3 px-6 text-center" role="alert">
            <h1 class="text-xl font-semibold">"Something went wrong"</h1>
            <ul class="text-sm text-slate-500 dark:text-slate-400">{messages}</ul>
            <a href="/chats" class="rounded-full bg-indigo-600 px-5 py-2 text-sm font-medium text-white hover:bg-indigo-500">
                "Back to your chats"
            </a>
        </main>
    }
}
