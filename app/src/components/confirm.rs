//! Confirming it is you before a sensitive change (adding an email and password, removing a
//! passkey, signing out every other device): the person's passkey when they have one this
//! browser can use (the browser asks), else a code sent to their phone and typed here.
use leptos::prelude::*;

use crate::{
    accounts::{
        api::{confirm_by_code_finish, confirm_by_code_start},
        passkeys_api::{passkey_confirm_finish, passkey_confirm_start},
        types::PendingCode,
    },
    components::form::{Field, FormError, SubmitButton, route_result},
    error::AppError,
    webauthn,
};

/// Where a sensitive change got to: done, or waiting for the code that was sent.
#[derive(Clone)]
pub enum Confirmed<T> {
    Done(T),
    CodeSent(PendingCode),
}

/// A proof from the person's passkey, or `None` when there is none to ask (none on the account,
/// none in this browser, or the person closed the browser's sheet to use a code instead).
async fn passkey_proof() -> Result<Option<String>, AppError> {
    if !webauthn::supported() {
        return Ok(None);
    }
    let ceremony = match passkey_confirm_start().await {
        Ok(ceremony) => ceremony,
        Err(e) if matches!(e.code(), "passkey_none" | "passkeys_off") => return Ok(None),
        Err(e) => return Err(e),
    };
    match webauthn::get(&ceremony.options, false).await {
        Ok(answer) => passkey_confirm_finish(ceremony.ceremony_id, answer).await.map(Some),
        Err(e) if e.code() == "passkey_cancelled" => Ok(None),
        Err(e) => Err(e),
    }
}

/// Runs a sensitive change: first as it is; when the server asks for a confirmation, again with
/// the passkey's proof, or it stops with a code sent (the page shows `CodeConfirm`, whose proof
/// runs the change once more).
pub async fn with_confirmation<T, F>(change: impl Fn(Option<String>) -> F) -> Result<Confirmed<T>, AppError>
where
    F: Future<Output = Result<T, AppError>>,
{
    match change(None).await {
        Err(e) if e.code() == "confirmation_required" => match passkey_proof().await? {
            Some(proof) => change(Some(proof)).await.map(Confirmed::Done),
            None => confirm_by_code_start().await.map(Confirmed::CodeSent),
        },
        other => other.map(Confirmed::Done),
    }
}

/// Typing the code that confirms it is you; its proof goes to `on_proof`.
#[component]
pub fn CodeConfirm(sent: PendingCode, submit_label: &'static str, on_proof: Callback<String>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let pending_id = sent.pending_id.clone();
    let finish = Action::new(move |code: &String| confirm_by_code_finish(pending_id.clone(), code.clone()));
    route_result(finish, error, move |proof| on_proof.run(proof));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        finish.dispatch(code.get_untracked());
    };
    view! {
        <form class="space-y-3" on:submit=submit aria-label="Confirm it’s you">
            <p class="text-sm">{format!("To confirm it’s you, enter the code we sent to {}.", sent.sent_to)}</p>
            {sent.dev_notice.clone().map(|n| view! { <p class="text-xs text-amber-700 dark:text-amber-400">{n}</p> })}
            <Field label="Code" name="code" kind="text" value=code error autocomplete="one-time-code" inputmode="numeric"/>
            <FormError error fields=&["code"]/>
            <SubmitButton label=submit_label pending=finish.pending()/>
        </form>
    }
}
