//! /contacts: people you know on Confab, invitations you received (accept or decline) and sent,
//! and adding someone by user ID. Opening the page marks received invitations as seen.
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::hooks::use_navigate;

use crate::{
    chats::{
        api::{answer_invitation, invite_contact, list_contacts, mark_invitations_seen, remove_contact, set_blocked, start_direct},
        types::{ContactState, ContactView, Presence},
    },
    components::{
        avatar::Avatar,
        icons::{IconBack, IconChat, IconUserPlus},
        time::{client_ready, last_seen},
    },
    error::AppError,
    pages::group_info::{CARD, TEXT_BUTTON, section_title},
};

/// "online", "last seen …", or nothing when hidden (browser only for times).
pub fn presence_text(presence: Presence, ready: bool) -> Option<String> {
    match presence {
        Presence::Online => Some("online".into()),
        Presence::LastSeen { at } if ready => Some(last_seen(at)),
        _ => None,
    }
}

#[component]
pub fn Contacts() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let contacts = Resource::new(move || version.get(), |_| list_contacts());
    Effect::new(move |_| {
        spawn_local(async {
            let _ = mark_invitations_seen().await;
        });
    });
    view! {
        <Title text="Contacts"/>
        <main class="mx-auto flex min-h-dvh max-w-lg flex-col pb-10">
            <header class="flex items-center gap-2 px-2 py-2.5">
                <a href="/chats" class="rounded-full p-2 hover:bg-slate-100 dark:hover:bg-slate-800" aria-label="Back to chats"><IconBack/></a>
                <h1 class="text-lg font-semibold">"Contacts"</h1>
            </header>
            <AddContact version/>
            <Transition fallback=|| view! { <p class="mx-4 mt-6 text-sm text-slate-500">"Loading…"</p> }>
                {move || contacts.get().map(|r| match r {
                    Ok(list) => view! { <ContactSections list version/> }.into_any(),
                    Err(e) => view! { <p class="mx-4 mt-6 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </main>
    }
    .into_any()
}

#[component]
fn AddContact(version: RwSignal<u32>) -> impl IntoView {
    let user_id = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let done = RwSignal::new(None::<String>);
    let invite = Action::new(|uid: &String| invite_contact(uid.clone()));
    Effect::new(move |_| match invite.value().get() {
        Some(Ok(state)) => {
            done.set(Some(match state {
                ContactState::Contact => "You are now contacts.".into(),
                _ => "Invitation sent. They’ll see it on their Contacts page.".into(),
            }));
            user_id.set(String::new());
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        {section_title("Add a contact")}
        <form class="mx-4 flex items-start gap-2" aria-label="Add a contact"
            on:submit=move |ev| { ev.prevent_default(); error.set(None); done.set(None); invite.dispatch(user_id.get_untracked().trim().to_string()); }>
            <div class="flex-1">
                <label for="contact-user-id" class="sr-only">"User ID"</label>
                <input id="contact-user-id" type="text" placeholder="User ID, like 7KQ4-M2XD" autocomplete="off"
                    prop:value=move || user_id.get() on:input=move |ev| user_id.set(event_target_value(&ev))
                    class="block w-full rounded-xl border border-slate-300 bg-white px-3.5 py-2 text-base outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900"/>
                <p class="mt-1 text-sm text-rose-600 dark:text-rose-400" role="alert">{move || error.get().map(|e| e.to_string())}</p>
                <p class="mt-1 text-sm text-emerald-700 dark:text-emerald-400" role="status">{move || done.get()}</p>
            </div>
            <button type="submit" disabled=move || invite.pending().get()
                class="inline-flex items-center gap-1.5 rounded-xl bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                <IconUserPlus class="h-4 w-4"/>"Invite"
            </button>
        </form>
    }
    .into_any()
}

#[component]
fn ContactSections(list: Vec<ContactView>, version: RwSignal<u32>) -> impl IntoView {
    let of = |state: ContactState| list.iter().filter(|c| c.state == state).cloned().collect::<Vec<_>>();
    let (received, sent, contacts, blocked) =
        (of(ContactState::InvitationReceived), of(ContactState::InvitationSent), of(ContactState::Contact), of(ContactState::Blocked));
    let section = move |title: &'static str, label: &'static str, items: Vec<ContactView>| {
        (!items.is_empty()).then(|| view! {
            {section_title(title)}
            <ul class=format!("{CARD} divide-y divide-slate-200 dark:divide-slate-800") aria-label=label>
                {items.into_iter().map(|c| view! { <ContactRow contact=c version/> }).collect_view()}
            </ul>
        })
    };
    let empty = contacts.is_empty();
    view! {
        {section("Invitations", "Invitations received", received)}
        {section("Sent", "Invitations sent", sent)}
        {section("Contacts", "Contacts", contacts)}
        {empty.then(|| view! {
            {section_title("Contacts")}
            <p class=format!("{CARD} px-4 py-6 text-center text-sm text-slate-500 dark:text-slate-400")>
                "No contacts yet. Invite someone with their user ID, or from their profile."
            </p>
        })}
        {section("Blocked", "Blocked", blocked)}
    }
    .into_any()
}

#[derive(Clone, Copy)]
enum Act {
    Accept,
    Decline,
    Remove,
    Unblock,
}

#[component]
fn ContactRow(contact: ContactView, version: RwSignal<u32>) -> impl IntoView {
    let ready = client_ready();
    let uid = StoredValue::new(contact.person.user_id.clone());
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let act = move |what: Act| {
        let uid = uid.get_value();
        spawn_local(async move {
            let result = match what {
                Act::Accept => answer_invitation(uid, true).await,
                Act::Decline => answer_invitation(uid, false).await,
                Act::Remove => remove_contact(uid).await,
                Act::Unblock => set_blocked(uid, false).await,
            };
            match result {
                Ok(_) => version.update(|v| *v += 1),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let presence = contact.presence;
    let message = move |_| {
        let navigate = navigate.clone();
        let uid = uid.get_value();
        spawn_local(async move {
            match start_direct(uid).await {
                Ok(chat) => navigate(&format!("/chats/{chat}"), Default::default()),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let actions = match contact.state {
        ContactState::InvitationReceived => view! {
            <button type="button" class="rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500"
                on:click=move |_| act(Act::Accept)>"Accept"</button>
            <button type="button" class="rounded-lg px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                on:click=move |_| act(Act::Decline)>"Decline"</button>
        }.into_any(),
        ContactState::InvitationSent => view! {
            <span class="text-sm text-slate-500 dark:text-slate-400">"Pending"</span>
            <button type="button" class=TEXT_BUTTON on:click=move |_| act(Act::Remove)>"Cancel"</button>
        }.into_any(),
        ContactState::Contact => view! {
            <button type="button" class="rounded-full p-2 text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-slate-800"
                aria-label=format!("Message {}", contact.person.display_name) on:click=message><IconChat/></button>
        }.into_any(),
        ContactState::Blocked => view! {
            <button type="button" class=TEXT_BUTTON on:click=move |_| act(Act::Unblock)>"Unblock"</button>
        }.into_any(),
        ContactState::None => ().into_any(),
    };
    view! {
        <li class="px-4 py-3" data-testid="contact" data-state=format!("{:?}", contact.state)>
            <div class="flex items-center gap-3">
                <a href=format!("/profile/{}", contact.person.user_id) class="flex min-w-0 flex-1 items-center gap-3">
                    <Avatar name=contact.person.display_name.clone() online=presence == Presence::Online/>
                    <span class="min-w-0">
                        <span class="block truncate font-medium">{contact.person.display_name.clone()}</span>
                        <span class="block truncate text-sm text-slate-500 dark:text-slate-400">
                            {format!("@{}", contact.person.username)}
                            {move || presence_text(presence, ready.get()).map(|p| format!(" · {p}"))}
                        </span>
                    </span>
                </a>
                <span class="flex shrink-0 items-center gap-1">{actions}</span>
            </div>
            <p class="text-sm text-rose-600 empty:hidden" role="alert">{move || error.get()}</p>
        </li>
    }
    .into_any()
}
