//! Starting something new: a chat with a contact, a new group, or joining a group by its ID.
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::ChatListRefresh;
use crate::{
    chats::{
        api::{create_group, join_group, list_contacts, start_direct},
        types::ContactState,
    },
    components::{
        avatar::Avatar,
        form::{Field, FormError, SubmitButton, TABLIST, route_result, tab},
        icons::IconShuffle,
        sheet::Sheet,
    },
    error::AppError,
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tab {
    Contacts,
    Group,
    Join,
}

#[component]
pub fn NewChatSheet(on_close: Callback<()>) -> impl IntoView {
    let current = RwSignal::new(Tab::Contacts);
    let navigate = use_navigate();
    let refresh = use_context::<ChatListRefresh>();
    // Every way out of this sheet ends in a chat.
    let open = Callback::new(move |chat_id: String| {
        if let Some(ChatListRefresh(v)) = refresh {
            v.update(|n| *n += 1);
        }
        on_close.run(());
        navigate(&format!("/chats/{chat_id}"), Default::default());
    });
    view! {
        <Sheet title="New chat" on_close>
            <div class=format!("{TABLIST} mb-4") role="tablist">
                {tab(current, Tab::Contacts, "Contacts")}
                {tab(current, Tab::Group, "New group")}
                {tab(current, Tab::Join, "Join group")}
            </div>
            {move || match current.get() {
                Tab::Contacts => view! { <ContactPicker open/> }.into_any(),
                Tab::Group => view! { <NewGroupForm open/> }.into_any(),
                Tab::Join => view! { <JoinByIdForm open/> }.into_any(),
            }}
            <a href="/strangers" rel="external"
                class="mt-4 flex items-center gap-3 rounded-xl border border-slate-200 px-3 py-3 hover:bg-slate-50 dark:border-slate-800 dark:hover:bg-slate-800">
                <span class="flex h-10 w-10 shrink-0 items-center justify-center rounded-full bg-indigo-50 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300"><IconShuffle/></span>
                <span class="min-w-0">
                    <span class="block font-medium">"Talk to a stranger"</span>
                    <span class="block text-sm text-slate-500 dark:text-slate-400">"An anonymous chat with someone random"</span>
                </span>
            </a>
        </Sheet>
    }
    .into_any()
}

#[component]
fn ContactPicker(open: Callback<String>) -> impl IntoView {
    let contacts = Resource::new(|| (), |_| list_contacts());
    let start = Action::new(|user_id: &String| start_direct(user_id.clone()));
    let error = RwSignal::new(None::<AppError>);
    route_result(start, error, move |chat_id| open.run(chat_id));
    view! {
        <Suspense fallback=|| view! { <p class="py-4 text-sm text-slate-500">"Loading contacts…"</p> }>
            {move || contacts.get().map(|r| match r {
                Ok(list) => {
                    let list: Vec<_> = list.into_iter().filter(|c| c.state == ContactState::Contact).collect();
                    if list.is_empty() {
                        view! {
                            <p class="py-4 text-sm text-slate-500 dark:text-slate-400">
                                "No contacts yet. Search for people by username, user ID or phone number, or "
                                <a href="/contacts" class="font-medium text-indigo-600 dark:text-indigo-400">"add one by user ID"</a> "."
                            </p>
                        }.into_any()
                    } else {
                        view! {
                            <ul class="-mx-2" aria-label="Contacts">
                                {list.into_iter().map(|c| {
                                    let id = c.person.user_id.clone();
                                    view! {
                                        <li>
                                            <button type="button" on:click=move |_| { start.dispatch(id.clone()); }
                                                class="flex w-full items-center gap-3 rounded-xl px-2 py-2 text-left hover:bg-slate-100 dark:hover:bg-slate-800">
                                                <Avatar name=c.person.display_name.clone()/>
                                                <span class="min-w-0">
                                                    <span class="block truncate font-medium">{c.person.display_name.clone()}</span>
                                                    <span class="block truncate text-sm text-slate-500 dark:text-slate-400">{format!("@{}", c.person.username)}</span>
                                                </span>
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }
                Err(e) => view! { <p class="text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
            })}
        </Suspense>
        <p class="text-sm text-rose-600 dark:text-rose-400" role="alert">{move || error.get().map(|e| e.to_string())}</p>
        <a href="/contacts" class="mt-3 block rounded-xl px-2 py-2 text-sm font-medium text-indigo-600 hover:bg-indigo-50 dark:text-indigo-400 dark:hover:bg-slate-800">"Manage contacts"</a>
    }
    .into_any()
}

#[component]
fn NewGroupForm(open: Callback<String>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let public = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let create = Action::new(|(n, d, p): &(String, String, bool)| create_group(n.clone(), d.clone(), *p));
    route_result(create, error, move |chat_id| open.run(chat_id));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        create.dispatch((name.get_untracked(), description.get_untracked(), public.get_untracked()));
    };
    view! {
        <form class="space-y-4" on:submit=submit aria-label="New group">
            <Field label="Group name" name="name" kind="text" value=name error placeholder="Weekend hikers"/>
            <DescriptionField value=description error/>
            <PublicToggle public/>
            <FormError error fields=&["name", "description"]/>
            <SubmitButton label="Create group" pending=create.pending()/>
        </form>
    }
    .into_any()
}

/// A group's description: a few lines, optional.
#[component]
pub fn DescriptionField(value: RwSignal<String>, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let message = move || error.get().filter(|e| e.field() == Some("description")).map(|e| e.to_string());
    view! {
        <div>
            <label for="field-description" class="mb-1.5 block text-sm font-medium text-slate-700 dark:text-slate-300">"Description (optional)"</label>
            <textarea id="field-description" rows="3" prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                class="block w-full resize-none rounded-xl border border-slate-300 bg-white px-3.5 py-2.5 text-base shadow-sm outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-950"></textarea>
            <p class="mt-1.5 text-sm text-rose-600 dark:text-rose-400" role="alert">{message}</p>
        </div>
    }
    .into_any()
}

/// Public groups can be found and joined by their group ID; private ones only by invitation.
#[component]
pub fn PublicToggle(public: RwSignal<bool>) -> impl IntoView {
    view! {
        <label class="flex cursor-pointer items-start gap-3 rounded-xl border border-slate-200 px-3.5 py-3 dark:border-slate-800">
            <input type="checkbox" class="mt-1 h-4 w-4 accent-indigo-600" prop:checked=move || public.get()
                on:change=move |ev| public.set(event_target_checked(&ev))/>
            <span>
                <span class="block font-medium">"Public group"</span>
                <span class="block text-sm text-slate-500 dark:text-slate-400">"Anyone with the group ID can join. Private groups need an invite link or an admin."</span>
            </span>
        </label>
    }
    .into_any()
}

#[component]
fn JoinByIdForm(open: Callback<String>) -> impl IntoView {
    let group_id = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let join = Action::new(|id: &String| join_group(Some(id.clone()), None));
    route_result(join, error, move |chat_id| open.run(chat_id));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        join.dispatch(group_id.get_untracked().trim().to_string());
    };
    view! {
        <form class="space-y-4" on:submit=submit aria-label="Join a group">
            <Field label="Group ID" name="group_id" kind="text" value=group_id error placeholder="ABCD-1234"/>
            <p class="-mt-2 text-xs text-slate-500 dark:text-slate-400">"Public groups show their ID on the group info page. For a private group, ask for an invite link."</p>
            <FormError error fields=&["group_id"]/>
            <SubmitButton label="Join group" pending=join.pending()/>
        </form>
    }
    .into_any()
}
