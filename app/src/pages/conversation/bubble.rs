//! One message as a bubble (own on the right), a system line, or a send still on its way.
use leptos::prelude::*;

pub use super::pending::PendingRow;
use crate::realtime::client::Receipt;
use leptos_router::hooks::use_navigate;

use super::{
    attachments::{Attachments, QuoteThumb, has_pictures, quote_label},
    history::Row,
    state::{ConvState, same_user_id},
};
use crate::calls::types::call_text;
use crate::media::types::AttachmentKind;
use crate::{
    chats::types::{PersonView, ReactionView, ReplyPreview, Role, SystemEvent},
    components::{
        avatar::avatar,
        icons::IconMore,
        text::LinkedText,
        time::{TimeStyle, client_ready, format_local, time},
    },
};

/// The name to show for someone: "You" for the viewer.
fn name_of(p: &PersonView, me: &str) -> String {
    if same_user_id(&p.user_id, me) { "You".into() } else { p.display_name.clone() }
}

/// A group event in words, from the viewer's point of view ("You joined", "Ada made you an admin").
pub fn system_text(event: &SystemEvent, me: &str) -> String {
    let s = |p: &PersonView| name_of(p, me);
    let o = |p: &PersonView| if same_user_id(&p.user_id, me) { "you".to_string() } else { p.display_name.clone() };
    match event {
        SystemEvent::Created { by } => format!("{} created the group", s(by)),
        SystemEvent::Joined { who } => format!("{} joined", s(who)),
        SystemEvent::Left { who } => format!("{} left", s(who)),
        SystemEvent::Added { who, by } => format!("{} added {}", s(by), o(who)),
        SystemEvent::Removed { who, by } => format!("{} removed {}", s(by), o(who)),
        SystemEvent::Renamed { name, by } => format!("{} renamed the group to “{name}”", s(by)),
        SystemEvent::RoleChanged { who, role: Role::Admin, by } => format!("{} made {} an admin", s(by), o(who)),
        SystemEvent::RoleChanged { who, role: Role::Owner, by } => format!("{} made {} the owner", s(by), o(who)),
        SystemEvent::RoleChanged { who, role: Role::Member, by } => format!("{} removed {} as admin", s(by), o(who)),
        SystemEvent::OwnerChanged { who, .. } if same_user_id(&who.user_id, me) => "You are now the owner".into(),
        SystemEvent::OwnerChanged { who, .. } => format!("{} is now the owner", who.display_name),
        SystemEvent::Call { by, video, outcome, seconds } => call_text(*video, *outcome, *seconds, Some(same_user_id(&by.user_id, me))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str, name: &str) -> PersonView {
        PersonView { user_id: id.into(), username: name.into(), display_name: name.into() }
    }

    #[test]
    fn system_events_read_from_the_viewers_side() {
        let (ada, bob) = (p("AAAA-AAAA", "Ada"), p("BBBB-BBBB", "Bob"));
        let me = "aaaaaaaa";
        assert_eq!(system_text(&SystemEvent::Created { by: ada.clone() }, me), "You created the group");
        assert_eq!(system_text(&SystemEvent::Removed { who: bob.clone(), by: ada.clone() }, me), "You removed Bob");
        assert_eq!(system_text(&SystemEvent::RoleChanged { who: ada.clone(), role: Role::Admin, by: bob.clone() }, me), "Bob made you an admin");
        assert_eq!(system_text(&SystemEvent::Renamed { name: "Hikers".into(), by: bob.clone() }, me), "Bob renamed the group to “Hikers”");
        assert_eq!(system_text(&SystemEvent::OwnerChanged { who: bob.clone(), by: ada }, me), "Bob is now the owner");
    }
}

/// Colours for sender names in groups, picked by user ID so each person keeps theirs.
fn name_colour(user_id: &str) -> &'static str {
    const COLOURS: [&str; 6] = [
        "text-indigo-600 dark:text-indigo-300", "text-emerald-600 dark:text-emerald-300", "text-amber-600 dark:text-amber-300",
        "text-rose-600 dark:text-rose-300", "text-sky-600 dark:text-sky-300", "text-violet-600 dark:text-violet-300",
    ];
    COLOURS[user_id.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize)) % COLOURS.len()]
}

pub(super) const OWN_BUBBLE: &str = "bg-indigo-600 text-white";
const THEIR_BUBBLE: &str = "bg-white text-slate-900 shadow-sm dark:bg-slate-800 dark:text-slate-100";

#[component]
fn DaySeparator(label: String) -> impl IntoView {
    view! {
        <div class="sticky top-0 z-[5] my-3 flex justify-center" role="separator">
            <span class="rounded-full bg-white/90 px-3 py-1 text-xs font-medium text-slate-600 shadow-sm dark:bg-slate-800/90 dark:text-slate-300"
                data-testid="day-separator">{label}</span>
        </div>
    }
    .into_any()
}

