//! Group info at /chats/:id/info: what the group is, who is in it and with which role, and what
//! owners and admins may change (details, members, roles, invite links), plus leaving and
//! deleting. The server decides every permission; the page only hides what the viewer can't do.
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    accounts::api::current_user,
    browser,
    chats::{
        api::{
            add_member, create_invite, delete_group, edit_group, leave_group, list_invites, open_chat, remove_member,
            revoke_invite, set_muted, set_role,
        },
        types::{AddOutcome, ChatDetail, GroupInfo, InviteLinkView, MemberView, Role},
    },
    components::{
        avatar::Avatar,
        form::{Field, FormError, SubmitButton},
        icons::{IconBack, IconCopy, IconLink, IconUserPlus},
        sheet::Sheet,
        time::{Time, TimeStyle, client_ready},
    },
    error::AppError,
    pages::{
        chat_list::{
            ChatListRefresh,
            new_chat::{DescriptionField, PublicToggle},
        },
        conversation::state::same_user_id,
    },
};

pub const CARD: &str = "mx-4 overflow-hidden rounded-2xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900";
pub const TEXT_BUTTON: &str = "shrink-0 rounded-lg px-3 py-1.5 text-sm font-medium text-indigo-600 hover:bg-indigo-50 disabled:opacity-50 dark:text-indigo-400 dark:hover:bg-slate-800";

pub fn section_title(text: &'static str) -> impl IntoView {
    view! { <h2 class="mx-4 mt-6 mb-2 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{text}</h2> }
}

#[component]
pub fn GroupInfoPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let version = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id.get(), version.get()),
        |(id, _)| async move {
            let me = current_user().await?.map(|u| u.user_id).unwrap_or_default();
            let detail = open_chat(id, None).await?;
            Ok::<_, AppError>((detail, me))
        },
    );
    view! {
        <Title text="Group info"/>
        <header class="flex h-16 shrink-0 items-center gap-2 border-b border-slate-200 px-2 dark:border-slate-800">
            <a href=move || format!("/chats/{}", id.get()) class="rounded-full p-2 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
                aria-label="Back to the chat"><IconBack/></a>
            <h1 class="text-lg font-semibold">"Group info"</h1>
        </header>
        <div class="min-h-0 flex-1 overflow-y-auto bg-slate-50 pb-12 dark:bg-slate-950">
            <div class="mx-auto max-w-xl">
                <Transition fallback=|| view! { <p class="p-6 text-sm text-slate-500">"Loading…"</p> }>
                    {move || data.get().map(|r| match r {
                        Ok((detail, me)) => match detail.group.clone() {
                            Some(group) => view! { <GroupInfoView detail group me version/> }.into_any(),
                            None => view! { <p class="p-6 text-sm text-slate-500">"This is a direct chat, not a group."</p> }.into_any(),
                        },
                        Err(e) => view! { <p class="p-6 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
                    })}
                </Transition>
            </div>
        </div>
    }
    .into_any()
}

/// Runs a group change, then reloads the page's data (and the chat list), or shows the error.
fn run<F>(version: RwSignal<u32>, error: RwSignal<Option<AppError>>, change: F)
where
    F: std::future::Future<Output = Result<(), AppError>> + 'static,
{
    error.set(None);
    spawn_local(async move {
        match change.await {
            Ok(()) => version.update(|v| *v += 1),
            Err(e) => error.set(Some(e)),
        }
    });
}

