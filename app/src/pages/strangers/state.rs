//! The stranger page's client state: the view as the server last described it, kept current by
//! socket frames; the sends still on their way; whether the stranger is typing.
//!
//! Answers and frames can cross: a `stranger` frame (a match, an end) may arrive while an action
//! is in flight, and then the action's answer describes an older moment. Every whole view from
//! the socket bumps a counter; an answer that comes back after the counter moved is not applied,
//! the page reads the state afresh instead.
use std::future::Future;

use leptos::{prelude::*, task::spawn_local};

use crate::{
    chats::validate::message_body,
    error::AppError,
    realtime::{
        client::new_client_id,
        protocol::{ServerFrame, typing},
    },
    strangers::{
        api,
        types::{EndReason, StrangerChat, StrangerMessage, StrangerView},
    },
};

/// At most one `stranger_typing` call per this many ms while the person types.
pub const TYPING_EVERY_MS: f64 = 2500.0;

/// A message written but not yet stored by the server. It is sent again (same `client_id`, so
/// it is stored once) after each reconnect, until the answer arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSend {
    pub client_id: String,
    pub chat_id: String,
    pub body: String,
    /// Why the server refused it (the bubble offers to try again).
    pub failed: Option<String>,
}

/// Which screen the page shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Rules,
    Idle,
    Looking,
    /// In a conversation, or just out of one (`chat.ended` says why).
    Chat,
}

pub fn phase(view: &StrangerView) -> Phase {
    if !view.adult_confirmed {
        return Phase::Rules;
    }
    match (&view.chat, &view.looking) {
        (Some(chat), _) if chat.ended.is_none() => Phase::Chat,
        (_, Some(_)) => Phase::Looking,
        (Some(_), None) => Phase::Chat,
        (None, None) => Phase::Idle,
    }
}

/// The conversation, while both are in it.
pub fn live_chat(view: &StrangerView) -> Option<&StrangerChat> {
    view.chat.as_ref().filter(|c| c.ended.is_none())
}

/// Puts `message` at its place by `seq` (replacing one with the same `seq`).
pub fn upsert(list: &mut Vec<StrangerMessage>, message: StrangerMessage) {
    match list.binary_search_by_key(&message.seq, |m| m.seq) {
        Ok(i) => list[i] = message,
        Err(i) => list.insert(i, message),
    }
}

/// A newer whole view, keeping the messages of the same conversation that the page holds and
/// the view lacks (a message frame that overtook it).
pub fn merge_view(current: &StrangerView, mut incoming: StrangerView) -> StrangerView {
    if let (Some(old), Some(new)) = (&current.chat, &mut incoming.chat) {
        if old.id == new.id {
            for m in &old.messages {
                if new.messages.iter().all(|n| n.seq != m.seq) {
                    upsert(&mut new.messages, m.clone());
                }
            }
        }
    }
    incoming
}

/// The sends to show after the stored messages of `chat`: those whose stored copy is not there.
pub fn unsettled(pending: &[PendingSend], chat: &StrangerChat) -> Vec<PendingSend> {
    pending
        .iter()
        .filter(|p| p.chat_id == chat.id)
        .filter(|p| !chat.messages.iter().any(|m| m.client_id.as_deref() == Some(p.client_id.as_str())))
        .cloned()
        .collect()
}

/// Whether the view is the moment both agreed to stay in touch: the direct chat to open.
pub fn direct_chat(view: &StrangerView) -> Option<&str> {
    view.chat.as_ref().filter(|c| c.ended == Some(EndReason::StayedInTouch)).and_then(|c| c.direct_chat.as_deref())
}

/// Whether a whole view from the socket is older than what the page holds: it describes a
/// conversation as ended that the page has already moved on from (looking again, another
/// conversation, or back to the start). Such a frame can arrive after the answer to "Next".
pub fn overtaken(held: &StrangerView, frame: &StrangerView) -> bool {
    frame.chat.as_ref().is_some_and(|c| c.ended.is_some() && held.chat.as_ref().map(|h| &h.id) != Some(&c.id))
}

