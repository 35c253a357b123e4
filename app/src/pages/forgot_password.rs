//! Forgot password: a code goes to the account's email; with it, a new password is set, every
//! other device is signed out, and this one is signed in.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    accounts::{
        api::{forgot_password, reset_password},
        types::PendingCode,
        validate::PASSWORD_MIN,
    },
    browser,
    components::{
        brand::AuthCard,
        code_entry::{CodeForm, ask_for_code},
        form::{Field, FormError, SubmitButton, route_result},
    },
    error::AppError,
};

#[component]
pub fn ForgotPassword() -> impl IntoView {
    let pending = RwSignal::new(None::<PendingCode>);
    view! {
        <Title text="Reset your password"/>
        <AuthCard title="Reset your password" subtitle="We’ll email you a code to choose a new one.">
            {move || match pending.get() {
                None => view! { <AskForCode pending/> }.into_any(),
                Some(code) => view! { <NewPassword pending=code/> }.into_any(),
            }}
            <p class="mt-6 text-center text-sm text-slate-500 dark:text-slate-400">
                "Remembered it? "
                <a href="/login" class="font-medium text-indigo-600 hover:underline dark:text-indigo-400">"Log in"</a>
            </p>
        </AuthCard>
    }
}

#[component]
fn AskForCode(pending: RwSignal<Option<PendingCode>>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let send = ask_for_code(error, forgot_password, move |code| pending.set(Some(code)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        send.dispatch(email.get_untracked());
    };
    view! {
        <form class="space-y-4" on:submit=submit>
            <Field label="Email" name="email" kind="email" value=email error
                placeholder="you@example.com" autocomplete="email" inputmode="email"/>
            <FormError error/>
            <SubmitButton label="Email me a code" pending=send.pending()/>
        </form>
    }
}

#[component]
fn NewPassword(pending: PendingCode) -> impl IntoView {
    let pending = RwSignal::new(pending);
    let code = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let reset = Action::new(move |(code, password): &(String, String)| {
        let (id, code, password) = (pending.get_untracked().pending_id, code.clone(), password.clone());
        async move { reset_password(id, code, password).await }
    });
    route_result(reset, error, move |_| browser::go_to("/chats"));
    let on_submit = Callback::new(move |_| {
        reset.dispatch((code.get_untracked(), password.get_untracked()));
    });
    view! {
        <CodeForm pending code error if_account=true submit_label="Set new password" submitting=reset.pending() on_submit>
            <Field label="New password" name="password" kind="password" value=password error autocomplete="new-password"/>
            <p class="-mt-2 text-xs text-slate-500 dark:text-slate-400">
                {format!("At least {PASSWORD_MIN} characters. Every other device will be signed out.")}
            </p>
        </CodeForm>
    }
}