#[component]
fn GroupInfoView(detail: ChatDetail, group: GroupInfo, me: String, version: RwSignal<u32>) -> impl IntoView {
    let chat_id = StoredValue::new(detail.id.clone());
    let admin = matches!(group.my_role, Role::Owner | Role::Admin);
    let owner = group.my_role == Role::Owner;
    let copied = RwSignal::new(false);
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<AppError>);
    let muted = RwSignal::new(detail.muted);
    let navigate = use_navigate();
    let confirm = RwSignal::new(None::<&'static str>);
    if let Some(ChatListRefresh(list)) = use_context::<ChatListRefresh>() {
        Effect::new(move |prev: Option<u32>| {
            let v = version.get();
            if prev.is_some() {
                list.update(|n| *n += 1);
            }
            v
        });
    }
    let gid = group.group_id.clone();
    let mut members = detail.members.clone();
    members.sort_by_key(|m| (role_rank(m.role), m.person.display_name.to_lowercase()));
    let leave_or_delete = move |what: &'static str| {
        let chat = chat_id.get_value();
        let navigate = navigate.clone();
        error.set(None);
        spawn_local(async move {
            let result = if what == "delete" { delete_group(chat).await } else { leave_group(chat).await };
            match result {
                Ok(()) => {
                    ChatListRefresh::bump();
                    navigate("/chats", Default::default());
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let leave_or_delete = StoredValue::new(leave_or_delete);
    view! {
        <div class="flex flex-col items-center px-4 pt-6 pb-2 text-center">
            <Avatar name=group.name.clone() size="h-24 w-24 text-3xl"/>
            <h2 class="mt-3 text-2xl font-semibold" data-testid="group-name">{group.name.clone()}</h2>
            <p class="text-sm text-slate-500 dark:text-slate-400">
                {format!("{} group · {} {}", if group.public { "Public" } else { "Private" }, group.member_count,
                    if group.member_count == 1 { "member" } else { "members" })}
            </p>
            {(!group.description.is_empty()).then(|| view! {
                <p class="mt-3 max-w-md text-sm whitespace-pre-wrap text-slate-700 dark:text-slate-300" data-testid="group-description">{group.description.clone()}</p>
            })}
            {admin.then(|| view! {
                <button type="button" class=format!("{TEXT_BUTTON} mt-2") on:click=move |_| editing.set(true)>"Edit group"</button>
            })}
        </div>
        <p class="mx-4 mb-2 text-sm text-rose-600 dark:text-rose-400" role="alert">{move || error.get().map(|e| e.to_string())}</p>
        <div class=format!("{CARD} divide-y divide-slate-200 dark:divide-slate-800")>
            <div class="flex items-center justify-between gap-3 px-4 py-3.5">
                <div>
                    <p class="text-xs text-slate-500 dark:text-slate-400">"Group ID"</p>
                    <p class="font-mono text-lg font-semibold tracking-wider" data-testid="group-id">{group.group_id.clone()}</p>
                </div>
                <button type="button" class=TEXT_BUTTON on:click=move |_| { browser::copy_to_clipboard(&gid); copied.set(true); }>
                    <span class="inline-flex items-center gap-1.5"><IconCopy class="h-4 w-4"/>{move || if copied.get() { "Copied" } else { "Copy" }}</span>
                </button>
            </div>
            <label class="flex cursor-pointer items-center justify-between gap-3 px-4 py-3.5">
                <span>"Mute notifications"</span>
                <input type="checkbox" class="h-5 w-5 accent-indigo-600" prop:checked=move || muted.get()
                    on:change=move |ev| {
                        let want = event_target_checked(&ev);
                        muted.set(want);
                        run(version, error, set_muted(chat_id.get_value(), want));
                    }/>
            </label>
        </div>

        {section_title("Members")}
        {admin.then(|| view! { <AddMember chat_id=chat_id.get_value() version/> })}
        <ul class=format!("{CARD} divide-y divide-slate-200 dark:divide-slate-800") aria-label="Members">
            {members.into_iter().map(|m| {
                let is_me = same_user_id(&m.person.user_id, &me);
                view! { <MemberRow member=m is_me my_role=group.my_role chat_id=chat_id.get_value() version error/> }
            }).collect_view()}
        </ul>

        {admin.then(|| view! { <InviteLinks chat_id=chat_id.get_value()/> })}

        {section_title("Leave")}
        <div class=format!("{CARD} divide-y divide-slate-200 dark:divide-slate-800")>
            <button type="button" class="w-full px-4 py-3.5 text-left font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-rose-950/30"
                on:click=move |_| confirm.set(Some("leave"))>"Leave group"</button>
            {owner.then(|| view! {
                <button type="button" class="w-full px-4 py-3.5 text-left font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-rose-950/30"
                    on:click=move |_| confirm.set(Some("delete"))>"Delete group"</button>
            })}
        </div>
        {move || editing.get().then(|| view! {
            <EditGroup group=group.clone() chat_id=chat_id.get_value() version on_close=Callback::new(move |_| editing.set(false))/>
        })}
        {move || confirm.get().map(|what| {
            let (title, text, button) = if what == "delete" {
                ("Delete this group?", "The group and all its messages are deleted for every member. This can’t be undone.", "Delete group")
            } else {
                ("Leave this group?", "You won’t get its messages any more. You can join again by invitation (or by its ID if it is public).", "Leave")
            };
            view! {
                <Sheet title on_close=Callback::new(move |_| confirm.set(None))>
                    <p class="text-sm text-slate-600 dark:text-slate-400">{text}</p>
                    <div class="mt-5 flex justify-end gap-2">
                        <button type="button" on:click=move |_| confirm.set(None)
                            class="rounded-xl px-4 py-2 font-semibold text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">"Cancel"</button>
                        <button type="button" on:click=move |_| { confirm.set(None); leave_or_delete.with_value(|f| f(what)); }
                            class="rounded-xl bg-rose-600 px-4 py-2 font-semibold text-white hover:bg-rose-500">{button}</button>
                    </div>
                </Sheet>
            }
        })}
    }
    .into_any()
}

fn role_rank(role: Role) -> u8 {
    match role {
        Role::Owner => 0,
        Role::Admin => 1,
        Role::Member => 2,
    }
}

#[component]
fn MemberRow(member: MemberView, is_me: bool, my_role: Role, chat_id: String, version: RwSignal<u32>, error: RwSignal<Option<AppError>>) -> impl IntoView {
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
fn AddMember(chat_id: String, version: RwSignal<u32>) -> impl IntoView {
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

#[component]
fn EditGroup(group: GroupInfo, chat_id: String, version: RwSignal<u32>, on_close: Callback<()>) -> impl IntoView {
    let name = RwSignal::new(group.name.clone());
    let description = RwSignal::new(group.description.clone());
    let public = RwSignal::new(group.public);
    let error = RwSignal::new(None::<AppError>);
    let chat = StoredValue::new(chat_id);
    let save = Action::new(move |(n, d, p): &(String, String, bool)| edit_group(chat.get_value(), n.clone(), d.clone(), *p));
    Effect::new(move |_| match save.value().get() {
        Some(Ok(())) => {
            version.update(|v| *v += 1);
            on_close.run(());
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    view! {
        <Sheet title="Edit group" on_close>
            <form class="space-y-4" aria-label="Edit group"
                on:submit=move |ev| { ev.prevent_default(); error.set(None); save.dispatch((name.get_untracked(), description.get_untracked(), public.get_untracked())); }>
                <Field label="Group name" name="name" kind="text" value=name error/>
                <DescriptionField value=description error/>
                <PublicToggle public/>
                <FormError error fields=&["name", "description"]/>
                <SubmitButton label="Save" pending=save.pending()/>
            </form>
        </Sheet>
    }
    .into_any()
}

#[component]
fn InviteLinks(chat_id: String) -> impl IntoView {
    let chat = StoredValue::new(chat_id);
    let version = RwSignal::new(0u32);
    let links = Resource::new(move || version.get(), move |_| list_invites(chat.get_value()));
    let expiry = RwSignal::new(String::new());
    let uses = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let create = Action::new(move |(e, u): &(Option<u32>, Option<u32>)| create_invite(chat.get_value(), *e, *u));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(link)) => {
            browser::copy_to_clipboard(&full_link(&link));
            version.update(|v| *v += 1);
        }
        Some(Err(e)) => error.set(Some(e)),
        None => {}
    });
    let select = "rounded-lg border border-slate-300 bg-white px-2 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950";
    view! {
        {section_title("Invite links")}
        <div class=format!("{CARD} divide-y divide-slate-200 dark:divide-slate-800")>
            <form class="flex flex-wrap items-center gap-2 px-4 py-3" aria-label="Create an invite link"
                on:submit=move |ev| {
                    ev.prevent_default();
                    error.set(None);
                    create.dispatch((expiry.get_untracked().parse().ok(), uses.get_untracked().parse().ok()));
                }>
                <label class="sr-only" for="invite-expiry">"Expires"</label>
                <select id="invite-expiry" class=select on:change=move |ev| expiry.set(event_target_value(&ev))>
                    <option value="">"Never expires"</option>
                    <option value="1">"Expires in 1 hour"</option>
                    <option value="24">"Expires in 1 day"</option>
                    <option value="168">"Expires in 7 days"</option>
                </select>
                <label class="sr-only" for="invite-uses">"Uses"</label>
                <select id="invite-uses" class=select on:change=move |ev| uses.set(event_target_value(&ev))>
                    <option value="">"Unlimited uses"</option>
                    <option value="1">"1 use"</option>
                    <option value="10">"10 uses"</option>
                    <option value="100">"100 uses"</option>
                </select>
                <button type="submit" disabled=move || create.pending().get()
                    class="ml-auto inline-flex items-center gap-1.5 rounded-xl bg-indigo-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">
                    <IconLink class="h-4 w-4"/>"Create link"
                </button>
            </form>
            <p class="px-4 text-sm text-rose-600 empty:hidden dark:text-rose-400" role="alert">{move || error.get().map(|e| e.to_string())}</p>
            <Transition fallback=|| ()>
                {move || links.get().map(|r| match r {
                    Ok(list) if list.is_empty() => view! {
                        <p class="px-4 py-3.5 text-sm text-slate-500 dark:text-slate-400">"No invite links yet. Anyone with a link can join until it expires or is revoked."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul aria-label="Invite links">
                            {list.into_iter().map(|link| view! { <InviteRow link chat=chat.get_value() version/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="px-4 py-3.5 text-sm text-rose-600">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
    .into_any()
}

fn full_link(link: &InviteLinkView) -> String {
    format!("{}{}", browser::origin(), link.path)
}

#[component]
fn InviteRow(link: InviteLinkView, chat: String, version: RwSignal<u32>) -> impl IntoView {
    let ready = client_ready();
    let copied = RwSignal::new(false);
    let shown = {
        let link = link.clone();
        move || if ready.get() { full_link(&link) } else { link.path.clone() }
    };
    let path = StoredValue::new(link.path.clone());
    let token = StoredValue::new(link.token.clone());
    let chat = StoredValue::new(chat);
    let uses = match link.max_uses {
        Some(max) => format!("{} of {max} uses", link.uses),
        None => format!("{} uses", link.uses),
    };
    view! {
        <li class="px-4 py-3" data-testid="invite-link">
            <p class="truncate font-mono text-sm" data-testid="invite-url">{shown}</p>
            <p class="mt-0.5 text-xs text-slate-500 dark:text-slate-400">
                {uses}
                {link.expires_at.map(|at| view! { " · expires " <Time at style=TimeStyle::Full/> })}
            </p>
            <div class="mt-1.5 flex gap-2">
                <button type="button" class=TEXT_BUTTON on:click=move |_| {
                    browser::copy_to_clipboard(&format!("{}{}", browser::origin(), path.get_value()));
                    copied.set(true);
                }>{move || if copied.get() { "Copied" } else { "Copy link" }}</button>
                <button type="button" class="rounded-lg px-3 py-1.5 text-sm font-medium text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-slate-800"
                    on:click=move |_| {
                        let (c, t) = (chat.get_value(), token.get_value());
                        spawn_local(async move {
                            if revoke_invite(c, t).await.is_ok() {
                                version.update(|v| *v += 1);
                            }
                        });
                    }>"Revoke"</button>
            </div>
        </li>
    }
    .into_any()
}
