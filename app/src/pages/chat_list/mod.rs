//! The chat list and the pane beside it: side by side on a desktop, one at a time on a phone.
//! Rows are sorted by last activity; incoming message requests wait in their own section; the
//! search box above turns the list into results.
mod invitation;
mod live;
pub mod new_chat;
mod search;

use leptos::prelude::*;

use crate::realtime::{
    client::use_realtime,
    protocol::ServerFrame,
};
use leptos_meta::Title;
use leptos_router::{components::Outlet, hooks::use_location};

use crate::{
    chats::{
        api::{list_chats, unseen_invitations},
        types::{ChatKind, ChatSummary, RequestState},
    },
    components::{
        avatar::avatar,
        brand::Logo,
        icons::{IconBack, IconChat, IconMuted, IconPlus, IconSearch, IconSettings, IconShuffle, IconUsers, IconX},
        loaded::Loaded,
        passkeys::PasskeyOffer,
        time::{TimeStyle, time},
    },
};

/// Bumped when something the chat list shows has changed (a send, reading, a new group).
#[derive(Clone, Copy)]
pub struct ChatListRefresh(pub RwSignal<u32>);

impl ChatListRefresh {
    pub fn bump() {
        if let Some(ChatListRefresh(v)) = use_context::<ChatListRefresh>() {
            v.update(|n| *n += 1);
        }
    }
}

#[component]
pub fn ChatsLayout() -> impl IntoView {
    let refresh = RwSignal::new(0);
    provide_context(ChatListRefresh(refresh));
    let location = use_location();
    // On a phone the list is the page at /chats and the conversation is the page at /chats/:id.
    let in_conversation = move || location.pathname.get().trim_end_matches('/') != "/chats";
    view! {
        <div class="flex h-dvh overflow-hidden">
            <aside class=move || format!(
                    "relative w-full flex-col border-slate-200 md:flex md:w-80 md:border-r lg:w-96 dark:border-slate-800 {}",
                    if in_conversation() { "hidden" } else { "flex" })
                aria-label="Chats">
                <ChatListPane/>
            </aside>
            <section class=move || format!("min-w-0 flex-1 flex-col md:flex {}",
                    if in_conversation() { "flex" } else { "hidden" })>
                <Outlet/>
            </section>
        </div>
    }
    .into_any()
}

/// What a row says under the chat's name.
pub fn preview(chat: &ChatSummary) -> String {
    match (&chat.last_message, chat.request) {
        (_, RequestState::Declined) => "Message request declined".into(),
        (_, RequestState::Invited) => {
            format!("{} invited you to this group", chat.invited_by.as_ref().map_or("Someone", |p| p.display_name.as_str()))
        }
        (None, RequestState::Outgoing) => "Message request sent".into(),
        (None, _) if chat.kind == ChatKind::Group => "No messages yet".into(),
        (None, _) => "Say hello".into(),
        (Some(m), _) if m.sender_is_me => format!("You: {}", m.excerpt),
        (Some(m), _) => match (&m.sender, chat.kind) {
            (Some(sender), ChatKind::Group) => format!("{sender}: {}", m.excerpt),
            _ => m.excerpt.clone(),
        },
    }
}

/// Newest activity first, in the same order as the server's list.
pub fn sort_chats(list: &mut [ChatSummary]) {
    list.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then_with(|| b.activity_key().cmp(a.activity_key())));
}

const ICON_BUTTON: &str = "relative rounded-full p-2 text-slate-500 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-800";

