//! The conversation pane at /chats/:id: header, message request banner, the messages and the
//! composer. `?at=<seq>` opens the chat around that message and highlights it (search hits,
//! quoted replies that are not loaded yet).
mod actions;
mod attachments;
mod bubble;
mod composer;
mod history;
mod live;
mod pending;
mod seen_by;
pub mod state;
mod voice;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    accounts::api::current_user,
    chats::{
        api::{answer_request, open_chat, set_calls_off, set_muted},
        types::{ChatDetail, ChatKind, Presence, RequestState},
    },
    components::{
        avatar::Avatar,
        loaded::Loaded,
        icons::{IconBack, IconBell, IconInfo, IconMuted, IconPhoneOff},
        time::{client_ready, last_seen},
    },
    error::AppError,
    pages::chat_list::ChatListRefresh,
    realtime::client::{TypingIndicator, use_realtime},
};
use state::ConvState;
use crate::pages::call::CallButtons;

#[component]
pub fn Conversation() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = Memo::new(move |_| params.read().get("id").unwrap_or_default());
    let at = Memo::new(move |_| query.read().get("at").and_then(|s| s.parse::<i64>().ok()));
    let data = Resource::new(
        move || (id.get(), at.get()),
        |(id, at)| async move {
            let me = current_user().await?.map(|u| u.user_id).unwrap_or_default();
            let detail = open_chat(id, at).await?;
            Ok::<_, AppError>((detail, me))
        },
    );
    view! {
        <Suspense fallback=|| view! { <Title text="Chat"/><Loading/> }>
            {move || data.get().map(|result| match result {
                Ok((detail, me)) => {
                    let at = at.get_untracked();
                    Loaded(move || view! { <ConversationView detail me at/> }).into_any()
                }
                Err(AppError::NotFound | AppError::Forbidden) => view! { <Unavailable id=id.get_untracked()/> }.into_any(),
                Err(e) => view! { <Unavailable id=id.get_untracked() error=e.to_string()/> }.into_any(),
            })}
        </Suspense>
    }
    .into_any()
}

/// The header's calls button while calls are off: tinted, so the state shows at a glance.
const CALLS_OFF_BUTTON: &str = "rounded-full p-2 bg-rose-50 text-rose-600 hover:bg-rose-100 dark:bg-rose-950/40 dark:text-rose-400 dark:hover:bg-rose-950/60";

fn header_button() -> &'static str {
    "rounded-full p-2 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
}

#[component]
fn Loading() -> impl IntoView {
    view! {
        <header class="flex h-16 items-center gap-3 border-b border-slate-200 px-3 dark:border-slate-800">
            <a href="/chats" class=format!("{} md:hidden", header_button()) aria-label="Back to chats"><IconBack/></a>
            <span class="h-10 w-10 animate-pulse rounded-full bg-slate-200 dark:bg-slate-800"></span>
            <span class="h-4 w-40 animate-pulse rounded bg-slate-200 dark:bg-slate-800"></span>
        </header>
        <div class="flex-1 bg-slate-100 dark:bg-slate-900/60"></div>
    }
    .into_any()
}

#[component]
fn Unavailable(id: String, #[prop(optional)] error: Option<String>) -> impl IntoView {
    view! {
        <Title text="Chat"/>
        <header class="flex h-16 items-center gap-2 border-b border-slate-200 px-3 dark:border-slate-800">
            <a href="/chats" class=format!("{} md:hidden", header_button()) aria-label="Back to chats"><IconBack/></a>
            <h1 class="px-2 font-semibold">"Conversation"</h1>
        </header>
        <div class="flex flex-1 flex-col items-center justify-center gap-2 px-8 text-center">
            <h2 class="font-semibold">"This conversation isn’t available"</h2>
            <p class="text-sm text-slate-500 dark:text-slate-400">
                {error.unwrap_or_else(|| format!("Nothing here for “{id}”. It may have been deleted, or you may not be a member."))}
            </p>
        </div>
    }
    .into_any()
}

