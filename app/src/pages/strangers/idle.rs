//! Before looking: interests as tags (optional), and "Start looking". Someone kept out after
//! reports sees until when.
use leptos::prelude::*;

use super::{ActionError, PRIMARY, state::StrangerState};
use crate::{
    components::{
        icons::{IconShuffle, IconX},
        time::{TimeStyle, time},
    },
    strangers::{types::MAX_INTERESTS, validate},
};

/// The tags with `typed` added (split at commas), cleaned; or why not.
pub fn add_interests(current: &[String], typed: &str) -> Result<Vec<String>, String> {
    let mut all = current.to_vec();
    all.extend(typed.split(',').map(str::to_owned));
    validate::interests(&all).map_err(|e| e.to_string())
}

#[component]
pub fn Idle() -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let banned_until = move || state.view.with(|v| v.banned_until);
    let typed = RwSignal::new(String::new());
    let hint = RwSignal::new(None::<String>);
    // Adds what is typed; false when it could not be added.
    let commit = move || -> bool {
        let text = typed.get_untracked();
        if text.trim().is_empty() {
            return true;
        }
        match add_interests(&state.interests.get_untracked(), &text) {
            Ok(tags) => {
                state.interests.set(tags);
                typed.set(String::new());
                hint.set(None);
                true
            }
            Err(reason) => {
                hint.set(Some(reason));
                false
            }
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" | "," if !ev.is_composing() => {
            ev.prevent_default();
            commit();
        }
        "Backspace" if typed.get_untracked().is_empty() => {
            state.interests.update(|t| {
                t.pop();
            });
        }
        _ => {}
    };
    let on_input = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        // A pasted or typed comma also ends a tag (phones do not always send the key).
        if value.contains(',') {
            typed.set(value);
            commit();
        } else {
            typed.set(value);
            hint.set(None);
        }
    };
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if commit() {
            state.look();
        }
    };
    let full = move || state.interests.with(|t| t.len() >= MAX_INTERESTS);
    view! {
        <div class="min-h-0 flex-1 overflow-y-auto">
            <form class="mx-auto flex max-w-md flex-col px-5 py-8" on:submit=start aria-label="Start looking">
                <div class="flex flex-col items-center text-center">
                    <span class="rounded-full bg-indigo-50 p-4 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300"><IconShuffle class="h-7 w-7"/></span>
                    <h2 class="mt-3 text-xl font-semibold">"Meet someone new"</h2>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Anonymous, one-to-one, and gone when it ends."</p>
                </div>
                {move || banned_until().map(|until| view! {
                    <p class="mt-6 rounded-xl bg-rose-50 px-3.5 py-3 text-sm text-rose-700 dark:bg-rose-950/50 dark:text-rose-300"
                        role="alert" data-testid="stranger-banned">
                        "After reports about your chats, you can’t talk to strangers until "
                        {time(until, TimeStyle::Full, "font-semibold")} "."
                    </p>
                })}
                <label for="interest-input" class="mt-6 mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-300">"Interests (optional)"</label>
                <div class="flex min-h-12 flex-wrap items-center gap-1.5 rounded-xl border border-slate-300 bg-white px-2 py-1.5 focus-within:border-indigo-500 focus-within:ring-2 focus-within:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-950">
                    <ul class="contents" aria-label="Your interests">
                        {move || state.interests.get().into_iter().map(|tag| {
                            let remove = tag.clone();
                            view! {
                                <li class="inline-flex items-center gap-1 rounded-full bg-indigo-50 py-0.5 pr-1 pl-2.5 text-sm font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
                                    data-testid="interest">
                                    {format!("#{tag}")}
                                    <button type="button" aria-label=format!("Remove {tag}")
                                        on:click=move |_| state.interests.update(|t| t.retain(|x| *x != remove))
                                        class="rounded-full p-0.5 hover:bg-indigo-100 dark:hover:bg-indigo-900"><IconX class="h-3.5 w-3.5"/></button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    <input id="interest-input" type="text" enterkeyhint="done" autocomplete="off" maxlength="60"
                        placeholder=move || if full() { "" } else { "music, travel, games…" }
                        disabled=full
                        prop:value=move || typed.get()
                        on:input=on_input on:keydown=on_keydown on:blur=move |_| { commit(); }
                        aria-describedby="interest-hint"
                        class="min-w-32 flex-1 bg-transparent px-1.5 py-1 text-base outline-none placeholder:text-slate-400 sm:text-sm"/>
                </div>
                <p id="interest-hint" class=move || format!("mt-1.5 text-sm {}", if hint.get().is_some() { "text-rose-600 dark:text-rose-400" } else { "text-slate-500 dark:text-slate-400" })
                    role=move || hint.get().is_some().then_some("alert")>
                    {move || hint.get().unwrap_or_else(|| format!("Press Enter or a comma after each one, up to {MAX_INTERESTS}. We look for someone who shares one first, then anyone."))}
                </p>
                <div class="mt-6 space-y-3">
                    <ActionError/>
                    <button type="submit" class=format!("w-full {PRIMARY}")
                        disabled=move || state.busy.get() || banned_until().is_some()>"Start looking"</button>
                </div>
            </form>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_tags_are_added_clean_and_bounded() {
        assert_eq!(add_interests(&[], " #Chess ").unwrap(), ["chess"]);
        assert_eq!(add_interests(&["chess".into()], "go, chess,hiking").unwrap(), ["chess", "go", "hiking"]);
        let five: Vec<String> = ["a", "b", "c", "d", "e"].map(String::from).to_vec();
        assert!(add_interests(&five, "f").is_err());
        assert!(add_interests(&[], "<b>").is_err());
    }
}
