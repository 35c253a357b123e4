use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    accounts::{api::login_start, types::PendingCode, validate::local_next},
    browser,
    components::{
        brand::AuthCard,
        code_entry::CodeEntry,
        form::{Field, FormError, SubmitButton, route_result},
    },
    error::AppError,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Code,
    Password,
}

/// Log in with a one-time code sent to your phone (with or without your user ID).
#[component]
pub fn Login() -> impl IntoView {
    let method = RwSignal::new(Method::Code);
    let query = use_query_map();
    let next = Signal::derive(move || local_next(query.read().get("next").as_deref()));
    let tab = move |m: Method, label: &'static str| {
        let selected = move || method.get() == m;
        view! {
            <button type="button" role="tab" aria-selected=move || selected().to_string()
                class=move || format!("flex-1 rounded-lg px-3 py-2 text-sm font-medium transition {}",
                    if selected() { "bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white" }
                    else { "text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200" })
                on:click=move |_| method.set(m)>
                {label}
            </button>
        }
    };
    view! {
        <Title text="Log in"/>
        <AuthCard title="Welcome back" subtitle="Log in to continue your conversations.">
            <div role="tablist" aria-label="How to log in" class="mb-6 flex gap-1 rounded-xl bg-slate-100 p-1 dark:bg-slate-800">
                {tab(Method::Code, "Phone code")}
                {tab(Method::Password, "Email + password")}
            </div>
            <Show when=move || method.get() == Method::Code fallback=PasswordUnavailable>
                <PhoneLogin next/>
            </Show>
            <p class="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
                "New to Confab? "
                <a href="/register" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Create an account"</a>
            </p>
        </AuthCard>
    }
}

#[component]
fn PhoneLogin(next: Signal<String>) -> impl IntoView {
    let user_id = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(None::<PendingCode>);
    let start = Action::new(move |(user_id, phone): &(String, String)| {
        let (user_id, phone) = (user_id.clone(), phone.clone());
        async move { login_start(user_id, phone).await }
    });
    route_result(start, error, move |code| pending.set(Some(code)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        start.dispatch((user_id.get_untracked(), phone.get_untracked()));
    };
    let on_verified = Callback::new(move |_| browser::go_to(&next.get_untracked()));
    view! {
        {move || match pending.get() {
            Some(code) => view! { <CodeEntry pending=code on_verified/> }.into_any(),
            None => view! {
                <form class="space-y-4" on:submit=submit>
                    <Field label="User ID (optional)" name="user_id" kind="text" value=user_id error
                        placeholder="7KQ4-M2XD" autocomplete="username"/>
                    <Field label="Phone number" name="phone" kind="tel" value=phone error
                        placeholder="+44 7911 123456" autocomplete="tel" inputmode="tel"/>
                    <FormError error/>
                    <SubmitButton label="Send me a code" pending=start.pending()/>
                </form>
            }.into_any(),
        }}
    }
}

#[component]
fn PasswordUnavailable() -> impl IntoView {
    view! {
        <div class="space-y-2 text-center">
            <label for="field-email" class="sr-only">"Email"</label>
            <input id="field-email" type="email" disabled placeholder="you@example.com"
                class="block w-full rounded-xl border border-slate-200 bg-slate-50 px-3.5 py-2.5 text-base dark:border-slate-800 dark:bg-slate-900"/>
            <p class="text-sm text-slate-500 dark:text-slate-400">
                "Email and password sign-in is not open yet — log in with a phone code for now."
            </p>
        </div>
    }
}
