//! Group info at /chats/:id/info: what the group is, who is in it and with which role, and what
//! owners and admins may change (details, members, roles, invite links), plus leaving and
//! deleting. The server decides every permission; the page only hides what the viewer can't do.
mod edit;
mod invites;
mod members;

use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_params_map};

use crate::{
    accounts::api::current_user,
    browser,
    chats::{
        api::{delete_group, leave_group, open_chat, set_muted},
        types::{ChatDetail, GroupInfo, Role},
    },
    components::{
        avatar::Avatar,
        icons::{IconBack, IconCopy},
        sheet::Sheet,
    },
    error::AppError,
    pages::{chat_list::ChatListRefresh, conversation::state::same_user_id},
};
use edit::EditGroup;
use invites::InviteLinks;
use members::{AddMember, MemberRow, role_rank};


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
