//! Settings → Devices → "Sign out all other devices": a change a thief with a stolen session
//! must not be able to make, so the person confirms it is them first — with their passkey when
//! they have one (the browser asks), else with a code sent to their phone.
use leptos::prelude::*;

use crate::{
    accounts::{
        api::{confirm_by_code_finish, confirm_by_code_start, sign_out_other_devices},
        passkeys_api::{passkey_confirm_finish, passkey_confirm_start},
        types::PendingCode,
    },
    components::form::{Field, FormError, SubmitButton, route_result},
    error::AppError,
    webauthn,
};

/// What the first tap led to: done, or a code to type.
#[derive(Clone)]
enum Outcome {
    Done,
    CodeSent(PendingCode),
}

/// Signs the others out with a passkey confirmation, or sends a code when there is no passkey
/// to ask (none on the account, or none this browser can use).
async fn sign_out_with_passkey_or_send_code() -> Result<Outcome, AppError> {
    match sign_out_other_devices(None).await {
        Err(e) if e.code() == "confirmation_required" => {}
        other => return other.map(|()| Outcome::Done),
    }
    if webauthn::supported() {
        match passkey_confirm_start().await {
            Ok(ceremony) => {
                let answer = webauthn::get(&ceremony.options, false).await?;
                let proof = passkey_confirm_finish(ceremony.ceremony_id, answer).await?;
                return sign_out_other_devices(Some(proof)).await.map(|()| Outcome::Done);
            }
            Err(e) if matches!(e.code(), "passkey_none" | "passkeys_off") => {}
            Err(e) => return Err(e),
        }
    }
    confirm_by_code_start().await.map(Outcome::CodeSent)
}

#[component]
pub fn SignOutOthers(on_done: Callback<()>) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let pending = RwSignal::new(None::<PendingCode>);
    let code = RwSignal::new(String::new());
    let start = Action::new(|_: &()| sign_out_with_passkey_or_send_code());
    route_result(start, error, move |outcome| match outcome {
        Outcome::Done => on_done.run(()),
        Outcome::CodeSent(sent) => pending.set(Some(sent)),
    });
    let finish = Action::new(move |code: &String| {
        let (id, code) = (pending.get_untracked().map(|p| p.pending_id).unwrap_or_default(), code.clone());
        async move {
            let proof = confirm_by_code_finish(id, code).await?;
            sign_out_other_devices(Some(proof)).await
        }
    });
    route_result(finish, error, move |()| {
        pending.set(None);
        on_done.run(());
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        finish.dispatch(code.get_untracked());
    };
    view! {
        {move || match pending.get() {
            None => view! {
                <div class="mx-4 mt-3 space-y-2">
                    <button type="button" disabled=move || start.pending().get() on:click=move |_| { error.set(None); start.dispatch(()); }
                        class="w-full rounded-xl border border-slate-300 px-4 py-2.5 font-semibold text-slate-700 hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-800">
                        {move || if start.pending().get() { "Confirm it’s you…" } else { "Sign out all other devices" }}
                    </button>
                    <FormError error fields=&["-"]/>
                </div>
            }.into_any(),
            Some(sent) => view! {
                <form class="mx-4 mt-3 space-y-3 rounded-2xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
                    on:submit=submit aria-label="Confirm it’s you">
                    <p class="text-sm">{format!("To confirm it’s you, enter the code we sent to {}.", sent.sent_to)}</p>
                    {sent.dev_notice.clone().map(|n| view! { <p class="text-xs text-amber-700 dark:text-amber-400">{n}</p> })}
                    <Field label="Code" name="code" kind="text" value=code error autocomplete="one-time-code" inputmode="numeric"/>
                    <FormError error fields=&["code"]/>
                    <SubmitButton label="Sign out all other devices" pending=finish.pending()/>
                </form>
            }.into_any(),
        }}
    }
}
