//! /join/:token — an invite link. The page says what it is and joins with one tap; the server
//! checks the link (expired, used up, revoked) when it is used.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    chats::api::join_group,
    components::{brand::AuthCard, form::FormError},
    error::AppError,
};

#[component]
pub fn JoinByLink() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let error = RwSignal::new(None::<AppError>);
    let join = Action::new(|token: &String| join_group(None, Some(token.clone())));
    let navigate = use_navigate();
    Effect::new(move |_| match join.value().get() {
        Some(Ok(chat_id)) => navigate(&format!("/chats/{chat_id}"), Default::default()),
        Some(Err(AppError::NotFound)) => error.set(Some(AppError::invalid("invite", "This invite link doesn’t work any more: it may have expired, been used up or been revoked."))),
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <Title text="Join group"/>
        <AuthCard title="You’re invited" subtitle="Someone shared a link to join their group on Confab.">
            <div class="space-y-4">
                <p class="text-sm text-slate-600 dark:text-slate-400">
                    "Joining adds you to the group: its members will see your name, and you’ll see the messages sent from now on."
                </p>
                <FormError error fields=&["-"]/>
                <button type="button" on:click=move |_| { error.set(None); join.dispatch(token()); } disabled=move || join.pending().get()
                    class="w-full rounded-xl bg-indigo-600 px-4 py-2.5 text-base font-semibold text-white shadow-sm hover:bg-indigo-500 disabled:opacity-60">
                    {move || if join.pending().get() { "Joining…" } else { "Join group" }}
                </button>
                <a href="/chats" class="block text-center text-sm font-medium text-slate-500 hover:text-slate-700 dark:text-slate-400">"Not now"</a>
            </div>
        </AuthCard>
    }
    .into_any()
}
