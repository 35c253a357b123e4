//! The conversation with a stranger: header (Next, Stop, ⋯), the messages as plain text, the
//! offer to stay in touch, and the composer — or, once it ended, why and what next.
use leptos::prelude::*;

use super::{
    HEADER_BUTTON, PRIMARY, SECONDARY, ActionError, composer::Composer, report::ReportSheet,
    state::{PendingSend, StrangerState, unsettled},
};
use crate::{
    components::{
        icons::{IconAlert, IconBack, IconBlock, IconClock, IconFlag, IconMore, IconNext, IconShuffle, IconUserPlus},
        sheet::Sheet,
        time::{TimeStyle, client_ready, format_local, time},
    },
    strangers::{
        api::{stranger_block, stranger_stay_in_touch},
        types::{EndReason, StrangerChat, StrangerMessage},
    },
};

#[component]
pub fn Conversation() -> impl IntoView {
    let state = expect_context::<StrangerState>();
    // The screen is rebuilt for each conversation, so its id is fixed here.
    let chat_id = StoredValue::new(state.view.with_untracked(|v| v.chat.as_ref().map(|c| c.id.clone()).unwrap_or_default()));
    let chat = Memo::new(move |_| state.view.with(|v| v.chat.clone().filter(|c| c.id == chat_id.get_value())));
    let ended = Memo::new(move |_| chat.with(|c| c.as_ref().and_then(|c| c.ended)));
    let live = move || chat.with(|c| c.is_some()) && ended.get().is_none();
    view! {
        <Header chat live=Signal::derive(live)/>
        <Messages chat/>
        <Show when=move || state.stranger_typing.get() && live()>
            <p data-testid="stranger-typing" aria-live="polite" class="bg-slate-100 px-4 pb-1 text-xs text-slate-500 italic dark:bg-slate-900/60 dark:text-slate-400">
                "Stranger is typing…"
            </p>
        </Show>
        {move || match ended.get() {
            None => view! { <ContactOffer chat/><Composer/> }.into_any(),
            Some(reason) => view! { <Ended chat reason/> }.into_any(),
        }}
        <Menu chat/>
        <Show when=move || state.report_open.get()>
            <ReportSheet chat_id=chat_id.get_value()/>
        </Show>
    }
    .into_any()
}

/// "You both like: chess, go", or that it is anonymous.
fn subtitle(chat: &StrangerChat) -> String {
    if chat.shared_interests.is_empty() {
        "Anonymous chat".into()
    } else {
        format!("You both like: {}", chat.shared_interests.join(", "))
    }
}

#[component]
fn Header(chat: Memo<Option<StrangerChat>>, live: Signal<bool>) -> impl IntoView {
    let state = expect_context::<StrangerState>();
    const PILL: &str = "flex items-center gap-1.5 rounded-full px-3 py-1.5 text-sm font-semibold disabled:opacity-60";
    view! {
        <header class="flex h-16 shrink-0 items-center gap-1 border-b border-slate-200 bg-white/90 px-2 backdrop-blur dark:border-slate-800 dark:bg-slate-950/90">
            <a href="/chats" rel="external" class=HEADER_BUTTON aria-label="Back to chats"><IconBack/></a>
            <span class="ml-1 flex h-10 w-10 shrink-0 items-center justify-center rounded-full bg-slate-700 text-lg font-semibold text-white dark:bg-slate-600" aria-hidden="true">"?"</span>
            <span class="min-w-0 flex-1 px-2">
                <h1 class="truncate leading-tight font-semibold" data-testid="stranger-title">"Stranger"</h1>
                <p class="truncate text-xs text-slate-500 dark:text-slate-400" data-testid="shared-interests">
                    {move || chat.with(|c| c.as_ref().map(subtitle))}
                </p>
            </span>
            <Show when=move || live.get()>
                <button type="button" class=format!("{PILL} bg-indigo-50 text-indigo-700 hover:bg-indigo-100 dark:bg-indigo-950 dark:text-indigo-300 dark:hover:bg-indigo-900")
                    disabled=move || state.busy.get() on:click=move |_| state.look() title="Leave and meet someone new">
                    <IconNext class="h-4 w-4"/> "Next"
                </button>
                <button type="button" class=format!("{PILL} text-rose-600 hover:bg-rose-50 dark:text-rose-400 dark:hover:bg-rose-950/50")
                    disabled=move || state.busy.get() on:click=move |_| state.leave() title="Leave this chat">
                    "Stop"
                </button>
                <button type="button" class=HEADER_BUTTON aria-label="More options" on:click=move |_| state.menu_open.set(true)>
                    <IconMore/>
                </button>
            </Show>
        </header>
    }
    .into_any()
}

