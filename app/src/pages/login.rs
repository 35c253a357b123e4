use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    accounts::{
        api::{login_password, login_start},
        types::PendingCode,
        validate::local_next,
    },
    browser,
    components::{
        brand::AuthCard,
        code_entry::{CodeEntry, ask_for_code},
        form::{Field, FormError, SubmitButton, TABLIST, route_result, tab},
        passkeys::{PasskeySignIn, offer_passkeys_in_autofill},
    },
    error::AppError,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Code,
    Password,
}

/// Log in with a one-time code sent to your phone (with or without your user ID), with email
/// and password, or with a passkey. Afterwards the person goes back to the page they asked for.
#[component]
pub fn Login() -> impl IntoView {
    let method = RwSignal::new(Method::Code);
    let query = use_query_map();
    let next = Signal::derive(move || local_next(query.read().get("next").as_deref()));
    let passkey_error = RwSignal::new(None::<AppError>);
    view! {
        <Title text="Log in"/>
        <AuthCard title="Welcome back" subtitle="Log in to continue your conversations.">
            <div role="tablist" aria-label="How to log in" class=TABLIST>
                {tab(method, Method::Code, "Phone code")}
                {tab(method, Method::Password, "Email + password")}
            </div>
            <Show when=move || method.get() == Method::Code fallback=move || view! { <PasswordLogin next/> }>
                <PhoneLogin next passkey_error/>
            </Show>
            <PasskeySignIn next error=passkey_error/>
            <p class="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
                "New to Confab? "
                <a href="/register" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Create an account"</a>
            </p>
        </AuthCard>
    }
}

#[component]
fn PhoneLogin(next: Signal<String>, passkey_error: RwSignal<Option<AppError>>) -> impl IntoView {
    let autofill = RwSignal::new(false);
    let user_id = RwSignal::new(String::new());
    let phone = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(None::<PendingCode>);
    let start = ask_for_code(error, |(user_id, phone)| login_start(user_id, phone), move |code| pending.set(Some(code)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        start.dispatch((user_id.get_untracked(), phone.get_untracked()));
    };
    let on_verified = Callback::new(move |_| browser::go_to(&next.get_untracked()));
    view! {
        {move || match pending.get() {
            Some(code) => view! { <CodeEntry pending=code on_verified if_account=true/> }.into_any(),
            None => view! {
                <form class="space-y-4" on:submit=submit>
                    <div on:focusin=move |_| offer_passkeys_in_autofill(next, passkey_error, autofill)>
                        <Field label="User ID (optional)" name="user_id" kind="text" value=user_id error
                            placeholder="7KQ4-M2XD" autocomplete="username webauthn"/>
                    </div>
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
fn PasswordLogin(next: Signal<String>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let login = Action::new(move |(email, password): &(String, String)| {
        let (email, password) = (email.clone(), password.clone());
        async move { login_password(email, password).await }
    });
    route_result(login, error, move |_| browser::go_to(&next.get_untracked()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        login.dispatch((email.get_untracked(), password.get_untracked()));
    };
    view! {
        <form class="space-y-4" on:submit=submit>
            <Field label="Email" name="email" kind="email" value=email error
                placeholder="you@example.com" autocomplete="email" inputmode="email"/>
            <Field label="Password" name="password" kind="password" value=password error autocomplete="current-password"/>
            <FormError error/>
            <SubmitButton label="Log in" pending=login.pending()/>
            <p class="text-center text-sm">
                <a href="/forgot-password" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Forgot your password?"</a>
            </p>
        </form>
    }
}
