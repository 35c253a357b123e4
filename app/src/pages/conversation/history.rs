//! The scrolling list of messages: date separators, runs of one sender, older pages loaded at
//! the top without the view jumping, and staying at the bottom for new messages unless the
//! reader has scrolled up (then a "New messages" pill).
use leptos::{html, prelude::*};

use super::{
    bubble::{MessageRow, PendingRow},
    seen_by::SeenBy,
    state::{ConvState, newest_seq},
};
use crate::{
    chats::types::{ChatKind, MessageView},
    components::{icons::IconArrowDown, time::{client_ready, day_label, local_day}},
};

/// One message as the list shows it, with what depends on its neighbours.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Row {
    pub msg: MessageView,
    /// A date separator goes above this message (its label, known only in the browser).
    pub day: Option<String>,
    /// The first message of a run by one sender (shows the name in groups).
    pub first_of_run: bool,
    /// The last message of a run (shows the avatar in groups, the bubble's tail).
    pub last_of_run: bool,
    pub mine: bool,
    /// A hash of everything above, the list's key: a row that changes in any way is drawn anew.
    key: u64,
}

impl Row {
    pub fn key(&self) -> u64 {
        self.key
    }
}

/// Messages within this many seconds from one sender form a run.
const RUN_GAP_SECS: i64 = 5 * 60;

fn same_run(a: &MessageView, b: &MessageView) -> bool {
    a.system.is_none()
        && b.system.is_none()
        && a.sender.as_ref().map(|s| &s.user_id) == b.sender.as_ref().map(|s| &s.user_id)
        && (b.created_at - a.created_at).abs() < RUN_GAP_SECS
}

/// Lays the messages out as rows. `day_of` gives a message's local day (None on the server,
/// which does not know the viewer's zone: separators appear after hydration).
pub fn rows(list: &[MessageView], day_of: Option<&dyn Fn(i64) -> i64>, is_mine: &dyn Fn(&MessageView) -> bool) -> Vec<Row> {
    use std::hash::{Hash, Hasher};
    let mut out = Vec::with_capacity(list.len());
    for (i, m) in list.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| &list[j]);
        let next = list.get(i + 1);
        let day = day_of.and_then(|f| {
            let d = f(m.created_at);
            (prev.map(|p| f(p.created_at)) != Some(d)).then(|| day_label(m.created_at))
        });
        let new_day_next = day_of.is_some_and(|f| next.is_some_and(|n| f(n.created_at) != f(m.created_at)));
        let first_of_run = day.is_some() || !prev.is_some_and(|p| same_run(p, m));
        let last_of_run = new_day_next || !next.is_some_and(|n| same_run(m, n));
        let mut row = Row { msg: m.clone(), day, first_of_run, last_of_run, mine: is_mine(m), key: 0 };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        row.hash(&mut h);
        row.key = h.finish();
        out.push(row);
    }
    out
}