/// The page's signals, `Copy` so every part of the page can hold them.
#[derive(Clone, Copy)]
pub struct StrangerState {
    pub view: RwSignal<StrangerView>,
    pub pending: RwSignal<Vec<PendingSend>>,
    pub stranger_typing: RwSignal<bool>,
    /// The interests the person looks with (kept for "Find someone new" and "Next").
    pub interests: RwSignal<Vec<String>>,
    /// The last action's failure, shown until the next action.
    pub error: RwSignal<Option<String>>,
    /// An action is on its way (its buttons wait).
    pub busy: RwSignal<bool>,
    pub menu_open: RwSignal<bool>,
    pub report_open: RwSignal<bool>,
    /// Bumped by each whole view from the socket.
    frames: StoredValue<u64>,
    /// Bumped by each typing frame, so an older timer does not hide a newer indicator.
    typing_seen: StoredValue<u64>,
    typing_sent_at: StoredValue<f64>,
}

impl StrangerState {
    pub fn new(view: StrangerView) -> Self {
        let interests = view.looking.as_ref().map(|l| l.interests.clone()).unwrap_or_default();
        Self {
            view: RwSignal::new(view),
            pending: RwSignal::new(Vec::new()),
            stranger_typing: RwSignal::new(false),
            interests: RwSignal::new(interests),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
            menu_open: RwSignal::new(false),
            report_open: RwSignal::new(false),
            frames: StoredValue::new(0),
            typing_seen: StoredValue::new(0),
            typing_sent_at: StoredValue::new(f64::MIN),
        }
    }

    /// The live conversation's id.
    pub fn live_id(self) -> Option<String> {
        self.view.with_untracked(|v| live_chat(v).map(|c| c.id.clone()))
    }