#[component]
fn ChatListPane() -> impl IntoView {
    let ChatListRefresh(refresh) = expect_context::<ChatListRefresh>();
    let location = use_location();
    // The chat open beside the list: one memo for every row, instead of each row reading the path.
    let active = Memo::new(move |_| {
        location.pathname.with(|path| path.strip_prefix("/chats/").map(|rest| rest.split('/').next().unwrap_or("").to_owned()))
    });
    let chats = Resource::new(move || (refresh.get(), location.pathname.get()), |_| list_chats());
    // The fetched list, then kept current by live frames (in the browser).
    let rows = RwSignal::new(None::<Vec<ChatSummary>>);
    Effect::new(move |_| {
        if let Some(Ok(list)) = chats.get() {
            rows.set(Some(list));
        }
    });
    if let Some(realtime) = use_realtime() {
        realtime.subscribe(move |frame| {
            let me = realtime.me().unwrap_or_default();
            let open = active.get_untracked();
            let mut refetch = false;
            rows.update(|rows| match rows {
                Some(list) => refetch = live::apply(list, frame, &me, open.as_deref()) == live::Patched::Refetch,
                None => refetch = matches!(frame, ServerFrame::Synced { .. }),
            });
            if refetch {
                refresh.update(|n| *n += 1);
            }
        });
    }
    let invitations = Resource::new(move || location.pathname.get(), |_| unseen_invitations());
    let query = RwSignal::new(String::new());
    let show_requests = RwSignal::new(false);
    let new_chat = RwSignal::new(false);

    view! {
        <header class="flex items-center gap-1 px-4 pt-4 pb-3">
            <Logo class="h-8 w-8"/>
            <h1 class="ml-2 flex-1 text-xl font-semibold tracking-tight">"Chats"</h1>
            // Its own page with its own socket: a full load hands the socket over.
            <a href="/strangers" rel="external" class=ICON_BUTTON aria-label="Talk to a stranger" title="Talk to a stranger"><IconShuffle/></a>
            <a href="/contacts" class=ICON_BUTTON aria-label="Contacts">
                <IconUsers/>
                <Transition fallback=|| ()>
                    {move || invitations.get().and_then(Result::ok).filter(|n| *n > 0).map(|n| view! {
                        <span class="absolute -top-0.5 -right-0.5 flex h-5 min-w-5 items-center justify-center rounded-full bg-rose-500 px-1 text-[11px] font-bold text-white"
                            data-testid="invitations-badge" aria-label=format!("{n} new invitations")>{n}</span>
                    })}
                </Transition>
            </a>
            <a href="/settings" class=ICON_BUTTON aria-label="Settings"><IconSettings/></a>
        </header>
        <div class="px-4 pb-2">
            <label class="flex items-center gap-2 rounded-xl bg-slate-100 px-3 py-2 text-slate-500 focus-within:ring-2 focus-within:ring-indigo-500/30 dark:bg-slate-900 dark:text-slate-400">
                <IconSearch class="h-4 w-4"/>
                <span class="sr-only">"Search"</span>
                <input type="search" placeholder="Search people, chats and messages"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                    on:keydown=move |ev| if ev.key() == "Escape" { query.set(String::new()) }
                    class="w-full bg-transparent text-base text-slate-900 outline-none placeholder:text-slate-400 sm:text-sm dark:text-slate-100 [&::-webkit-search-cancel-button]:appearance-none"/>
                <Show when=move || !query.get().is_empty()>
                    <button type="button" aria-label="Clear search" on:click=move |_| query.set(String::new())
                        class="rounded-full p-0.5 hover:bg-slate-200 dark:hover:bg-slate-800"><IconX class="h-4 w-4"/></button>
                </Show>
            </label>
        </div>
        <div class="min-h-0 flex-1 overflow-y-auto pb-24">
            <PasskeyOffer/>
            <Show when=move || query.get().trim().is_empty()
                fallback=move || view! { <search::SearchResultsPanel query/> }>
                <Transition fallback=|| view! { <ListSkeleton/> }>
                    {move || chats.get().map(|result| match result {
                        Ok(fetched) => {
                            let mut list = rows.get().unwrap_or(fetched);
                            sort_chats(&mut list);
                            let (requests, normal): (Vec<_>, Vec<_>) = list.into_iter().partition(|c| matches!(c.request, RequestState::Incoming | RequestState::Invited));
                            Loaded(move || view! { <ChatRows requests normal show_requests active/> }).into_any()
                        }
                        Err(e) => view! { <p class="px-6 py-4 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
                    })}
                </Transition>
            </Show>
        </div>
        <button type="button" on:click=move |_| new_chat.set(true) aria-label="New chat"
            class="absolute right-5 bottom-[max(1.25rem,env(safe-area-inset-bottom))] z-10 flex h-14 items-center gap-2 rounded-2xl bg-indigo-600 px-5 font-semibold text-white shadow-lg shadow-indigo-600/30 hover:bg-indigo-500 focus:outline-none focus:ring-4 focus:ring-indigo-500/40">
            <IconPlus/> <span>"New chat"</span>
        </button>
        <Show when=move || new_chat.get()>
            <new_chat::NewChatSheet on_close=Callback::new(move |_| new_chat.set(false))/>
        </Show>
    }
    .into_any()
}

#[component]
fn ListSkeleton() -> impl IntoView {
    view! {
        <ul class="px-2" aria-hidden="true">
            {(0..5).map(|_| view! {
                <li class="flex items-center gap-3 px-3 py-3">
                    <span class="h-12 w-12 animate-pulse rounded-full bg-slate-200 dark:bg-slate-800"></span>
                    <span class="flex-1 space-y-2">
                        <span class="block h-3.5 w-1/2 animate-pulse rounded bg-slate-200 dark:bg-slate-800"></span>
                        <span class="block h-3 w-3/4 animate-pulse rounded bg-slate-100 dark:bg-slate-800/60"></span>
                    </span>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn ChatRows(
    requests: Vec<ChatSummary>,
    normal: Vec<ChatSummary>,
    show_requests: RwSignal<bool>,
    active: Memo<Option<String>>,
) -> impl IntoView {
    let request_count = requests.len();
    let nothing = requests.is_empty() && normal.is_empty();
    let requests = StoredValue::new(requests);
    let normal = StoredValue::new(normal);
    view! {
        {move || if show_requests.get() {
            view! {
                <div class="flex items-center gap-2 px-2 pb-1">
                    <button type="button" on:click=move |_| show_requests.set(false) aria-label="Back to chats"
                        class="rounded-full p-2 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"><IconBack/></button>
                    <h2 class="font-semibold">"Message requests"</h2>
                </div>
                <p class="px-5 pb-2 text-xs text-slate-500 dark:text-slate-400">
                    "Messages and group invitations from people who aren’t your contacts. They won’t know you’ve seen a message until you accept."
                </p>
                <ul aria-label="Message requests">
                    {requests.get_value().into_iter().map(|chat| if chat.request == RequestState::Invited {
                        invitation::invitation_row(chat).into_any()
                    } else {
                        chat_row(chat, active).into_any()
                    }).collect_view()}
                </ul>
            }.into_any()
        } else if nothing {
            view! {
                <div class="flex flex-col items-center justify-center gap-3 px-8 pt-16 text-center">
                    <span class="rounded-full bg-indigo-50 p-4 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300">
                        <IconChat class="h-7 w-7"/>
                    </span>
                    <h2 class="font-semibold">"No conversations yet"</h2>
                    <p class="text-sm text-slate-500 dark:text-slate-400">
                        "Find someone by username, user ID or phone number and say hello."
                    </p>
                </div>
            }.into_any()
        } else {
            view! {
                {(request_count > 0).then(|| view! {
                    <button type="button" on:click=move |_| show_requests.set(true)
                        class="mx-2 mb-1 flex w-[calc(100%-1rem)] items-center gap-3 rounded-xl px-3 py-2.5 text-left hover:bg-slate-50 dark:hover:bg-slate-900">
                        <span class="flex h-12 w-12 items-center justify-center rounded-full bg-amber-100 text-amber-700 dark:bg-amber-950 dark:text-amber-300">
                            <IconChat/>
                        </span>
                        <span class="flex-1 font-semibold">"Message requests"</span>
                        <span class="flex h-5 min-w-5 items-center justify-center rounded-full bg-amber-500 px-1.5 text-xs font-bold text-white"
                            data-testid="requests-count">{request_count}</span>
                    </button>
                })}
                <ul aria-label="Conversations">
                    {normal.get_value().into_iter().map(|chat| chat_row(chat, active)).collect_view()}
                </ul>
            }.into_any()
        }}
    }
    .into_any()
}

/// One row of the list (a plain function, not a component: the list renders dozens of them and
/// needs no props builder or owner per row).
fn chat_row(chat: ChatSummary, active: Memo<Option<String>>) -> impl IntoView {
    // One closure per attribute that follows the open chat (each owns its copy of the id).
    let is_open = |id: String| move || active.with(|open| open.as_deref() == Some(id.as_str()));
    let (open_for_aria, open_for_class) = (is_open(chat.id.clone()), is_open(chat.id.clone()));
    let unread = chat.unread;
    let text = preview(&chat);
    let at = chat.last_message.as_ref().map_or(chat.updated_at, |m| m.created_at);
    let time_class = if unread > 0 && !chat.muted {
        "shrink-0 text-xs font-medium text-indigo-600 dark:text-indigo-400"
    } else {
        "shrink-0 text-xs text-slate-500 dark:text-slate-400"
    };
    view! {
        <li>
            <a href=format!("/chats/{}", chat.id) data-testid="chat-row" data-chat-id=chat.id.clone()
                aria-current=move || open_for_aria().then_some("page")
                class=move || format!("mx-2 flex items-center gap-3 rounded-xl px-3 py-2.5 {}",
                    if open_for_class() { "bg-indigo-50 dark:bg-indigo-950/50" } else { "hover:bg-slate-50 dark:hover:bg-slate-900" })>
                {avatar(chat.title.clone(), "h-12 w-12 text-base", Signal::stored(chat.peer_online))}
                <span class="min-w-0 flex-1">
                    <span class="flex items-baseline justify-between gap-2">
                        <span class="truncate font-semibold" data-testid="chat-title">{chat.title.clone()}</span>
                        {time(at, TimeStyle::List, time_class)}
                    </span>
                    <span class="mt-0.5 flex items-center justify-between gap-2">
                        <span class=format!("truncate text-sm {}", if unread > 0 { "text-slate-700 dark:text-slate-300" } else { "text-slate-500 dark:text-slate-400" })
                            data-testid="chat-preview">{text}</span>
                        <span class="flex shrink-0 items-center gap-1">
                            {chat.muted.then(|| view! { <span class="text-slate-400" aria-label="Muted" data-testid="muted"><IconMuted class="h-4 w-4"/></span> })}
                            {(unread > 0).then(|| view! {
                                <span class=format!("flex h-5 min-w-5 items-center justify-center rounded-full px-1.5 text-xs font-bold text-white {}",
                                        if chat.muted { "bg-slate-400 dark:bg-slate-600" } else { "bg-indigo-600" })
                                    data-testid="unread" aria-label=format!("{unread} unread")>{unread}</span>
                            })}
                        </span>
                    </span>
                </span>
            </a>
        </li>
    }
    .into_any()
}

/// The conversation pane on a desktop before a chat is picked.
#[component]
pub fn NoChatSelected() -> impl IntoView {
    view! {
        <Title text="Chats"/>
        <div class="flex flex-1 flex-col items-center justify-center gap-2 bg-slate-50 text-center dark:bg-slate-900/40">
            <Logo class="h-12 w-12 opacity-80"/>
            <p class="text-sm text-slate-500 dark:text-slate-400">"Pick a chat to start messaging."</p>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chats::types::LastMessage;

    fn chat(kind: ChatKind, last: Option<(Option<&str>, bool, &str)>, at: i64) -> ChatSummary {
        ChatSummary {
            id: format!("c{at}"),
            kind,
            title: "T".into(),
            peer: None,
            peer_online: false,
            last_message: last.map(|(sender, me, text)| LastMessage {
                id: format!("m{at}"),
                seq: 1,
                sender: sender.map(Into::into),
                sender_is_me: me,
                excerpt: text.into(),
                created_at: at,
            }),
            unread: 0,
            muted: false,
            request: RequestState::None,
            updated_at: at,
            invited_by: None,
        }
    }

    #[test]
    fn previews_name_the_sender_where_it_helps() {
        assert_eq!(preview(&chat(ChatKind::Direct, Some((None, true, "hi")), 1)), "You: hi");
        assert_eq!(preview(&chat(ChatKind::Direct, Some((None, false, "hi")), 1)), "hi");
        assert_eq!(preview(&chat(ChatKind::Group, Some((Some("Ada"), false, "hi")), 1)), "Ada: hi");
        assert_eq!(preview(&chat(ChatKind::Group, Some((Some("Me"), true, "hi")), 1)), "You: hi");
        assert_eq!(preview(&chat(ChatKind::Group, None, 1)), "No messages yet");
    }

    #[test]
    fn chats_sort_newest_first() {
        let mut list = vec![chat(ChatKind::Direct, None, 5), chat(ChatKind::Direct, None, 9), chat(ChatKind::Group, None, 7)];
        sort_chats(&mut list);
        assert_eq!(list.iter().map(|c| c.updated_at).collect::<Vec<_>>(), vec![9, 7, 5]);
    }

    #[test]
    fn chats_active_in_the_same_second_sort_by_their_latest_id_like_the_server() {
        // Ids begin with their time: the chat whose last message came later goes first, even
        // when the other chat is newer; a chat without messages counts from its creation.
        let with = |id: &str, last: Option<&str>| ChatSummary {
            id: id.into(),
            last_message: last.map(|m| LastMessage { id: m.into(), ..chat(ChatKind::Direct, Some((None, false, "hi")), 5).last_message.unwrap() }),
            ..chat(ChatKind::Direct, None, 5)
        };
        let mut list = vec![with("0a-newer-chat", Some("05-earlier")), with("01-older-chat", Some("07-later")), with("06-empty", None)];
        sort_chats(&mut list);
        assert_eq!(list.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["01-older-chat", "06-empty", "0a-newer-chat"]);
    }
}
