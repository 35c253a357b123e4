//! Passkeys in the pages: the login page's "Sign in with a passkey" (and passkeys among the
//! name field's autofill suggestions) and the offer after signing in. Nothing of it shows where
//! the browser or the server lacks them.
use leptos::{prelude::*, task::spawn_local};

use crate::{
    accounts::passkeys_api::{
        list_passkeys, passkey_register_finish, passkey_register_start, passkey_sign_in_finish, passkey_sign_in_start,
        passkeys_enabled,
    },
    browser,
    components::icons::{IconFingerprint, IconX},
    error::AppError,
    webauthn,
};

/// Whether to show passkey parts: false on the server and at first render (so hydration sees
/// the same page), then true once the browser and the server both offer passkeys.
pub fn use_passkeys_available() -> ReadSignal<bool> {
    let (available, set_available) = signal(false);
    Effect::new(move |_| {
        if webauthn::supported() {
            spawn_local(async move { set_available.set(passkeys_enabled().await.unwrap_or(false)) });
        }
    });
    available
}

/// Adds a passkey made on this device to the signed-in account.
pub async fn add_passkey() -> Result<crate::accounts::types::PasskeyView, AppError> {
    let ceremony = passkey_register_start().await?;
    let answer = webauthn::create(&ceremony.options).await?;
    passkey_register_finish(ceremony.ceremony_id, answer, None).await
}

async fn sign_in(autofill: bool) -> Result<(), AppError> {
    let ceremony = passkey_sign_in_start().await?;
    let answer = webauthn::get(&ceremony.options, autofill).await?;
    passkey_sign_in_finish(ceremony.ceremony_id, answer).await.map(|_| ())
}

const SECONDARY_BUTTON: &str = "flex w-full items-center justify-center gap-2 rounded-xl border border-slate-300 bg-white px-4 py-2.5 text-base font-semibold text-slate-800 shadow-sm hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-indigo-500/50 disabled:opacity-60 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100 dark:hover:bg-slate-800";