#[component]
fn Messages(chat: Memo<Option<StrangerChat>>) -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let scroller = NodeRef::<leptos::html::Div>::new();
    let messages = Memo::new(move |_| chat.with(|c| c.as_ref().map(|c| c.messages.clone()).unwrap_or_default()));
    let pending = Memo::new(move |_| chat.with(|c| c.as_ref().map(|c| state.pending.with(|p| unsettled(p, c))).unwrap_or_default()));
    // Kept at the newest message.
    Effect::new(move |_| {
        messages.track();
        pending.track();
        state.stranger_typing.track();
        #[cfg(feature = "hydrate")]
        request_animation_frame(move || {
            if let Some(el) = scroller.get_untracked() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    });
    view! {
        <div class="relative min-h-0 flex-1">
            <div node_ref=scroller data-testid="stranger-messages"
                class="absolute inset-0 overflow-y-auto overscroll-contain bg-slate-100 px-2 py-3 sm:px-4 dark:bg-slate-900/60">
                <div class="mx-auto flex max-w-3xl flex-col">
                    <div class="mx-auto my-3 max-w-sm rounded-2xl bg-white/80 px-4 py-3 text-center text-sm text-slate-600 shadow-sm dark:bg-slate-800/70 dark:text-slate-300">
                        <p class="font-medium text-slate-800 dark:text-slate-100">"You’re chatting with a stranger. Say hi!"</p>
                        {move || chat.with(|c| c.as_ref().filter(|c| !c.shared_interests.is_empty()).map(|c| view! {
                            <p class="mt-0.5">{format!("You both like: {}", c.shared_interests.join(", "))}</p>
                        }))}
                        <p class="mt-1.5 text-xs text-slate-500 dark:text-slate-400" data-testid="deletion-note">
                            "Chats with strangers are deleted when they end, unless reported."
                        </p>
                    </div>
                    <For each=move || messages.get() key=|m| m.seq let:m>
                        {bubble(m)}
                    </For>
                    <For each=move || pending.get() key=|p| (p.client_id.clone(), p.failed.clone()) let:p>
                        {pending_bubble(p, state)}
                    </For>
                </div>
            </div>
        </div>
    }
    .into_any()
}

const OWN_BUBBLE: &str = "bg-indigo-600 text-white rounded-br-md";
const THEIR_BUBBLE: &str = "bg-white text-slate-900 shadow-sm rounded-bl-md dark:bg-slate-800 dark:text-slate-100";

/// One message, as plain text: nothing in it becomes a link.
fn bubble(m: StrangerMessage) -> impl IntoView {
    let mine = m.mine;
    // The time, repeated invisibly at the end of the text so the time never covers it.
    let ready = client_ready();
    let created = m.created_at;
    let spacer = move || if ready.get() { format_local(created, TimeStyle::Clock) } else { String::new() };
    view! {
        <div class=format!("mt-1.5 flex {}", if mine { "justify-end" } else { "justify-start" })
            data-testid="stranger-message" data-mine=mine.to_string() data-seq=m.seq>
            <div class=format!("relative max-w-[85%] min-w-0 rounded-2xl px-3 py-1.5 sm:max-w-[75%] {}", if mine { OWN_BUBBLE } else { THEIR_BUBBLE })>
                <p class="text-[15px] leading-snug break-words whitespace-pre-wrap" data-testid="message-text">
                    {m.body}
                    <span class="invisible ml-2 text-[11px]" aria-hidden="true">{spacer}</span>
                </p>
                <span class=format!("absolute right-2.5 bottom-1 text-[11px] whitespace-nowrap {}",
                        if mine { "text-indigo-100" } else { "text-slate-400" })>
                    {time(m.created_at, TimeStyle::Clock, "")}
                </span>
            </div>
        </div>
    }
}

/// A send on its way (a clock), or refused (why, and Try again).
fn pending_bubble(p: PendingSend, state: StrangerState) -> impl IntoView {
    let failed = p.failed.clone();
    let client_id = p.client_id.clone();
    view! {
        <div class="mt-1.5 flex flex-col items-end" data-testid="pending-message">
            <div class=format!("relative max-w-[85%] min-w-0 rounded-2xl px-3 py-1.5 sm:max-w-[75%] {OWN_BUBBLE} {}",
                    if failed.is_some() { "opacity-70" } else { "opacity-80" })>
                <p class="text-[15px] leading-snug break-words whitespace-pre-wrap" data-testid="message-text">
                    {p.body}
                    <span class="ml-2 inline-block align-middle text-indigo-100" aria-label="Sending">
                        {if failed.is_some() { view! { <IconAlert class="h-3.5 w-3.5"/> }.into_any() } else { view! { <IconClock class="h-3.5 w-3.5"/> }.into_any() }}
                    </span>
                </p>
            </div>
            {failed.map(|reason| view! {
                <p class="mt-0.5 text-xs text-rose-600 dark:text-rose-400" role="alert">
                    {format!("Not sent: {reason} ")}
                    <button type="button" class="font-semibold underline" on:click=move |_| state.retry(&client_id)>"Try again"</button>
                </p>
            })}
        </div>
    }
}

/// The offer to stay in touch, while the conversation goes on.
#[component]
fn ContactOffer(chat: Memo<Option<StrangerChat>>) -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let offers = move || chat.with(|c| c.as_ref().map_or((false, false), |c| (c.i_offered_contact, c.stranger_offered_contact)));
    let offer = move |want: bool| {
        let Some(id) = state.live_id() else { return };
        state.act(stranger_stay_in_touch(id, want), || ());
    };
    view! {
        {move || match offers() {
            (true, _) => Some(view! {
                <div class="flex items-center gap-3 border-t border-indigo-100 bg-indigo-50 px-4 py-2.5 text-sm dark:border-indigo-900/60 dark:bg-indigo-950/40"
                    role="status" data-testid="contact-offer">
                    <IconClock class="h-4 w-4 shrink-0 text-indigo-600 dark:text-indigo-300"/>
                    <p class="flex-1">"Waiting for the stranger to agree to stay in touch…"</p>
                    <button type="button" class="shrink-0 font-semibold text-indigo-700 hover:underline disabled:opacity-60 dark:text-indigo-300"
                        disabled=move || state.busy.get() on:click=move |_| offer(false)>"Withdraw"</button>
                </div>
            }.into_any()),
            (false, true) => Some(view! {
                <div class="border-t border-amber-200 bg-amber-50 px-4 py-3 text-sm dark:border-amber-900/60 dark:bg-amber-950/40"
                    role="region" aria-label="Stay in touch" data-testid="contact-offer">
                    <p class="font-medium">"The stranger wants to stay in touch — you’ll see each other’s names"</p>
                    <p class="mt-0.5 text-slate-600 dark:text-slate-400">"If you agree, this becomes a normal chat in your chat list."</p>
                    <button type="button" class="mt-2 rounded-lg bg-indigo-600 px-4 py-1.5 font-semibold text-white hover:bg-indigo-500 disabled:opacity-60"
                        disabled=move || state.busy.get() on:click=move |_| offer(true)>"Agree"</button>
                </div>
            }.into_any()),
            (false, false) => None,
        }}
    }
    .into_any()
}

