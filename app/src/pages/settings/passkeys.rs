//! Settings → Passkeys: the person's passkeys (name, where it was made, added, last used), adding
//! one made on this device, renaming and removing (after confirming it is them: with a passkey,
//! or a code when this browser has none of theirs).
use leptos::prelude::*;

use super::{ADD_BUTTON, CARD, section_title};
use crate::{
    accounts::{
        passkeys_api::{list_passkeys, remove_passkey, rename_passkey},
        types::{PasskeyView, PendingCode},
    },
    components::{
        confirm::{CodeConfirm, Confirmed, with_confirmation},
        icons::{IconFingerprint, IconPlus},
        passkeys::{add_passkey, use_passkeys_available},
        time::{Time, TimeStyle},
    },
    error::AppError,
};

#[component]
pub fn Passkeys() -> impl IntoView {
    let available = use_passkeys_available();
    view! { <Show when=move || available.get()><PasskeyList/></Show> }
}

#[component]
fn PasskeyList() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let reload = move || version.update(|v| *v += 1);
    let keys = Resource::new(move || version.get(), |_| list_passkeys());
    let error = RwSignal::new(None::<AppError>);
    let add = Action::new(|_: &()| add_passkey());
    Effect::new(move |_| match add.value().get() {
        Some(Ok(_)) => reload(),
        Some(Err(e)) if e.code() == "passkey_cancelled" => {}
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        {section_title("Passkeys")}
        <div class=CARD>
            <Transition fallback=|| view! { <p class="px-4 py-3.5 text-sm text-slate-500">"Loading…"</p> }>
                {move || keys.get().map(|result| match result {
                    Ok(list) if list.is_empty() => view! {
                        <p class="px-4 py-3.5 text-sm text-slate-600 dark:text-slate-300">
                            "Sign in with your fingerprint, face or screen lock instead of a code. A passkey never leaves your device."
                        </p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul aria-label="Your passkeys" class="divide-y divide-slate-200 dark:divide-slate-800">
                            {list.into_iter().map(|key| view! { <PasskeyRow key on_change=Callback::new(move |_| reload()) error/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="px-4 py-3.5 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
            <button type="button" disabled=move || add.pending().get() on:click=move |_| { error.set(None); add.dispatch(()); }
                class=format!("{ADD_BUTTON} flex w-full items-center gap-2 rounded-none px-4 py-3 disabled:opacity-60")>
                <IconPlus class="h-4 w-4"/>
                {move || if add.pending().get() { "Waiting for your device…" } else { "Add a passkey" }}
            </button>
        </div>
        <p class="mx-4 mt-2 text-sm text-rose-600 empty:hidden dark:text-rose-400" role="alert" data-testid="passkeys-error">
            {move || error.get().map(|e| e.to_string())}
        </p>
    }
    .into_any()
}

#[component]
fn PasskeyRow(key: PasskeyView, on_change: Callback<()>, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let name = RwSignal::new(key.name.clone());
    let id = StoredValue::new(key.id.clone());
    let rename = Action::new(move |name: &String| rename_passkey(id.get_value(), name.clone()));
    let code_sent = RwSignal::new(None::<PendingCode>);
    let remove = Action::new(move |_: &()| with_confirmation(move |proof| remove_passkey(id.get_value(), proof)));
    let remove_with_code = Action::new(move |proof: &String| remove_passkey(id.get_value(), Some(proof.clone())));
    let done = move |result: Option<Result<(), AppError>>| match result {
        Some(Ok(())) => on_change.run(()),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    };
    Effect::new(move |_| done(rename.value().get()));
    Effect::new(move |_| done(remove_with_code.value().get()));
    Effect::new(move |_| match remove.value().get() {
        Some(Ok(Confirmed::Done(()))) => on_change.run(()),
        Some(Ok(Confirmed::CodeSent(sent))) => code_sent.set(Some(sent)),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        rename.dispatch(name.get_untracked());
    };
    let (created, used) = (key.created_at, key.last_used_at);
    let label = key.name.clone();
    view! {
        <li class="flex items-start gap-3 px-4 py-3.5" data-testid="passkey-row">
            <span class="mt-0.5 rounded-full bg-indigo-50 p-2 text-indigo-600 dark:bg-slate-800 dark:text-indigo-400"><IconFingerprint/></span>
            {move || if let Some(sent) = code_sent.get() {
                view! {
                    <div class="min-w-0 flex-1">
                        <CodeConfirm sent submit_label="Remove passkey" on_proof=Callback::new(move |proof| { remove_with_code.dispatch(proof); })/>
                    </div>
                }.into_any()
            } else if editing.get() {
                view! {
                    <form class="flex min-w-0 flex-1 items-center gap-2" on:submit=save aria-label="Rename passkey">
                        <input type="text" bind:value=name maxlength="64" aria-label="Passkey name" autofocus
                            class="min-w-0 flex-1 rounded-lg border border-slate-300 bg-white px-2.5 py-1.5 text-base outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-950"/>
                        <button type="submit" class=ADD_BUTTON>"Save"</button>
                    </form>
                }.into_any()
            } else {
                let label = label.clone();
                // The device is worth saying only when the name does not already say it.
                let device = (key.device != label).then(|| format!("{} · ", key.device));
                view! {
                    <div class="flex min-w-0 flex-1 flex-col gap-1 sm:flex-row sm:items-center sm:gap-3">
                        <div class="min-w-0 flex-1">
                            <p class="font-medium break-words">{label}</p>
                            <p class="text-xs text-slate-500 dark:text-slate-400">
                                {device} "added " <Time at=created style=TimeStyle::Full/>
                                {match used {
                                    Some(at) => view! { " · last used " <Time at style=TimeStyle::Full/> }.into_any(),
                                    None => view! { " · never used" }.into_any(),
                                }}
                            </p>
                        </div>
                        <div class="-ml-3 flex shrink-0 sm:ml-0">
                            <button type="button" class=ADD_BUTTON on:click=move |_| editing.set(true)>"Rename"</button>
                            <button type="button" disabled=move || remove.pending().get() on:click=move |_| { error.set(None); remove.dispatch(()); }
                                class="shrink-0 rounded-lg px-3 py-1.5 text-sm font-medium text-rose-600 hover:bg-rose-50 disabled:opacity-60 dark:text-rose-400 dark:hover:bg-slate-800">
                                "Remove"
                            </button>
                        </div>
                    </div>
                }.into_any()
            }}
        </li>
    }
    .into_any()
}