/// The quoted message above a reply (in a bubble, and in the composer).
#[component]
pub fn Quote(reply: ReplyPreview, #[prop(default = false)] on_own: bool) -> impl IntoView {
    let me = use_context::<ConvState>().map(|s| s.me.get_value()).unwrap_or_default();
    let bar = if on_own { "border-white/70 bg-white/15" } else { "border-indigo-500 bg-slate-100 dark:bg-slate-900/60" };
    let who = if on_own { "text-white" } else { name_colour(&reply.sender.user_id) };
    // A picture, voice note or file without a caption is named by what it is.
    let text = match (&reply.attachment, reply.excerpt.trim()) {
        _ if reply.deleted => "Deleted message".to_string(),
        (Some(a), "") => quote_label(a),
        _ => reply.excerpt.clone(),
    };
    let thumb = if reply.deleted { None } else { reply.attachment.clone() };
    view! {
        <span class=format!("flex min-w-0 items-center gap-2 rounded-lg border-l-4 px-2.5 py-1 text-left text-sm {bar}")>
            <span class="block min-w-0 flex-1">
                <span class=format!("block truncate text-xs font-semibold {who}")>{name_of(&reply.sender, &me)}</span>
                <span class="line-clamp-2 block break-words opacity-90">{text}</span>
            </span>
            <QuoteThumb attachment=thumb/>
        </span>
    }
    .into_any()
}