#[component]
fn ConversationView(detail: ChatDetail, me: String, at: Option<i64>) -> impl IntoView {
    let state = ConvState::new(&detail, me);
    provide_context(state);
    attachments::provide_viewer();
    live::follow(state, &detail);
    let request = RwSignal::new(detail.request);
    let muted = RwSignal::new(detail.muted);
    let calls_off = RwSignal::new(detail.calls_off);
    if let Some(ChatListRefresh(list)) = use_context::<ChatListRefresh>() {
        Effect::new(move |prev: Option<u32>| {
            let now = state.changed.get();
            if prev.is_some_and(|p| p != now) {
                list.update(|v| *v += 1);
            }
            now
        });
    }
    let kind = detail.kind;
    let peer_name = detail.peer.as_ref().map(|p| p.display_name.clone()).unwrap_or_else(|| detail.title.clone());
    view! {
        <Title text=detail.title.clone()/>
        <Header detail=detail.clone() muted calls_off/>
        <RequestBanner request peer_name/>
        <history::MessageList kind peer_read_seq=detail.peer_read_seq at/>
        <actions::ActionMenu/>
        <attachments::PictureViewer/>
        <TypingIndicator chat_id=detail.id.clone()/>
        <Show when=move || matches!(request.get(), RequestState::None | RequestState::Outgoing)>
            <composer::Composer/>
        </Show>
    }
    .into_any()
}

#[component]
fn Header(detail: ChatDetail, muted: RwSignal<bool>, calls_off: RwSignal<bool>) -> impl IntoView {
    let ready = client_ready();
    let chat_id = detail.id.clone();
    let (link, link_label) = match (&detail.kind, &detail.peer) {
        (ChatKind::Direct, Some(p)) => (format!("/profile/{}", p.user_id), "View profile"),
        _ => (format!("/chats/{}/info", detail.id), "Group info"),
    };
    // What the page loaded, then what the socket says.
    let loaded = detail.peer_presence;
    let peer_id = StoredValue::new(detail.peer.as_ref().map(|p| p.user_id.clone()));
    let realtime = use_realtime();
    let presence = move || {
        let live = peer_id.with_value(|id| id.as_ref().and_then(|id| realtime.and_then(|r| r.presence.with(|p| p.get(id).copied()))));
        live.or(loaded)
    };
    let online = move || presence() == Some(Presence::Online);
    let subtitle = {
        let group = detail.group.clone();
        move || match (&group, presence()) {
            (Some(g), _) => Some(match g.member_count {
                1 => "1 member".to_string(),
                n => format!("{n} members"),
            }),
            (None, Some(Presence::Online)) => Some("online".into()),
            (None, Some(Presence::LastSeen { at })) => ready.get().then(|| last_seen(at)),
            _ => None,
        }
    };
    let toggle_mute = Action::new({
        let chat_id = chat_id.clone();
        move |want: &bool| {
            let (chat, want) = (chat_id.clone(), *want);
            async move { set_muted(chat, want).await.map(|_| want) }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(now)) = toggle_mute.value().get() {
            muted.set(now);
        }
    });
    // Muting silences messages only; calls ring until they are turned off here.
    let toggle_calls = Action::new(move |want: &bool| {
        let (chat, want) = (chat_id.clone(), *want);
        async move { set_calls_off(chat, want).await.map(|_| want) }
    });
    Effect::new(move |_| {
        if let Some(Ok(now)) = toggle_calls.value().get() {
            calls_off.set(now);
        }
    });
    view! {
        <header class="flex h-16 shrink-0 items-center gap-1 border-b border-slate-200 bg-white/90 px-2 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
            <a href="/chats" class=format!("{} md:hidden", header_button()) aria-label="Back to chats"><IconBack/></a>
            <a href=link.clone() class="flex min-w-0 flex-1 items-center gap-3 rounded-xl px-2 py-1 hover:bg-slate-50 dark:hover:bg-slate-900" aria-label=link_label>
                {let title = detail.title.clone(); move || view! { <Avatar name=title.clone() online=online()/> }}
                <span class="min-w-0">
                    <h1 class="truncate leading-tight font-semibold" data-testid="conversation-title">{detail.title.clone()}</h1>
                    <p class=move || format!("truncate text-xs {}", if online() { "text-emerald-600 dark:text-emerald-400" } else { "text-slate-500 dark:text-slate-400" })
                        data-testid="chat-subtitle">{subtitle}</p>
                </span>
            </a>
            {(detail.kind == ChatKind::Direct).then(|| view! { <CallButtons chat_id=detail.id.clone() peer_name=detail.title.clone()/> })}
            <button type="button" class=header_button()
                aria-label=move || if muted.get() { "Unmute" } else { "Mute" }
                aria-pressed=move || muted.get().to_string()
                on:click=move |_| { toggle_mute.dispatch(!muted.get_untracked()); }>
                {move || if muted.get() { view! { <IconMuted/> }.into_any() } else { view! { <IconBell/> }.into_any() }}
            </button>
            {(detail.kind == ChatKind::Direct).then(|| view! {
                <button type="button"
                    class=move || if calls_off.get() { CALLS_OFF_BUTTON } else { header_button() }
                    aria-label=move || if calls_off.get() { "Allow calls" } else { "Turn calls off" }
                    title=move || if calls_off.get() { "Calls are off in this chat" } else { "Turn calls off in this chat" }
                    aria-pressed=move || calls_off.get().to_string()
                    on:click=move |_| { toggle_calls.dispatch(!calls_off.get_untracked()); }>
                    <IconPhoneOff/>
                </button>
            })}
            <a href=link class=header_button() aria-label=link_label><IconInfo/></a>
        </header>
    }
    .into_any()
}

