//! Form pieces in the sign-in style: labelled inputs with their own error line, and buttons.
use leptos::prelude::*;

use crate::error::AppError;

/// A labelled input bound to `value`, showing `error` beneath it when it names this field.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    kind: &'static str,
    value: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    #[prop(default = "")] placeholder: &'static str,
    #[prop(default = "off")] autocomplete: &'static str,
    #[prop(default = "text")] inputmode: &'static str,
) -> impl IntoView {
    let message = move || error.get().filter(|e| e.field() == Some(name)).map(|e| e.to_string());
    let id = format!("field-{name}");
    let error_id = format!("{id}-error");
    view! {
        <div>
            <label for=id.clone() class="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-300">{label}</label>
            <input id=id type=kind name=name placeholder=placeholder autocomplete=autocomplete inputmode=inputmode
                bind:value=value
                aria-invalid=move || message().is_some().to_string()
                aria-describedby=error_id.clone()
                class=move || format!("block w-full rounded-xl border bg-white px-3.5 py-2.5 text-base shadow-sm outline-none placeholder:text-slate-400 focus:ring-2 dark:bg-slate-950 {}",
                    if message().is_some() { "border-rose-500 focus:ring-rose-500/30" }
                    else { "border-slate-300 focus:border-indigo-500 focus:ring-indigo-500/30 dark:border-slate-700" })/>
            <p id=error_id class="mt-1.5 text-sm text-rose-600 dark:text-rose-400" role="alert">{message}</p>
        </div>
    }
}

/// Errors that belong to no field (rate limits, network, server trouble). With `fields`, also
/// errors about a field the form does not show.
#[component]
pub fn FormError(error: RwSignal<Option<AppError>>, #[prop(default = &[])] fields: &'static [&'static str]) -> impl IntoView {
    let message = move || {
        error
            .get()
            .filter(|e| match e.field() {
                None | Some("") => true,
                Some(f) => !fields.is_empty() && !fields.contains(&f),
            })
            .map(|e| e.to_string())
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="rounded-xl bg-rose-50 px-3.5 py-2.5 text-sm text-rose-700 dark:bg-rose-950/50 dark:text-rose-300" role="alert">
                {message}
            </p>
        </Show>
    }
}

#[component]
pub fn SubmitButton(label: &'static str, #[prop(into)] pending: Signal<bool>) -> impl IntoView {
    view! {
        <button type="submit" disabled=move || pending.get()
            class="w-full rounded-xl bg-indigo-600 px-4 py-2.5 text-base font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/50 disabled:opacity-60">
            {move || if pending.get() { "Please wait…" } else { label }}
        </button>
    }
}

/// One tab of a two-way choice (phone or email), for a `role="tablist"` container.
pub fn tab<T: Copy + PartialEq + Send + Sync + 'static>(current: RwSignal<T>, value: T, label: &'static str) -> impl IntoView {
    let selected = move || current.get() == value;
    view! {
        <button type="button" role="tab" aria-selected=move || selected().to_string()
            class=move || format!("flex-1 rounded-lg px-3 py-2 text-sm font-medium transition {}",
                if selected() { "bg-white text-slate-900 shadow-sm dark:bg-slate-700 dark:text-white" }
                else { "text-slate-500 hover:text-slate-800 dark:text-slate-400 dark:hover:text-slate-200" })
            on:click=move |_| current.set(value)>
            {label}
        </button>
    }
}

pub const TABLIST: &str = "mb-6 flex gap-1 rounded-xl bg-slate-100 p-1 dark:bg-slate-800";

/// Sends an action's outcome where forms want it: success to `on_ok`, failure into `error`
/// (which the form's fields and `FormError` display).
pub fn route_result<I, T>(
    action: Action<I, Result<T, AppError>>,
    error: RwSignal<Option<AppError>>,
    on_ok: impl Fn(T) + 'static,
) where
    I: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    Effect::new(move |_| match action.value().get() {
        Some(Ok(value)) => on_ok(value),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
}
