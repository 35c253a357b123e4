//! /profile/:id — a person as others see them: name, username, user ID, bio, presence, and what
//! the viewer can do (message, invite to contacts, answer an invitation, block or unblock).
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    browser,
    chats::{
        api::{answer_invitation, invite_contact, profile, remove_contact, set_blocked, start_direct},
        types::{ContactState, Presence, ProfileView},
    },
    components::{
        avatar::Avatar,
        icons::{IconBack, IconChat, IconCopy, IconUserPlus},
        time::client_ready,
    },
    error::AppError,
    pages::{contacts::presence_text, group_info::CARD},
};

#[component]
pub fn Profile() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let data = Resource::new(move || id.get(), profile);
    view! {
        <Title text="Profile"/>
        <main class="mx-auto flex min-h-dvh max-w-lg flex-col pb-10">
            <header class="flex items-center gap-2 px-2 py-2.5">
                <button type="button" on:click=|_| back() class="rounded-full p-2 hover:bg-slate-100 dark:hover:bg-slate-800" aria-label="Back"><IconBack/></button>
                <h1 class="font-semibold">"Profile"</h1>
            </header>
            <Suspense fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading…"</p> }>
                {move || data.get().map(|r| match r {
                    Ok(p) => view! { <ProfileCard profile=p/> }.into_any(),
                    Err(AppError::NotFound | AppError::Invalid { .. }) => view! {
                        <div class="flex flex-1 flex-col items-center justify-center gap-2 px-8 text-center">
                            <h2 class="font-semibold">"No one here"</h2>
                            <p class="text-sm text-slate-500 dark:text-slate-400">{format!("There is no user with the ID “{}”.", id.get_untracked())}</p>
                        </div>
                    }.into_any(),
                    Err(e) => view! { <p class="p-6 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Suspense>
        </main>
    }
    .into_any()
}

/// Back where the person came from, or to the chats when the profile was opened directly.
fn back() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        if w.history().map(|h| h.length().unwrap_or(0) > 1).unwrap_or(false) {
            let _ = w.history().and_then(|h| h.back());
            return;
        }
    }
    browser::go_to("/chats");
}

const PRIMARY: &str = "inline-flex flex-1 items-center justify-center gap-2 rounded-xl bg-indigo-600 px-4 py-2.5 font-semibold text-white hover:bg-indigo-500 disabled:opacity-60";
const SECONDARY: &str = "inline-flex flex-1 items-center justify-center gap-2 rounded-xl border border-slate-300 px-4 py-2.5 font-semibold text-slate-700 hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-900";

#[derive(Clone, Copy)]
enum Change {
    Invite,
    Accept,
    Decline,
    Remove,
    Block(bool),
}

#[component]
fn ProfileCard(profile: ProfileView) -> impl IntoView {
    let ready = client_ready();
    let contact = RwSignal::new(profile.contact);
    let error = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let uid = StoredValue::new(profile.person.user_id.clone());
    let navigate = use_navigate();
    let busy = RwSignal::new(false);
    let change = move |what: Change| {
        let uid = uid.get_value();
        error.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = match what {
                Change::Invite => invite_contact(uid).await,
                Change::Accept => answer_invitation(uid, true).await,
                Change::Decline => answer_invitation(uid, false).await,
                Change::Remove => remove_contact(uid).await,
                Change::Block(b) => set_blocked(uid, b).await,
            };
            match result {
                Ok(state) => contact.set(state),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let message = move |_| {
        let navigate = navigate.clone();
        let uid = uid.get_value();
        busy.set(true);
        spawn_local(async move {
            match start_direct(uid).await {
                Ok(chat) => navigate(&format!("/chats/{chat}"), Default::default()),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let presence = profile.presence;
    let can_message = profile.can_message || profile.direct_chat.is_some();
    let p = profile.person.clone();
    let shown_id = p.user_id.clone();
    view! {
        <div class="flex flex-col items-center px-4 pt-4 text-center">
            <Avatar name=p.display_name.clone() size="h-24 w-24 text-3xl" online=presence == Presence::Online/>
            <h2 class="mt-3 text-2xl font-semibold" data-testid="profile-name">{p.display_name.clone()}</h2>
            <p class="text-slate-500 dark:text-slate-400">{format!("@{}", p.username)}</p>
            <p class=move || format!("mt-1 text-sm {}", if presence == Presence::Online { "text-emerald-600 dark:text-emerald-400" } else { "text-slate-500 dark:text-slate-400" })
                data-testid="profile-presence">
                {move || presence_text(presence, ready.get())}
            </p>
        </div>
        {(!profile.is_self).then(|| view! {
            <div class="mx-4 mt-5 flex flex-wrap gap-2">
                {can_message.then(|| view! {
                    <button type="button" class=PRIMARY on:click=message disabled=move || busy.get()><IconChat class="h-4 w-4"/>"Message"</button>
                })}
                {move || match contact.get() {
                    ContactState::None => view! {
                        <button type="button" class=SECONDARY disabled=move || busy.get() on:click=move |_| change(Change::Invite)>
                            <IconUserPlus class="h-4 w-4"/>"Invite to contacts"
                        </button>
                    }.into_any(),
                    ContactState::InvitationSent => view! {
                        <button type="button" class=SECONDARY disabled=true>"Invitation sent"</button>
                    }.into_any(),
                    ContactState::InvitationReceived => view! {
                        <button type="button" class=PRIMARY disabled=move || busy.get() on:click=move |_| change(Change::Accept)>"Accept invitation"</button>
                        <button type="button" class=SECONDARY disabled=move || busy.get() on:click=move |_| change(Change::Decline)>"Decline"</button>
                    }.into_any(),
                    ContactState::Contact => view! {
                        <span class="inline-flex flex-1 items-center justify-center rounded-xl bg-emerald-50 px-4 py-2.5 text-sm font-semibold text-emerald-700 dark:bg-emerald-950/50 dark:text-emerald-300"
                            data-testid="is-contact">"In your contacts"</span>
                    }.into_any(),
                    ContactState::Blocked => ().into_any(),
                }}
            </div>
        })}
        {(!profile.is_self && !can_message).then(|| view! {
            <p class="mx-4 mt-2 text-center text-sm text-slate-500 dark:text-slate-400">
                {format!("{} only accepts messages from contacts.", p.display_name)}
            </p>
        })}
        <p class="mx-4 mt-2 text-sm text-rose-600 empty:hidden dark:text-rose-400" role="alert">{move || error.get()}</p>
        <dl class=format!("{CARD} mt-6 divide-y divide-slate-200 dark:divide-slate-800")>
            <div class="flex items-center justify-between gap-3 px-4 py-3.5">
                <div>
                    <dt class="text-xs text-slate-500 dark:text-slate-400">"User ID"</dt>
                    <dd class="font-mono text-lg font-semibold tracking-wider" data-testid="profile-user-id">{shown_id.clone()}</dd>
                </div>
                <button type="button" on:click=move |_| { browser::copy_to_clipboard(&shown_id); copied.set(true); }
                    class="inline-flex items-center gap-1.5 rounded-lg px-3 py-1.5 text-sm font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-slate-800">
                    <IconCopy class="h-4 w-4"/> {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
            </div>
            <div class="px-4 py-3.5">
                <dt class="text-xs text-slate-500 dark:text-slate-400">"Bio"</dt>
                <dd class="whitespace-pre-wrap" data-testid="profile-bio">
                    {if profile.bio.is_empty() { "—".to_string() } else { profile.bio.clone() }}
                </dd>
            </div>
        </dl>
        {profile.is_self.then(|| view! {
            <a href="/settings" class=format!("{SECONDARY} mx-4 mt-4 flex-none")>"Edit your profile"</a>
        })}
        {(!profile.is_self).then(|| view! {
            <div class="mx-4 mt-6 flex flex-col gap-1">
                {move || (contact.get() == ContactState::Contact).then(|| view! {
                    <button type="button" class="rounded-xl px-4 py-2.5 text-left font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-900"
                        on:click=move |_| change(Change::Remove)>"Remove from contacts"</button>
                })}
                {move || if contact.get() == ContactState::Blocked {
                    view! {
                        <button type="button" class="rounded-xl px-4 py-2.5 text-left font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-slate-900"
                            on:click=move |_| change(Change::Block(false))>"Unblock"</button>
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="rounded-xl px-4 py-2.5 text-left font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-rose-950/30"
                            on:click=move |_| change(Change::Block(true))>"Block"</button>
                    }.into_any()
                }}
            </div>
        })}
    }
    .into_any()
}
