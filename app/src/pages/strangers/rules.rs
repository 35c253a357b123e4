//! The first visit: what stranger chat is, its rules, and the 18+ confirmation (stored once).
use leptos::prelude::*;

use super::{ActionError, PRIMARY, state::StrangerState};
use crate::{
    components::icons::{IconAlert, IconFlag, IconLock, IconShuffle, IconSmile, IconTrash},
    strangers::api::stranger_confirm_adult,
};

#[component]
pub fn Rules() -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let adult = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if adult.get_untracked() {
            state.act(stranger_confirm_adult(), || ());
        }
    };
    let rule = |icon: AnyView, title: &'static str, text: &'static str| {
        view! {
            <li class="flex gap-3">
                <span class="mt-0.5 flex h-9 w-9 shrink-0 items-center justify-center rounded-full bg-slate-100 text-slate-600 dark:bg-slate-800 dark:text-slate-300">{icon}</span>
                <span>
                    <span class="block font-medium">{title}</span>
                    <span class="block text-sm text-slate-500 dark:text-slate-400">{text}</span>
                </span>
            </li>
        }
    };
    view! {
        <div class="min-h-0 flex-1 overflow-y-auto">
            <form class="mx-auto max-w-md px-5 py-6" on:submit=start aria-label="Stranger chat rules" data-testid="stranger-rules">
                <div class="flex flex-col items-center text-center">
                    <span class="rounded-full bg-indigo-50 p-4 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300"><IconShuffle class="h-7 w-7"/></span>
                    <h2 class="mt-3 text-xl font-semibold">"Chat with someone new"</h2>
                    <p class="mt-1 text-sm text-slate-500 dark:text-slate-400">
                        "You’re matched with a random person for a one-to-one chat. They see you only as “Stranger” — never your name, username or number."
                    </p>
                </div>
                <h3 class="mt-6 mb-3 text-sm font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">"The rules"</h3>
                <ul class="space-y-4">
                    {rule(view! { <IconSmile/> }.into_any(), "Be kind", "Treat the stranger the way you’d like to be treated.")}
                    {rule(view! { <IconAlert/> }.into_any(), "No nudity or harassment", "No sexual content, bullying, hate or spam.")}
                    {rule(view! { <IconLock/> }.into_any(), "Keep personal info private", "Never share your number, address, accounts or anything that identifies you or others.")}
                    {rule(view! { <IconFlag/> }.into_any(), "Reports are reviewed", "When you report a stranger, the chat is kept for our moderators.")}
                    {rule(view! { <IconTrash/> }.into_any(), "Chats disappear", "Chats that aren’t reported are deleted when they end.")}
                </ul>
                <label class="mt-6 flex cursor-pointer items-center gap-3 rounded-xl border border-slate-200 px-3.5 py-3 dark:border-slate-800">
                    <input type="checkbox" class="h-5 w-5 accent-indigo-600" prop:checked=move || adult.get()
                        on:change=move |ev| adult.set(event_target_checked(&ev))/>
                    <span class="font-medium">"I am 18 or older"</span>
                </label>
                <div class="mt-4 space-y-3">
                    <ActionError/>
                    <button type="submit" class=format!("w-full {PRIMARY}") disabled=move || !adult.get() || state.busy.get()>"Start"</button>
                    <p class="text-center text-xs text-slate-500 dark:text-slate-400">"By starting you agree to these rules."</p>
                </div>
            </form>
        </div>
    }
    .into_any()
}
