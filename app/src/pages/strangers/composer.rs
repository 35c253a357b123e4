//! Writing to the stranger: Enter sends on a desktop (Shift+Enter for a new line; on a phone
//! the button sends), typing is told at most every 2.5 s, and a refusal keeps the text.
use leptos::prelude::*;

use super::state::StrangerState;
use crate::components::icons::IconSend;

#[component]
pub fn Composer() -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move || {
        match state.send(&text.get_untracked()) {
            Ok(()) => {
                error.set(None);
                text.set(String::new());
            }
            Err(reason) if reason.is_empty() => {}
            Err(reason) => error.set(Some(reason)),
        }
        crate::browser::focus_id("stranger-input");
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() && !crate::browser::coarse_pointer() {
            ev.prevent_default();
            submit();
        }
    };
    view! {
        <div class="shrink-0 border-t border-slate-200 bg-white px-2 pt-2 pb-[max(0.5rem,env(safe-area-inset-bottom))] sm:px-4 dark:border-slate-800 dark:bg-slate-950">
            <div class="mx-auto max-w-3xl">
                <form class="flex items-end gap-2" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                    <label for="stranger-input" class="sr-only">"Message"</label>
                    <textarea id="stranger-input" rows="1" placeholder="Message"
                        prop:value=move || text.get()
                        on:input=move |ev| { text.set(event_target_value(&ev)); state.typing(); error.set(None); }
                        on:keydown=on_keydown
                        aria-invalid=move || error.get().is_some().to_string()
                        aria-describedby="stranger-composer-error"
                        enterkeyhint="enter"
                        class="field-sizing-content max-h-40 min-h-11 flex-1 resize-none rounded-3xl border border-slate-300 bg-slate-50 px-4 py-2.5 text-base leading-snug outline-none placeholder:text-slate-400 focus:border-indigo-500 focus:bg-white focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:focus:bg-slate-900"></textarea>
                    <button type="submit" aria-label="Send"
                        class="flex h-11 w-11 shrink-0 items-center justify-center rounded-full bg-indigo-600 text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/50">
                        <IconSend/>
                    </button>
                </form>
                <p id="stranger-composer-error" class="px-3 text-sm text-rose-600 dark:text-rose-400" role="alert">{move || error.get()}</p>
            </div>
        </div>
    }
    .into_any()
}