#[component]
fn RequestBanner(request: RwSignal<RequestState>, peer_name: String) -> impl IntoView {
    let state = expect_context::<ConvState>();
    let answer = Action::new(move |accept: &bool| {
        let (chat, accept) = (state.chat_id.get_value(), *accept);
        async move { answer_request(chat, accept).await.map(|_| accept) }
    });
    Effect::new(move |_| match answer.value().get() {
        Some(Ok(true)) => {
            request.set(RequestState::None);
            state.changed.update(|v| *v += 1);
        }
        Some(Ok(false)) => {
            state.changed.update(|v| *v += 1);
            crate::browser::go_to("/chats");
        }
        _ => {}
    });
    let error = move || answer.value().get().and_then(|r| r.err()).map(|e| e.to_string());
    let name = StoredValue::new(peer_name);
    view! {
        {move || match request.get() {
            // An invitee cannot open the group before accepting (the chat list answers it).
            RequestState::None | RequestState::Invited => None,
            RequestState::Incoming => Some(view! {
                <div class="border-b border-amber-200 bg-amber-50 px-4 py-3 text-sm dark:border-amber-900/60 dark:bg-amber-950/40" role="region" aria-label="Message request">
                    <p class="font-medium">{format!("{} wants to message you", name.get_value())}</p>
                    <p class="mt-0.5 text-slate-600 dark:text-slate-400">"They are not in your contacts. Accept to reply; decline and they can’t message you again."</p>
                    <div class="mt-2.5 flex gap-2">
                        <button type="button" on:click=move |_| { answer.dispatch(true); } disabled=move || answer.pending().get()
                            class="rounded-lg bg-indigo-600 px-4 py-1.5 font-semibold text-white hover:bg-indigo-500 disabled:opacity-60">"Accept"</button>
                        <button type="button" on:click=move |_| { answer.dispatch(false); } disabled=move || answer.pending().get()
                            class="rounded-lg border border-slate-300 px-4 py-1.5 font-semibold text-slate-700 hover:bg-white disabled:opacity-60 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-900">"Decline"</button>
                    </div>
                    <p class="mt-2 text-rose-600" role="alert">{error}</p>
                </div>
            }.into_any()),
            RequestState::Outgoing => Some(view! {
                <p class="border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-center text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400" role="status">
                    {format!("Message request sent. {} will see your messages once they accept.", name.get_value())}
                </p>
            }.into_any()),
            RequestState::Declined => Some(view! {
                <p class="border-b border-slate-200 bg-slate-50 px-4 py-2.5 text-center text-sm text-slate-600 dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400" role="status">
                    {format!("{} declined your message request. You can’t send messages to this chat.", name.get_value())}
                </p>
            }.into_any()),
        }}
    }
    .into_any()
}
