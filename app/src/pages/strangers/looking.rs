//! Waiting to be matched: an animated indicator, the interests looked with, and Cancel.
use leptos::prelude::*;

use super::{ActionError, SECONDARY, chip, state::StrangerState};
use crate::components::icons::IconShuffle;

#[component]
pub fn Looking() -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let interests = move || state.view.with(|v| v.looking.as_ref().map(|l| l.interests.clone()).unwrap_or_default());
    view! {
        <div class="flex min-h-0 flex-1 flex-col items-center justify-center px-6 py-10 text-center" data-testid="stranger-looking">
            <span class="relative flex h-24 w-24 items-center justify-center" aria-hidden="true">
                <span class="absolute inset-2 animate-ping rounded-full bg-indigo-300 [animation-duration:1.8s] dark:bg-indigo-700"></span>
                <span class="absolute inset-3 animate-pulse rounded-full bg-indigo-100 dark:bg-indigo-900"></span>
                <span class="relative flex h-14 w-14 items-center justify-center rounded-full bg-indigo-600 text-white shadow-lg shadow-indigo-600/30">
                    <IconShuffle class="h-6 w-6"/>
                </span>
            </span>
            <h2 class="mt-6 text-xl font-semibold" role="status" aria-live="polite">"Looking for someone…"</h2>
            {move || {
                let tags = interests();
                if tags.is_empty() {
                    view! { <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"You’ll be matched with anyone who’s looking."</p> }.into_any()
                } else {
                    view! {
                        <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">"Someone who likes the same things first, then anyone."</p>
                        <div class="mt-3 flex max-w-sm flex-wrap justify-center gap-1.5" aria-label="Interests">
                            {tags.into_iter().map(chip).collect_view()}
                        </div>
                    }.into_any()
                }
            }}
            <div class="mt-8 w-full max-w-xs space-y-3">
                <ActionError/>
                <button type="button" class=format!("w-full {SECONDARY}") disabled=move || state.busy.get()
                    on:click=move |_| state.leave()>"Cancel"</button>
            </div>
        </div>
    }
    .into_any()
}