    /// Runs an action whose answer is the new view; `then` runs after it succeeded.
    pub fn act<F>(self, action: F, then: impl FnOnce() + 'static)
    where
        F: Future<Output = Result<StrangerView, AppError>> + 'static,
    {
        let before = self.frames.get_value();
        self.busy.set(true);
        self.error.set(None);
        spawn_local(async move {
            let answer = action.await;
            self.busy.try_set(false);
            match answer {
                Ok(view) => {
                    if self.frames.try_get_value() == Some(before) {
                        self.set_view(view);
                    } else {
                        self.resync(false);
                    }
                    then();
                }
                Err(e) => {
                    self.error.try_set(Some(e.to_string()));
                }
            }
        });
    }

    /// Starts looking with the chosen interests (also "Next" and "Find someone new").
    pub fn look(self) {
        let interests = self.interests.get_untracked();
        self.act(api::stranger_look(interests), || ());
    }

    pub fn leave(self) {
        self.act(api::stranger_leave(), || ());
    }

    /// Takes a whole view: merged with what the page holds; the moment both agreed to stay in
    /// touch, off to the direct chat.
    pub fn set_view(self, view: StrangerView) {
        let was_direct = self.view.with_untracked(|v| direct_chat(v).is_some());
        if !was_direct {
            if let Some(chat) = direct_chat(&view) {
                crate::browser::go_to(&format!("/chats/{chat}"));
            }
        }
        let live = live_chat(&view).map(|c| c.id.clone());
        self.view.try_update(|v| *v = merge_view(v, view));
        // Sends for a conversation that is over will never be stored.
        self.pending.try_update(|p| p.retain(|p| Some(&p.chat_id) == live.as_ref()));
        if live.is_none() {
            self.stranger_typing.try_set(false);
        }
    }

    /// Reads the state afresh (after a reconnect, or when an answer was overtaken by a frame),
    /// then, with `resend`, sends again what is still pending in the live conversation.
    pub fn resync(self, resend: bool) {
        spawn_local(async move {
            for attempt in 0..3 {
                let before = self.frames.try_get_value();
                let Ok(view) = api::stranger_state().await else { return };
                if self.frames.try_get_value() == before || attempt == 2 {
                    self.set_view(view);
                    break;
                }
            }
            if resend {
                self.resend();
            }
        });
    }

    fn resend(self) {
        let Some(live) = self.live_id() else { return };
        let again: Vec<PendingSend> =
            self.pending.with_untracked(|p| p.iter().filter(|p| p.chat_id == live && p.failed.is_none()).cloned().collect());
        for p in again {
            self.transmit(p);
        }
    }

    /// What the socket says.
    pub fn on_frame(self, frame: &ServerFrame) {
        match frame {
            ServerFrame::Stranger { view } => {
                if self.view.with_untracked(|held| overtaken(held, view)) {
                    return;
                }
                self.frames.update_value(|n| *n += 1);
                // Frames do not repeat the person's standing; the page keeps what it read.
                let banned_until = self.view.with_untracked(|v| v.banned_until);
                self.set_view(StrangerView { banned_until, ..view.clone() });
            }
            ServerFrame::StrangerMessage { chat_id, message } => self.arrived(chat_id, message.clone()),
            ServerFrame::StrangerTyping { chat_id } if self.live_id().as_ref() == Some(chat_id) => self.typing_seen(),
            ServerFrame::Synced { .. } => self.resync(true),
            _ => {}
        }
    }

    fn typing_seen(self) {
        self.stranger_typing.set(true);
        self.typing_seen.update_value(|n| *n += 1);
        #[cfg(feature = "hydrate")]
        {
            let seen = self.typing_seen.get_value();
            set_timeout(
                move || {
                    if self.typing_seen.try_get_value() == Some(seen) {
                        self.stranger_typing.try_set(false);
                    }
                },
                std::time::Duration::from_millis(typing::SHOWN_MS),
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = typing::SHOWN_MS;
    }

    /// A stored message (a frame, or the answer to a send).
    fn arrived(self, chat_id: &str, message: StrangerMessage) {
        if let Some(id) = &message.client_id {
            self.pending.try_update(|p| p.retain(|p| &p.client_id != id));
        }
        if !message.mine {
            self.stranger_typing.try_set(false);
        }
        self.view.try_update(|v| {
            if let Some(chat) = v.chat.as_mut().filter(|c| c.id == chat_id) {
                upsert(&mut chat.messages, message);
            }
        });
    }

    /// Sends a message in the live conversation: shown at once as pending. An empty box is
    /// ignored; a message too long says why.
    pub fn send(self, body: &str) -> Result<(), String> {
        let body = message_body(body).map_err(|e| if e.code() == "message_empty" { String::new() } else { e.to_string() })?;
        let Some(chat_id) = self.live_id() else { return Err(String::new()) };
        let pending = PendingSend { client_id: new_client_id(), chat_id, body, failed: None };
        self.pending.update(|p| p.push(pending.clone()));
        // What is typed next is news again at once.
        self.typing_sent_at.set_value(f64::MIN);
        self.transmit(pending);
        Ok(())
    }

    /// Sends a refused message again, with the same client id.
    pub fn retry(self, client_id: &str) {
        let mut again = None;
        self.pending.update(|list| {
            if let Some(p) = list.iter_mut().find(|p| p.client_id == client_id) {
                p.failed = None;
                again = Some(p.clone());
            }
        });
        if let Some(p) = again {
            self.transmit(p);
        }
    }

    fn transmit(self, p: PendingSend) {
        spawn_local(async move {
            match api::stranger_send(p.chat_id.clone(), p.client_id.clone(), p.body.clone()).await {
                Ok(message) => self.arrived(&p.chat_id, message),
                // Offline: it goes again after the reconnect.
                Err(AppError::Network) => {}
                Err(e) => {
                    self.pending.try_update(|list| {
                        if let Some(x) = list.iter_mut().find(|x| x.client_id == p.client_id) {
                            x.failed = Some(e.to_string());
                        }
                    });
                }
            }
        });
    }

    /// The person typed in the composer: the stranger hears it at most every 2.5 s.
    pub fn typing(self) {
        let Some(chat_id) = self.live_id() else { return };
        let now = now_ms();
        if now - self.typing_sent_at.get_value() < TYPING_EVERY_MS {
            return;
        }
        self.typing_sent_at.set_value(now);
        spawn_local(async move {
            let _ = api::stranger_typing(chat_id).await;
        });
    }
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    return 0.0;
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::strangers::types::Looking;

    fn msg(seq: i64, mine: bool, client_id: Option<&str>) -> StrangerMessage {
        StrangerMessage { seq, mine, body: format!("m{seq}"), created_at: seq, client_id: client_id.map(Into::into) }
    }

    fn chat(id: &str, messages: Vec<StrangerMessage>, ended: Option<EndReason>) -> StrangerChat {
        StrangerChat {
            id: id.into(),
            shared_interests: vec![],
            started_at: 0,
            messages,
            ended,
            i_offered_contact: false,
            stranger_offered_contact: false,
            direct_chat: None,
            reported: false,
            blocked: false,
        }
    }

    fn view(chat: Option<StrangerChat>, looking: bool) -> StrangerView {
        StrangerView {
            adult_confirmed: true,
            banned_until: None,
            looking: looking.then(|| Looking { since: 0, interests: vec![] }),
            chat,
        }
    }

    #[test]
    fn the_screen_follows_the_view() {
        assert_eq!(phase(&StrangerView::default()), Phase::Rules);
        assert_eq!(phase(&view(None, false)), Phase::Idle);
        assert_eq!(phase(&view(None, true)), Phase::Looking);
        assert_eq!(phase(&view(Some(chat("s", vec![], None)), false)), Phase::Chat);
        assert_eq!(phase(&view(Some(chat("s", vec![], Some(EndReason::StrangerLeft))), false)), Phase::Chat);
        // Looking again after a chat ended: the search is what matters.
        assert_eq!(phase(&view(Some(chat("s", vec![], Some(EndReason::YouLeft))), true)), Phase::Looking);
    }

    #[test]
    fn messages_stay_in_order_without_duplicates() {
        let mut list = vec![msg(1, true, None), msg(3, false, None)];
        upsert(&mut list, msg(2, false, None));
        upsert(&mut list, msg(3, false, None));
        upsert(&mut list, msg(4, true, Some("k")));
        assert_eq!(list.iter().map(|m| m.seq).collect::<Vec<_>>(), [1, 2, 3, 4]);
    }

    #[test]
    fn a_whole_view_keeps_messages_that_overtook_it_in_the_same_chat_only() {
        let held = view(Some(chat("s", vec![msg(1, true, None), msg(2, false, None)], None)), false);
        let newer = view(Some(chat("s", vec![msg(1, true, None)], Some(EndReason::StrangerLeft))), false);
        let merged = merge_view(&held, newer);
        let c = merged.chat.unwrap();
        assert_eq!(c.messages.len(), 2);
        assert_eq!(c.ended, Some(EndReason::StrangerLeft));

        let other = view(Some(chat("t", vec![], None)), false);
        assert!(merge_view(&held, other).chat.unwrap().messages.is_empty(), "a new chat starts empty");
    }

    #[test]
    fn a_late_frame_about_a_conversation_left_behind_is_ignored() {
        let left = view(Some(chat("x", vec![], Some(EndReason::YouLeft))), false);
        assert!(overtaken(&view(None, true), &left), "already looking again");
        assert!(overtaken(&view(Some(chat("y", vec![], None)), false), &left), "already in the next chat");
        assert!(!overtaken(&view(Some(chat("x", vec![], None)), false), &left), "the chat held ended");
        assert!(!overtaken(&view(None, true), &view(Some(chat("y", vec![], None)), false)), "a new match");
    }

    #[test]
    fn a_pending_send_leaves_when_its_stored_copy_is_there() {
        let pending = vec![
            PendingSend { client_id: "a".into(), chat_id: "s".into(), body: "x".into(), failed: None },
            PendingSend { client_id: "b".into(), chat_id: "s".into(), body: "y".into(), failed: None },
            PendingSend { client_id: "c".into(), chat_id: "old".into(), body: "z".into(), failed: None },
        ];
        let c = chat("s", vec![msg(1, true, Some("a"))], None);
        assert_eq!(unsettled(&pending, &c).iter().map(|p| p.client_id.as_str()).collect::<Vec<_>>(), ["b"]);
    }

    #[test]
    fn only_staying_in_touch_opens_the_direct_chat() {
        let mut c = chat("s", vec![], Some(EndReason::StayedInTouch));
        c.direct_chat = Some("d1".into());
        assert_eq!(direct_chat(&view(Some(c.clone()), false)), Some("d1"));
        c.ended = Some(EndReason::StrangerLeft);
        assert_eq!(direct_chat(&view(Some(c), false)), None);
    }
}