#[component]
pub fn MessageList(kind: ChatKind, peer_read_seq: i64, at: Option<i64>) -> impl IntoView {
    let state = expect_context::<ConvState>();
    let ready = client_ready();
    let scroller = NodeRef::<html::Div>::new();
    let at_bottom = RwSignal::new(at.is_none());
    let unseen = RwSignal::new(0usize);
    let group = kind == ChatKind::Group;

    let laid_out = Memo::new(move |_| {
        let local = ready.get();
        state.messages.with(|list| {
            let day_of: &dyn Fn(i64) -> i64 = &local_day;
            rows(list, local.then_some(day_of), &|m| state.is_mine(m))
        })
    });

    let scroll_to_bottom = move || {
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
    };

    // First paint: open at the bottom, or at the message asked for.
    Effect::new(move |_| {
        request_animation_frame(move || match at {
            Some(seq) => {
                state.highlight.set(Some(seq));
                crate::browser::scroll_to_id(&format!("m-{seq}"), false);
            }
            None => {
                scroll_to_bottom();
                if crate::browser::page_visible() {
                    state.mark_read();
                }
            }
        });
    });

    // A highlight fades after a few seconds.
    Effect::new(move |_| {
        if state.highlight.get().is_some() {
            set_timeout(move || state.highlight.set(None), std::time::Duration::from_millis(4000));
        }
    });

    // New messages: follow them at the bottom, or count them for the pill.
    Effect::new(move |prev: Option<(i64, usize)>| {
        let newest = state.messages.with(|l| newest_seq(l));
        let pending = state.pending.with(Vec::len);
        if let Some((old_newest, old_pending)) = prev {
            let sent_now = pending > old_pending;
            if newest > old_newest || sent_now {
                let theirs = state.messages.with_untracked(|l| l.iter().filter(|m| m.seq > old_newest && !state.is_mine(m)).count());
                if at_bottom.get_untracked() || sent_now || theirs == 0 {
                    request_animation_frame(move || {
                        scroll_to_bottom();
                        if crate::browser::page_visible() {
                            state.mark_read();
                        }
                    });
                } else {
                    unseen.update(|n| *n += theirs);
                }
            }
        }
        (newest, pending)
    });

    let on_scroll = move |_| {
        let Some(el) = scroller.get_untracked() else { return };
        let bottom = el.scroll_height() - el.scroll_top() - el.client_height() < 80;
        if bottom != at_bottom.get_untracked() {
            at_bottom.set(bottom);
        }
        if bottom && unseen.get_untracked() > 0 {
            unseen.set(0);
            state.mark_read();
        }
        if el.scroll_top() < 300 && state.next_before.get_untracked().is_some() && !state.loading_older.get_untracked() {
            let (old_height, old_top) = (el.scroll_height(), el.scroll_top());
            state.load_older(move || {
                request_animation_frame(move || {
                    if let Some(el) = scroller.get_untracked() {
                        el.set_scroll_top(el.scroll_height() - old_height + old_top);
                    }
                });
            });
        }
    };

    let jump_down = move |_| {
        unseen.set(0);
        if let Some(el) = scroller.get_untracked() {
            el.set_scroll_top(el.scroll_height());
        }
        state.mark_read();
    };

    view! {
        <div class="relative min-h-0 flex-1">
            <div node_ref=scroller on:scroll=on_scroll data-testid="messages"
                class="absolute inset-0 overflow-y-auto overscroll-contain bg-slate-100 px-2 py-3 sm:px-4 dark:bg-slate-900/60">
                <div class="mx-auto flex max-w-3xl flex-col">
                    <Show when=move || state.next_before.get().is_some()>
                        <p class="py-2 text-center text-xs text-slate-500 dark:text-slate-400">
                            {move || if state.loading_older.get() { "Loading earlier messages…" } else { "" }}
                        </p>
                    </Show>
                    <Show when=move || state.next_before.get().is_none() && state.messages.with(Vec::is_empty) && state.pending.with(Vec::is_empty)>
                        <p class="mx-auto my-10 max-w-xs rounded-2xl bg-white/70 px-4 py-3 text-center text-sm text-slate-500 dark:bg-slate-800/60 dark:text-slate-400">
                            "No messages yet. Say hello!"
                        </p>
                    </Show>
                    <For each=move || laid_out.get() key=Row::key let:row>
                        <MessageRow row group peer_read_seq/>
                    </For>
                    {group.then(|| view! { <SeenBy/> })}
                    <For each=move || state.pending.get() key=|p| (p.client_id.clone(), p.failed.clone()) let:pending>
                        <PendingRow pending/>
                    </For>
                </div>
            </div>
            <Show when=move || { unseen.get() > 0 }>
                <button type="button" on:click=jump_down
                    class="absolute bottom-3 left-1/2 z-10 flex -translate-x-1/2 items-center gap-1.5 rounded-full bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-lg hover:bg-indigo-500">
                    <IconArrowDown class="h-4 w-4"/>
                    {move || match unseen.get() { 1 => "1 new message".to_string(), n => format!("{n} new messages") }}
                </button>
            </Show>
            <Show when=move || { !at_bottom.get() && unseen.get() == 0 }>
                <button type="button" on:click=jump_down aria-label="Scroll to the newest message"
                    class="absolute right-4 bottom-3 z-10 rounded-full bg-white p-2.5 text-slate-600 shadow-md ring-1 ring-slate-200 hover:bg-slate-50 dark:bg-slate-800 dark:text-slate-300 dark:ring-slate-700">
                    <IconArrowDown class="h-4 w-4"/>
                </button>
            </Show>
        </div>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(seq: i64, who: &str, at: i64) -> MessageView {
        MessageView { created_at: at, ..MessageView::sample("c", seq, who, "x") }
    }

    #[test]
    fn runs_break_on_sender_gap_and_day() {
        let list = vec![msg(1, "a", 0), msg(2, "a", 60), msg(3, "b", 120), msg(4, "b", 1000), msg(5, "b", 86_400 + 10)];
        let day = |t: i64| t.div_euclid(86_400);
        let r = rows(&list, Some(&day), &|m| m.sender.as_ref().is_some_and(|s| s.user_id == "a"));
        let flags: Vec<_> = r.iter().map(|r| (r.day.is_some(), r.first_of_run, r.last_of_run, r.mine)).collect();
        assert_eq!(
            flags,
            vec![(true, true, false, true), (false, false, true, true), (false, true, true, false), (false, true, true, false), (true, true, true, false)]
        );
        // Without the viewer's zone (server render) there are no separators.
        assert!(rows(&list, None, &|_| false).iter().all(|r| r.day.is_none()));
    }

    #[test]
    fn a_changed_message_gets_a_new_key() {
        let mut list = vec![msg(1, "a", 0)];
        let before = rows(&list, None, &|_| false)[0].key();
        list[0].body = "edited".into();
        assert_ne!(before, rows(&list, None, &|_| false)[0].key());
    }
}
