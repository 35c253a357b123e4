//! A group invitation among the message requests: the group, who invited the viewer, and
//! Accept / Decline right in the row (an invitee cannot open the group before accepting).
use leptos::{prelude::*, task::spawn_local};
use leptos_router::hooks::use_navigate;

use super::ChatListRefresh;
use crate::{
    chats::{api::answer_group_invitation, types::ChatSummary},
    components::{
        avatar::avatar,
        time::{TimeStyle, time},
    },
};

pub fn invitation_row(chat: ChatSummary) -> impl IntoView {
    let inviter = chat.invited_by.as_ref().map(|p| p.display_name.clone()).unwrap_or_default();
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let navigate = use_navigate();
    let refresh = use_context::<ChatListRefresh>();
    let id = chat.id.clone();
    // Spawned rather than an Action: the live frames that answering sends redraw the list, and
    // with it this row, before the answer comes back; the task outlives the row.
    let answer = move |accept: bool| {
        busy.set(true);
        error.set(None);
        let (id, navigate) = (id.clone(), navigate.clone());
        spawn_local(async move {
            match answer_group_invitation(id.clone(), accept).await {
                Ok(()) => {
                    if let Some(ChatListRefresh(v)) = refresh {
                        v.try_update(|n| *n += 1);
                    }
                    if accept {
                        navigate(&format!("/chats/{id}"), Default::default());
                    }
                }
                Err(e) => {
                    busy.try_set(false);
                    error.try_set(Some(e.to_string()));
                }
            }
        });
    };
    let (accept, decline) = (answer.clone(), answer);
    let busy = move || busy.get();
    view! {
        <li class="mx-2 flex gap-3 rounded-xl px-3 py-2.5" data-testid="group-invitation" data-chat-id=chat.id.clone()
            aria-label=format!("Invitation to {}", chat.title)>
            {avatar(chat.title.clone(), "h-12 w-12 text-base", Signal::stored(false))}
            <div class="min-w-0 flex-1">
                <div class="flex items-baseline justify-between gap-2">
                    <span class="truncate font-semibold" data-testid="chat-title">{chat.title.clone()}</span>
                    {time(chat.updated_at, TimeStyle::List, "shrink-0 text-xs text-slate-500 dark:text-slate-400")}
                </div>
                <p class="mt-0.5 truncate text-sm text-slate-500 dark:text-slate-400" data-testid="chat-preview">
                    {format!("{inviter} invited you to this group")}
                </p>
                <div class="mt-2 flex gap-2">
                    <button type="button" on:click=move |_| accept(true) disabled=busy
                        class="rounded-lg bg-indigo-600 px-4 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">"Accept"</button>
                    <button type="button" on:click=move |_| decline(false) disabled=busy
                        class="rounded-lg border border-slate-300 px-4 py-1.5 text-sm font-semibold text-slate-700 hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-900">"Decline"</button>
                </div>
                <p class="mt-1 text-sm text-rose-600" role="alert">{move || error.get()}</p>
            </div>
        </li>
    }
    .into_any()
}