/// "Sign in with a passkey" for the login page. Refusals (of the button's request or of an
/// autofill one) show in `error`.
#[component]
pub fn PasskeySignIn(next: Signal<String>, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let available = use_passkeys_available();
    let button = Action::new(move |_: &()| async move {
        webauthn::abort_autofill();
        sign_in(false).await
    });
    Effect::new(move |_| match button.value().get() {
        Some(Ok(())) => browser::go_to(&next.get_untracked()),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <Show when=move || available.get()>
            <div class="mt-6">
                <div class="mb-4 flex items-center gap-3 text-xs text-slate-400 uppercase">
                    <span class="h-px flex-1 bg-slate-200 dark:bg-slate-800"></span>"or"<span class="h-px flex-1 bg-slate-200 dark:bg-slate-800"></span>
                </div>
                <button type="button" class=SECONDARY_BUTTON disabled=move || button.pending().get()
                    on:click=move |_| { error.set(None); button.dispatch(()); }>
                    <IconFingerprint class="h-5 w-5 text-indigo-600 dark:text-indigo-400"/>
                    {move || if button.pending().get() { "Waiting for your passkey…" } else { "Sign in with a passkey" }}
                </button>
                <p class="mt-2 text-sm text-rose-600 empty:hidden dark:text-rose-400" role="alert" data-testid="passkey-error">
                    {move || error.get().map(|e| e.to_string())}
                </p>
            </div>
        </Show>
    }
}

/// Offers passkeys among the suggestions of the name field (marked `autocomplete="username
/// webauthn"`) once the person is in it, where the browser and server can; picking one signs
/// the person in. Call it when the field gets focus: the request waits until a passkey is picked
/// or the button takes over, and one runs at a time.
pub fn offer_passkeys_in_autofill(next: Signal<String>, error: RwSignal<Option<AppError>>, running: RwSignal<bool>) {
    if running.get_untracked() || !webauthn::supported() {
        return;
    }
    running.set(true);
    spawn_local(async move {
        if webauthn::autofill_supported().await && passkeys_enabled().await.unwrap_or(false) {
            match sign_in(true).await {
                Ok(()) => browser::go_to(&next.get_untracked()),
                Err(e) if e.code() == "passkey_cancelled" => {}
                Err(e) => error.set(Some(e)),
            }
        }
        running.set(false);
    });
}

/// When the person last said "Not now" to the offer, in this browser.
#[cfg(feature = "hydrate")]
const OFFER_DISMISSED_KEY: &str = "confab.passkey-offer-dismissed-at";
#[cfg(feature = "hydrate")]
const OFFER_AGAIN_AFTER_MS: f64 = 30.0 * 24.0 * 3600.0 * 1000.0;

fn offer_recently_dismissed() -> bool {
    #[cfg(feature = "hydrate")]
    {
        let stored = crate::browser::saved(OFFER_DISMISSED_KEY).and_then(|v| v.parse::<f64>().ok());
        stored.is_some_and(|at| js_sys::Date::now() - at < OFFER_AGAIN_AFTER_MS)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        true
    }
}

fn dismiss_offer() {
    #[cfg(feature = "hydrate")]
    crate::browser::save(OFFER_DISMISSED_KEY, Some(&js_sys::Date::now().to_string()));
}

/// The offer to sign in faster next time, for someone without a passkey: "Not now" hides it
/// in this browser for a month.
#[component]
pub fn PasskeyOffer() -> impl IntoView {
    let show = RwSignal::new(false);
    let added = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    // The chat list opens often: once dismissed, the offer costs no request at all.
    Effect::new(move |_| {
        if webauthn::supported() && !offer_recently_dismissed() {
            spawn_local(async move {
                let offer = passkeys_enabled().await.unwrap_or(false) && list_passkeys().await.is_ok_and(|keys| keys.is_empty());
                show.set(offer);
            });
        }
    });
    let add = Action::new(|_: &()| add_passkey());
    Effect::new(move |_| match add.value().get() {
        Some(Ok(_)) => added.set(true),
        Some(Err(e)) if e.code() == "passkey_cancelled" => {}
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let not_now = move |_| {
        dismiss_offer();
        show.set(false);
    };
    view! {
        <Show when=move || show.get()>
            <section aria-label="Passkey offer" class="mx-3 mb-2 flex items-start gap-3 rounded-2xl border border-indigo-200 bg-indigo-50 p-3.5 dark:border-indigo-900 dark:bg-indigo-950/40">
                <span class="mt-0.5 rounded-full bg-white p-2 text-indigo-600 shadow-sm dark:bg-slate-900 dark:text-indigo-400"><IconFingerprint/></span>
                <div class="min-w-0 flex-1">
                    {move || if added.get() {
                        view! {
                            <p class="font-medium" role="status">"Passkey added"</p>
                            <p class="text-sm text-slate-600 dark:text-slate-300">"Next time, sign in with your fingerprint, face or screen lock."</p>
                        }.into_any()
                    } else {
                        view! {
                            <p class="font-medium">"Sign in faster next time with your fingerprint or face"</p>
                            <p class="text-sm text-slate-600 dark:text-slate-300">"A passkey stays on this device: nothing to type, nothing to steal."</p>
                            <div class="mt-2.5 flex gap-2">
                                <button type="button" disabled=move || add.pending().get() on:click=move |_| { error.set(None); add.dispatch(()); }
                                    class="rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                                    {move || if add.pending().get() { "Waiting…" } else { "Set up a passkey" }}
                                </button>
                                <button type="button" on:click=not_now
                                    class="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-white/70 dark:text-slate-300 dark:hover:bg-slate-800">
                                    "Not now"
                                </button>
                            </div>
                            <p class="mt-1.5 text-sm text-rose-600 empty:hidden dark:text-rose-400" role="alert">{move || error.get().map(|e| e.to_string())}</p>
                        }.into_any()
                    }}
                </div>
                <button type="button" on:click=not_now aria-label="Close"
                    class="rounded-full p-1 text-slate-400 hover:bg-white/70 hover:text-slate-600 dark:hover:bg-slate-800"><IconX class="h-4 w-4"/></button>
            </section>
        </Show>
    }
}
