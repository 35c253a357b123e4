//! The member list's rows (role changes, removal) and adding someone by user ID.
use leptos::prelude::*;

use super::{TEXT_BUTTON, run};
use crate::{
    chats::{
        api::{add_member, remove_member, set_role},
        types::{AddOutcome, MemberView, Role},
    },
    components::{avatar::Avatar, icons::IconUserPlus},
    error::AppError,
};

pub fn role_rank(role: Role) -> u8 {
    match role {
        Role::Owner => 0,
        Role::Admin => 1,
        Role::Member => 2,
    }
}

#[component]
pub fn MemberRow(member: MemberView, is_me: bool, my_role: Role, chat_id: String, version: RwSignal<u32>, error: RwSignal<Option<AppError>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let uid = StoredValue::new(member.person.user_id.clone());
    let chat = StoredValue::new(chat_id);
    let role = member.role;
    // Owners manage everyone; admins manage plain members.
    let manageable = !is_me && (my_role == Role::Owner || (my_role == Role::Admin && role == Role::Member));
    let badge = match role {
        Role::Owner => Some("Owner"),
        Role::Admin => Some("Admin"),
        Role::Member => None,
    };
    let change_role = move |to: Role| run(version, error, set_role(chat.get_value(), uid.get_value(), to));
    view! {
        <li data-testid="member" data-user-id=member.person.user_id.clone()>
            <div class="flex items-center gap-3 px-4 py-3">
                <a href=format!("/profile/{}", member.person.user_id) class="flex min-w-0 flex-1 items-center gap-3">
                    <Avatar name=member.person.display_name.clone() online=member.online/>
                    <span class="min-w-0">
                        <span class="block truncate font-medium">
                            {member.person.display_name.clone()}
                            {is_me.then(|| view! { <span class="ml-1 text-sm font-normal text-slate-500">"(you)"</span> })}
                        </span>
                        <span class="block truncate text-sm text-slate-500 dark:text-slate-400">
                            {format!("@{}", member.person.username)}
                        </span>
                    </span>
                </a>
                {badge.map(|b| view! {
                    <span class="rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-semibold text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300" data-testid="role">{b}</span>
                })}
                {manageable.then(|| view! {
                    <button type="button" class=TEXT_BUTTON aria-expanded=move || open.get().to_string()
                        aria-label=format!("Manage {}", member.person.display_name)
                        on:click=move |_| open.update(|o| *o = !*o)>"Manage"</button>
                })}
            </div>
            <Show when=move || open.get()>
                <div class="flex flex-wrap gap-2 px-4 pb-3">
                    {(my_role == Role::Owner && role == Role::Member).then(|| view! {
                        <button type="button" class="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
                            on:click=move |_| change_role(Role::Admin)>"Make admin"</button>
                    })}
                    {(my_role == Role::Owner && role == Role::Admin).then(|| view! {
                        <button type="button" class="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
                            on:click=move |_| change_role(Role::Member)>"Remove as admin"</button>
                    })}
                    {(my_role == Role::Owner).then(|| view! {
                        <button type="button" class="rounded-lg border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
                            on:click=move |_| change_role(Role::Owner)>"Transfer ownership"</button>
                    })}
                    <button type="button" class="rounded-lg border border-rose-200 px-3 py-1.5 text-sm font-medium text-rose-600 hover:bg-rose-50 dark:border-rose-900 dark:text-rose-400 dark:hover:bg-rose-950/30"
                        on:click=move |_| run(version, error, remove_member(chat.get_value(), uid.get_value()))>"Remove from group"</button>
                </div>
            </Show>
        </li>
    }
    .into_any()
}

#[component]
pub fn AddMember(chat_id: String, version: RwSignal<u32>) -> impl IntoView {
    let user_id = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let chat = StoredValue::new(chat_id);
    // Set when the person was invited rather than added: they join when they accept.
    let invited = RwSignal::new(false);
    let add = Action::new(move |uid: &String| add_member(chat.get_value(), uid.clone()));
    Effect::new(move |_| match add.value().get() {
        Some(Ok(outcome)) => {
            user_id.set(String::new());
            // An invitee is not a member yet: nothing on the page changes but this notice.
            match outcome {
                AddOutcome::Invited => invited.set(true),
                AddOutcome::Added => version.update(|v| *v += 1),
            }
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <form class="mx-4 mb-3 flex items-start gap-2" aria-label="Add a member"
            on:submit=move |ev| { ev.prevent_default(); error.set(None); invited.set(false); add.dispatch(user_id.get_untracked().trim().to_string()); }>
            <div class="flex-1">
                <label for="add-member" class="sr-only">"User ID to add"</label>
                <input id="add-member" type="text" placeholder="Add by user ID (7KQ4-M2XD)" autocomplete="off"
                    prop:value=move || user_id.get() on:input=move |ev| user_id.set(event_target_value(&ev))
                    class="block w-full rounded-xl border border-slate-300 bg-white px-3.5 py-2 text-base outline-none focus:border-indigo-500 focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900"/>
                <p class="mt-1 text-sm text-rose-600 dark:text-rose-400" role="alert">{move || error.get().map(|e| e.to_string())}</p>
                <Show when=move || invited.get()>
                    <p class="mt-1 text-sm text-slate-600 dark:text-slate-400" role="status" data-testid="invited-notice">
                        "Invitation sent. They only take messages from contacts, so they’ll join when they accept."
                    </p>
                </Show>
            </div>
            <button type="submit" disabled=move || add.pending().get()
                class="inline-flex items-center gap-1.5 rounded-xl bg-indigo-600 px-4 py-2 font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                <IconUserPlus class="h-4 w-4"/>"Add"
            </button>
        </form>
    }
    .into_any()
}