/// What the banner says about how the conversation ended.
pub fn ended_text(reason: EndReason) -> (&'static str, &'static str) {
    match reason {
        EndReason::YouLeft => ("You left", "You left this chat."),
        EndReason::StrangerLeft => ("Stranger has left", "The stranger left this chat."),
        EndReason::YouDisconnected => ("Connection lost", "You were away too long, so the chat ended."),
        EndReason::StrangerDisconnected => ("Stranger has left", "The stranger’s connection was lost."),
        EndReason::StayedInTouch => ("You’re now in touch", "You both agreed to stay in touch."),
    }
}

#[component]
fn Ended(chat: Memo<Option<StrangerChat>>, reason: EndReason) -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let (title, detail) = ended_text(reason);
    let reported = move || chat.with(|c| c.as_ref().is_some_and(|c| c.reported));
    let blocked = move || chat.with(|c| c.as_ref().is_some_and(|c| c.blocked));
    let direct = move || chat.with(|c| c.as_ref().and_then(|c| c.direct_chat.clone()));
    let after = move || {
        if reported() {
            "Thanks for reporting. We’ve kept this chat for our moderators, and you won’t be matched again."
        } else if blocked() {
            "You blocked this stranger: you won’t be matched again."
        } else if reason == EndReason::StayedInTouch {
            "Your chat continues in your chat list."
        } else {
            "It will be deleted unless you report it."
        }
    };
    view! {
        <div class="shrink-0 border-t border-slate-200 bg-white px-4 pt-4 pb-[max(1rem,env(safe-area-inset-bottom))] dark:border-slate-800 dark:bg-slate-950"
            data-testid="stranger-ended">
            <div class="mx-auto max-w-3xl">
                <p class="text-center font-semibold" role="status" data-testid="ended-reason">{title}</p>
                <p class="mt-0.5 text-center text-sm text-slate-500 dark:text-slate-400">{detail} " " {after}</p>
                <div class="mx-auto mt-4 flex max-w-md flex-col gap-2 sm:flex-row">
                    {move || direct().map(|id| view! {
                        <a href=format!("/chats/{id}") rel="external" class=format!("flex-1 text-center {PRIMARY}")>"Open chat"</a>
                    })}
                    <button type="button" class=format!("flex flex-1 items-center justify-center gap-2 {}", if reason == EndReason::StayedInTouch { SECONDARY } else { PRIMARY })
                        disabled=move || state.busy.get() on:click=move |_| state.look()>
                        <IconShuffle class="h-4 w-4"/> "Find someone new"
                    </button>
                    <Show when=move || !reported() && reason != EndReason::StayedInTouch>
                        <button type="button" class=format!("flex items-center justify-center gap-2 {SECONDARY}")
                            on:click=move |_| state.report_open.set(true)>
                            <IconFlag class="h-4 w-4"/> "Report"
                        </button>
                    </Show>
                </div>
                <div class="mx-auto mt-2 max-w-md">
                    <ActionError/>
                    <button type="button" class="mt-1 w-full rounded-xl px-4 py-2 text-sm font-medium text-slate-500 hover:bg-slate-100 dark:text-slate-400 dark:hover:bg-slate-900"
                        disabled=move || state.busy.get() on:click=move |_| state.leave()>"Done"</button>
                </div>
            </div>
        </div>
    }
    .into_any()
}

