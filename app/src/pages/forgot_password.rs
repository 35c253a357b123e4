//! Forgot password: a code goes to the account's email; with it, a new password is set, every
//! other device is signed out, and this one is signed in.
use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    accounts::{
        api::{forgot_password, resend_code, reset_password},
        types::PendingCode,
        validate::PASSWORD_MIN,
    },
    browser,
    components::{
        brand::AuthCard,
        code_entry::{SentTo, countdown},
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
    let send = Action::new(move |email: &String| {
        let email = email.clone();
        async move { forgot_password(email).await }
    });
    route_result(send, error, move |code| pending.set(Some(code)));
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
    let wait = RwSignal::new(pending.get_untracked().resend_after_secs);
    let reset = Action::new(move |(code, password): &(String, String)| {
        let (id, code, password) = (pending.get_untracked().pending_id, code.clone(), password.clone());
        async move { reset_password(id, code, password).await }
    });
    let resend = Action::new(move |_: &()| {
        let id = pending.get_untracked().pending_id;
        async move { resend_code(id).await }
    });
    route_result(reset, error, move |_| browser::go_to("/chats"));
    route_result(resend, error, move |fresh: PendingCode| {
        wait.set(fresh.resend_after_secs);
        pending.set(fresh);
        error.set(None);
    });
    countdown(wait);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        reset.dispatch((code.get_untracked(), password.get_untracked()));
    };
    view! {
        <form class="space-y-4" on:submit=submit>
            <SentTo sent_to=Signal::derive(move || pending.get().sent_to) if_account=true/>
            {move || pending.get().dev_notice.map(|notice| view! {
                <p class="rounded-xl bg-amber-50 px-3.5 py-2.5 text-sm text-amber-800 dark:bg-amber-950/40 dark:text-amber-200">{notice}</p>
            })}
            <Field label="Code" name="code" kind="text" value=code error placeholder="123456"
                autocomplete="one-time-code" inputmode="numeric"/>
            <Field label="New password" name="password" kind="password" value=password error autocomplete="new-password"/>
            <p class="-mt-2 text-xs text-slate-500 dark:text-slate-400">
                {format!("At least {PASSWORD_MIN} characters. Every other device will be signed out.")}
            </p>
            <FormError error/>
            <SubmitButton label="Set new password" pending=reset.pending()/>
            <button type="button" disabled=move || { wait.get() > 0 || resend.pending().get() }
                on:click=move |_| { resend.dispatch(()); }
                class="w-full rounded-xl px-4 py-2 text-sm font-medium text-indigo-600 hover:bg-indigo-50 disabled:text-slate-400 disabled:hover:bg-transparent dark:text-indigo-400 dark:hover:bg-slate-800">
                {move || match wait.get() {
                    0 => "Send a new code".to_string(),
                    s => format!("Send a new code in {s} s"),
                }}
            </button>
        </form>
    }
}
