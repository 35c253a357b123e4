//! The one-time code, for every form that sends one (log in, sign up, add a phone or email,
//! forgotten password): asking for it, then typing it — numeric keyboard on phones,
//! paste-friendly, sent by itself at six digits where the code is all the step needs — with a
//! new code on offer once the resend wait is over.
use leptos::prelude::*;

use crate::{
    accounts::{
        api::{resend_code, verify_code},
        types::{PendingCode, UserView},
        validate::CODE_LENGTH,
    },
    components::form::{Field, FormError, SubmitButton, route_result},
    error::AppError,
};

/// The first step of every code form: an action that asks the server to send a code (`ask`
/// with the form's input); a refusal shows in `error`, the code it sent goes to `on_code`.
pub fn ask_for_code<I, F>(
    error: RwSignal<Option<AppError>>,
    ask: impl Fn(I) -> F + Send + Sync + 'static,
    on_code: impl Fn(PendingCode) + 'static,
) -> Action<I, Result<PendingCode, AppError>>
where
    I: Clone + Send + Sync + 'static,
    F: Future<Output = Result<PendingCode, AppError>> + Send + 'static,
{
    let action = Action::new(move |input: &I| ask(input.clone()));
    route_result(action, error, on_code);
    action
}

/// Typing the code to finish signing in or up, or adding a phone or email.
/// `if_account`: the code went to whatever account uses that phone or email, if any (a login):
/// the page says so, since the server does not tell whether there is one.
#[component]
pub fn CodeEntry(pending: PendingCode, on_verified: Callback<UserView>, #[prop(optional)] if_account: bool) -> impl IntoView {
    let pending = RwSignal::new(pending);
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let verify = Action::new(move |code: &String| {
        let (id, code) = (pending.get_untracked().pending_id, code.clone());
        async move { verify_code(id, code).await }
    });
    route_result(verify, error, move |user| on_verified.run(user));
    // Six digits typed or pasted: send without waiting for a tap.
    Effect::new(move |_| {
        let digits: String = code.get().chars().filter(char::is_ascii_digit).collect();
        if digits.len() == CODE_LENGTH && !verify.pending().get_untracked() {
            error.set(None);
            verify.dispatch(digits);
        }
    });
    let on_submit = Callback::new(move |_| {
        verify.dispatch(code.get_untracked());
    });
    let on_new_code = Callback::new(move |_| code.set(String::new()));
    view! {
        <CodeForm pending code error if_account submit_label="Continue" submitting=verify.pending() on_submit on_new_code/>
    }
}

/// What every code step shows: where the code went, the code field, the step's own fields
/// (`children`), errors, the submit button, and "Send a new code" once the resend wait is over.
/// A new code replaces `pending`, and `on_new_code` runs.
#[component]
pub fn CodeForm(
    pending: RwSignal<PendingCode>,
    code: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    submit_label: &'static str,
    #[prop(into)] submitting: Signal<bool>,
    on_submit: Callback<()>,
    #[prop(optional)] if_account: bool,
    #[prop(optional)] on_new_code: Option<Callback<()>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let wait = RwSignal::new(pending.get_untracked().resend_after_secs);
    let resend = Action::new(move |_: &()| {
        let id = pending.get_untracked().pending_id;
        async move { resend_code(id).await }
    });
    route_result(resend, error, move |fresh: PendingCode| {
        wait.set(fresh.resend_after_secs);
        pending.set(fresh);
        error.set(None);
        if let Some(on_new_code) = on_new_code {
            on_new_code.run(());
        }
    });
    countdown(wait);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        on_submit.run(());
    };
    view! {
        <form class="space-y-4" on:submit=submit>
            <SentTo sent_to=Signal::derive(move || pending.get().sent_to) if_account/>
            {move || pending.get().dev_notice.map(|notice| view! {
                <p class="rounded-xl bg-amber-50 px-3.5 py-2.5 text-sm text-amber-800 dark:bg-amber-950/40 dark:text-amber-200">{notice}</p>
            })}
            <Field label="Code" name="code" kind="text" value=code error=error placeholder="123456"
                autocomplete="one-time-code" inputmode="numeric"/>
            {children.map(|fields| fields())}
            <FormError error/>
            <SubmitButton label=submit_label pending=submitting/>
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

/// Where the code went. After a login or a forgotten password it is "if an account uses it":
/// the same words whether or not one does, as the server's answer is the same.
#[component]
fn SentTo(sent_to: Signal<String>, if_account: bool) -> impl IntoView {
    let to = move || view! { <span class="font-medium text-slate-900 dark:text-slate-100">{sent_to}</span> };
    view! {
        <p class="text-sm text-slate-600 dark:text-slate-400">
            {if if_account {
                view! { "If an account uses " {to} ", a 6-digit code is on its way to it." }.into_any()
            } else {
                view! { "We sent a 6-digit code to " {to} "." }.into_any()
            }}
        </p>
    }
}

/// Counts `seconds` down to zero once a second, in the browser.
fn countdown(seconds: RwSignal<u64>) {
    #[cfg(feature = "hydrate")]
    {
        if let Ok(handle) = set_interval_with_handle(
            move || seconds.update(|s| *s = s.saturating_sub(1)),
            std::time::Duration::from_secs(1),
        ) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = seconds;
}
