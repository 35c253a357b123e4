//! Adding a way in to a signed-in account: an email + password, or a phone number. Either is
//! confirmed with a code sent to it.
use leptos::prelude::*;

use crate::{
    accounts::{
        api::{add_email_start, add_phone_start},
        types::{PendingCode, UserView},
        validate::PASSWORD_MIN,
    },
    components::{
        code_entry::{CodeEntry, ask_for_code},
        confirm::{CodeConfirm, Confirmed, with_confirmation},
        form::{Field, FormError, SubmitButton, route_result},
    },
    error::AppError,
};

/// Adding an email and password: the person confirms it is them first (a stolen session must
/// not add a way in), then confirms the email with the code sent to it.
#[component]
pub fn AddEmail(on_done: Callback<UserView>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(None::<PendingCode>);
    let confirming = RwSignal::new(None::<PendingCode>);
    let start = Action::new(|(email, password): &(String, String)| {
        let (email, password) = (email.clone(), password.clone());
        with_confirmation(move |proof| add_email_start(email.clone(), password.clone(), proof))
    });
    route_result(start, error, move |outcome| match outcome {
        Confirmed::Done(code) => pending.set(Some(code)),
        Confirmed::CodeSent(sent) => confirming.set(Some(sent)),
    });
    let resume = Action::new(move |proof: &String| add_email_start(email.get_untracked(), password.get_untracked(), Some(proof.clone())));
    route_result(resume, error, move |code| {
        confirming.set(None);
        pending.set(Some(code));
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        start.dispatch((email.get_untracked(), password.get_untracked()));
    };
    view! {
        {move || match (pending.get(), confirming.get()) {
            (Some(code), _) => view! { <CodeEntry pending=code on_verified=on_done/> }.into_any(),
            (None, Some(sent)) => view! {
                <CodeConfirm sent submit_label="Continue" on_proof=Callback::new(move |proof| { resume.dispatch(proof); })/>
                <FormError error fields=&["-"]/>
            }.into_any(),
            (None, None) => view! {
                <form class="space-y-4" on:submit=submit aria-label="Add email and password">
                    <Field label="Email" name="email" kind="email" value=email error
                        placeholder="you@example.com" autocomplete="email" inputmode="email"/>
                    <Field label="Password" name="password" kind="password" value=password error autocomplete="new-password"/>
                    <p class="-mt-2 text-xs text-slate-500 dark:text-slate-400">{format!("At least {PASSWORD_MIN} characters.")}</p>
                    <FormError error/>
                    <SubmitButton label="Send me a code" pending=start.pending()/>
                </form>
            }.into_any(),
        }}
    }
}

#[component]
pub fn AddPhone(on_done: Callback<UserView>) -> impl IntoView {
    let phone = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(None::<PendingCode>);
    let start = ask_for_code(error, add_phone_start, move |code| pending.set(Some(code)));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        start.dispatch(phone.get_untracked());
    };
    view! {
        {move || match pending.get() {
            Some(code) => view! { <CodeEntry pending=code on_verified=on_done/> }.into_any(),
            None => view! {
                <form class="space-y-4" on:submit=submit aria-label="Add phone number">
                    <Field label="Phone number" name="phone" kind="tel" value=phone error
                        placeholder="+44 7911 123456" autocomplete="tel" inputmode="tel"/>
                    <FormError error/>
                    <SubmitButton label="Send me a code" pending=start.pending()/>
                </form>
            }.into_any(),
        }}
    }
}