const ITEM: &str = "flex w-full items-center gap-3 rounded-xl px-3 py-2.5 text-left font-medium hover:bg-slate-100 disabled:opacity-60 dark:hover:bg-slate-800";

/// ⋯: stay in touch, report, block.
#[component]
fn Menu(chat: Memo<Option<StrangerChat>>) -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let confirm_block = RwSignal::new(false);
    let close = Callback::new(move |_| state.menu_open.set(false));
    let i_offered = move || chat.with(|c| c.as_ref().is_some_and(|c| c.i_offered_contact));
    let stay = move |_| {
        state.menu_open.set(false);
        if let Some(id) = state.live_id() {
            state.act(stranger_stay_in_touch(id, !i_offered()), || ());
        }
    };
    let block = move |_| {
        confirm_block.set(false);
        if let Some(id) = state.live_id() {
            state.act(stranger_block(id), || ());
        }
    };
    view! {
        <Show when=move || state.menu_open.get()>
            <Sheet title="Stranger" on_close=close>
                <button type="button" class=ITEM on:click=stay>
                    <IconUserPlus class="h-5 w-5 text-slate-500"/>
                    <span>
                        <span class="block">{move || if i_offered() { "Withdraw offer to stay in touch" } else { "Stay in touch" }}</span>
                        <span class="block text-sm font-normal text-slate-500 dark:text-slate-400">"If you both agree, you’ll see each other’s names and keep chatting."</span>
                    </span>
                </button>
                <button type="button" class=ITEM on:click=move |_| { state.menu_open.set(false); state.report_open.set(true); }>
                    <IconFlag class="h-5 w-5 text-slate-500"/>"Report"
                </button>
                <button type="button" class=format!("{ITEM} text-rose-600 dark:text-rose-400")
                    on:click=move |_| { state.menu_open.set(false); confirm_block.set(true); }>
                    <IconBlock class="h-5 w-5"/>"Block"
                </button>
            </Sheet>
        </Show>
        <Show when=move || confirm_block.get()>
            <Sheet title="Block this stranger?" on_close=Callback::new(move |_| confirm_block.set(false))>
                <p class="text-sm text-slate-600 dark:text-slate-400">"The chat ends and you won’t be matched with them again. They aren’t told why."</p>
                <div class="mt-5 flex justify-end gap-2">
                    <button type="button" on:click=move |_| confirm_block.set(false)
                        class="rounded-xl px-4 py-2 font-semibold text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">"Cancel"</button>
                    <button type="button" on:click=block
                        class="rounded-xl bg-rose-600 px-4 py-2 font-semibold text-white hover:bg-rose-500">"Block"</button>
                </div>
            </Sheet>
        </Show>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_ending_has_its_words() {
        assert_eq!(ended_text(EndReason::StrangerLeft).0, "Stranger has left");
        assert_eq!(ended_text(EndReason::YouLeft).0, "You left");
        assert_eq!(ended_text(EndReason::YouDisconnected).0, "Connection lost");
    }
}