#[component]
pub fn MessageRow(row: Row, group: bool, peer_read_seq: i64) -> impl IntoView {
    let state = expect_context::<ConvState>();
    let ready = client_ready();
    let navigate = use_navigate();
    let Row { msg, day, first_of_run, last_of_run, mine, .. } = row;
    let seq = msg.seq;
    let highlighted = move || state.highlight.get() == Some(seq);
    let separator = day.map(|label| view! { <DaySeparator label/> });

    if let Some(event) = &msg.system {
        let text = system_text(event, &state.me.get_value());
        return view! {
            <div id=format!("m-{seq}") data-testid="message" data-seq=seq data-system="true">
                {separator}
                <p class="mx-auto my-2 max-w-[85%] rounded-full bg-slate-200/80 px-3 py-1 text-center text-xs text-slate-600 dark:bg-slate-800 dark:text-slate-300"
                    data-testid="system-message">
                    {text}
                </p>
            </div>
        }
        .into_any();
    }

    let id = msg.id.clone();
    let sender = msg.sender.clone();
    let sender_name = sender.as_ref().map(|s| s.display_name.clone()).unwrap_or_default();
    let open_menu = {
        let id = id.clone();
        move || state.menu.set(Some(id.clone()))
    };
    let open_menu_ctx = open_menu.clone();
    let edited = msg.edited_at.is_some() && !msg.deleted;
    let created = msg.created_at;
    let receipt = (!group && mine).then(|| if seq <= peer_read_seq { "✓✓" } else { "✓" });
    // The footer's text, repeated invisibly at the end of the text so the time never covers it.
    let footer = move || {
        let mut parts = Vec::new();
        if edited {
            parts.push("edited".to_string());
        }
        if ready.get() {
            parts.push(format_local(created, TimeStyle::Clock));
        }
        if let Some(r) = receipt {
            parts.push(r.to_string());
        }
        parts.join(" ")
    };
    let quote = msg.reply_to.clone().map(|reply| {
        let target = reply.seq;
        let navigate = navigate.clone();
        let chat = state.chat_id.get_value();
        let jump = move |_| {
            if state.messages.with_untracked(|l| l.iter().any(|m| m.seq == target)) {
                state.highlight.set(Some(target));
                crate::browser::scroll_to_id(&format!("m-{target}"), true);
            } else {
                navigate(&format!("/chats/{chat}?at={target}"), Default::default());
            }
        };
        view! {
            <button type="button" on:click=jump class="mb-1 block w-full" aria-label="Go to the quoted message">
                <Quote reply on_own=mine/>
            </button>
        }
    });
    // A deleted message has none (the server sends none); the text is then their caption.
    let attachments = (!msg.deleted && !msg.attachments.is_empty()).then(|| msg.attachments.clone());
    let framed = attachments.as_deref().is_some_and(has_pictures);
    let caption = msg.deleted || !msg.body.trim().is_empty();
    // Pictures without a caption carry the time on themselves.
    let time_on_picture = !caption && attachments.as_ref().is_some_and(|l| l.iter().all(|a| a.kind == AttachmentKind::Picture));
    let body = if msg.deleted {
        view! { <span class="italic opacity-70" data-testid="deleted">"This message was deleted"</span> }.into_any()
    } else {
        let link_class = if mine { "underline underline-offset-2 break-all text-white" } else { "underline underline-offset-2 break-all text-indigo-600 dark:text-indigo-300" };
        view! { <LinkedText text=msg.body.clone() link_class/> }.into_any()
    };
    let reactions = (!msg.reactions.is_empty() && !msg.deleted).then(|| {
        let list = msg.reactions.clone();
        let id = id.clone();
        view! { <Reactions list message_id=id mine/> }
    });
    let bubble_class = move || {
        format!(
            "relative min-w-0 rounded-2xl transition-shadow {} {} {} {}",
            if framed { "p-1" } else { "px-3 py-1.5" },
            if mine { OWN_BUBBLE } else { THEIR_BUBBLE },
            match (mine, last_of_run) {
                (true, true) => "rounded-br-md",
                (false, true) => "rounded-bl-md",
                _ => "",
            },
            if highlighted() { "ring-4 ring-amber-400/80" } else { "" }
        )
    };
    let avatar_slot = (group && !mine).then(|| {
        if last_of_run {
            avatar(sender_name.clone(), "h-8 w-8 text-xs", Signal::stored(false)).into_any()
        } else {
            view! { <span class="w-8 shrink-0"></span> }.into_any()
        }
    });
    let name_line = (group && !mine && first_of_run).then(|| {
        let colour = sender.as_ref().map_or("", |s| name_colour(&s.user_id));
        view! { <span class=format!("block text-xs font-semibold {colour}") data-testid="sender-name">{sender_name.clone()}</span> }
    });
    view! {
        <div id=format!("m-{seq}") data-testid="message" data-seq=seq data-mine=mine.to_string()
            data-highlighted=move || highlighted().to_string()
            class=if first_of_run { "mt-2" } else { "mt-0.5" }>
            {separator}
            <div class=format!("flex items-end gap-2 {}", if mine { "justify-end" } else { "justify-start" })>
                {avatar_slot}
                <div class=format!("group flex max-w-[85%] min-w-0 flex-col sm:max-w-[75%] {}", if mine { "items-end" } else { "items-start" })>
                    <div class=format!("flex min-w-0 max-w-full items-center gap-1 {}", if mine { "flex-row-reverse" } else { "" })>
                        <div class=bubble_class data-testid="bubble"
                            on:contextmenu=move |ev| { ev.prevent_default(); open_menu_ctx(); }>
                            <div class=if framed { "px-2 pt-0.5 empty:hidden" } else { "" }>{name_line}{quote}</div>
                            {attachments.map(|list| view! { <Attachments list mine/> })}
                            {if caption {
                                view! {
                                    <p class=format!("text-[15px] leading-snug break-words whitespace-pre-wrap {}", if framed { "px-2 pt-1 pb-0.5" } else { "" })
                                        data-testid="message-text">
                                        {body}
                                        <span class="invisible ml-2 text-[11px]" aria-hidden="true">{footer.clone()}</span>
                                    </p>
                                }.into_any()
                            } else if time_on_picture {
                                ().into_any()
                            } else {
                                // Room under a file or voice note for the time.
                                view! { <p class="h-4" aria-hidden="true"></p> }.into_any()
                            }}
                            <span class=format!("absolute text-[11px] whitespace-nowrap {}",
                                    if time_on_picture { "right-2.5 bottom-2.5 rounded-full bg-slate-900/50 px-1.5 py-px text-white" }
                                    else if mine { "right-2.5 bottom-1 text-indigo-100" } else { "right-2.5 bottom-1 text-slate-400 dark:text-slate-400" })>
                                {edited.then(|| view! { <span data-testid="edited">"edited "</span> })}
                                {time(created, TimeStyle::Clock, "")}
                                {receipt.map(|_| view! { " " <Receipt chat_id=msg.chat_id.clone() peer=state.peer_id.get_value() seq read_seq=peer_read_seq/> })}
                            </span>
                        </div>
                        {(!msg.deleted).then(|| view! {
                            <button type="button" aria-label="Message actions" on:click=move |_| open_menu()
                                class="shrink-0 rounded-full p-1 text-slate-400 hover:bg-slate-200 hover:text-slate-700 focus:opacity-100 md:opacity-0 md:group-hover:opacity-100 dark:hover:bg-slate-700 dark:hover:text-slate-200">
                                <IconMore class="h-4 w-4"/>
                            </button>
                        })}
                    </div>
                    {reactions}
                </div>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn Reactions(list: Vec<ReactionView>, message_id: String, mine: bool) -> impl IntoView {
    let state = expect_context::<ConvState>();
    view! {
        <div class=format!("-mt-1 flex flex-wrap gap-1 {}", if mine { "justify-end pr-1" } else { "pl-1" }) data-testid="reactions">
            {list.into_iter().map(|r| {
                let (id, emoji) = (message_id.clone(), r.emoji.clone());
                let who = if r.count as usize > r.by.len() {
                    format!("{} and {} more", r.by.join(", "), r.count as usize - r.by.len())
                } else {
                    r.by.join(", ")
                };
                view! {
                    <button type="button" title=who.clone() aria-label=format!("{} {} — {}", r.emoji, r.count, who)
                        aria-pressed=r.mine.to_string()
                        on:click=move |_| state.react(id.clone(), emoji.clone())
                        class=format!("inline-flex items-center gap-1 rounded-full border px-1.5 py-0.5 text-xs shadow-sm {}",
                            if r.mine { "border-indigo-300 bg-indigo-50 text-indigo-700 dark:border-indigo-700 dark:bg-indigo-950 dark:text-indigo-200" }
                            else { "border-slate-200 bg-white text-slate-700 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-200" })>
                        <span>{r.emoji.clone()}</span>
                        <span class="font-medium tabular-nums">{r.count}</span>
                    </button>
                }
            }).collect_view()}
        </div>
    }
    .into_any()
}
