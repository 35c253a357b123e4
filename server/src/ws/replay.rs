//! Exactly once, in order: which message frames a connection forwards. Replay after a `hello`
//! and live delivery overlap (the device is attached to the hub before the replay is read, so
//! nothing committed meanwhile is missed); the `Sequencer` drops what the replay already sent
//! and puts live messages that were published out of order (two senders committing close
//! together) back in sequence, filling a gap from the store when its message is slow to come.
use std::collections::{BTreeMap, HashMap};

use app::backend::hub::Payload;
use tokio::time::Instant;

use app::backend::chats::AFTER_MAX;

use super::limits::REORDER_WAIT;

/// A message frame on its way to the client.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub chat_id: String,
    pub seq: i64,
    pub payload: Payload,
    /// Sent by someone else (so its arrival is a delivery receipt).
    pub from_other: bool,
}

/// `Some` for a `message` frame (new or replayed message); other frames pass through as they are.
/// `me` is the viewer's displayed user id (as in `PersonView::user_id`).
pub fn peek_message(payload: &Payload, me: &str) -> Option<Outgoing> {
    let header = payload.message.as_ref()?;
    let from_other = header.sender.as_deref().is_some_and(|sender| sender != me);
    Some(Outgoing { chat_id: header.chat_id.clone(), seq: header.seq, payload: payload.clone(), from_other })
}

#[derive(Debug, Default)]
struct ChatOrder {
    /// The sequence the client should see next.
    next: i64,
    /// Messages that arrived ahead of `next`.
    held: BTreeMap<i64, Outgoing>,
    /// When the oldest held message started waiting.
    since: Option<Instant>,
}

/// At most this many messages wait per chat; beyond it the gap is filled at once.
const MAX_HELD: usize = 256;

#[derive(Debug, Default)]
pub struct Sequencer {
    chats: HashMap<String, ChatOrder>,
}

impl Sequencer {
    /// The client has (from its cursor or the replay) everything up to `upto` in the chat.
    pub fn replayed(&mut self, chat_id: &str, upto: i64) {
        let order = self.chats.entry(chat_id.to_owned()).or_default();
        order.next = order.next.max(upto + 1);
    }

    /// A live message frame: returns what to forward now, in order (possibly nothing).
    pub fn live(&mut self, message: Outgoing, now: Instant) -> Vec<Outgoing> {
        let Some(order) = self.chats.get_mut(&message.chat_id) else {
            // First we hear of this chat on this connection: it starts here.
            let order = ChatOrder { next: message.seq + 1, ..Default::default() };
            self.chats.insert(message.chat_id.clone(), order);
            return vec![message];
        };
        if message.seq < order.next {
            return Vec::new(); // replayed already (or a duplicate)
        }
        order.held.insert(message.seq, message);
        let out = order.drain_in_order();
        if order.held.is_empty() {
            order.since = None;
        } else if order.since.is_none() {
            order.since = Some(now);
        }
        out
    }

    /// When the oldest held message has waited long enough for a fill.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.chats.values().filter_map(|o| o.since).min().map(|s| s + REORDER_WAIT)
    }

    /// A chat whose gap should be filled from the store now: `(chat, fetch after, count)`, the
    /// count within what one read returns.
    pub fn overdue(&self, now: Instant) -> Option<(String, i64, u32)> {
        self.chats.iter().find_map(|(chat, o)| {
            let waited_out = o.since.is_some_and(|s| now >= s + REORDER_WAIT) || o.held.len() >= MAX_HELD;
            let last = *o.held.keys().next_back()?;
            let count = last.saturating_sub(o.next).saturating_add(1).clamp(1, i64::from(AFTER_MAX));
            waited_out.then(|| (chat.clone(), o.next - 1, count as u32))
        })
    }

    /// Messages read from the store for an overdue gap (the read asked by `overdue`; `complete`
    /// when it returned fewer than asked, so the store holds nothing after them): forwards, in
    /// order, what the read covers. A sequence neither fetched nor held there is one the viewer
    /// cannot see; it is skipped. Held messages past a partial read stay held (and overdue), so
    /// the client's cursor never passes a sequence that was not looked for.
    pub fn fill(&mut self, chat_id: &str, fetched: Vec<Outgoing>, complete: bool) -> Vec<Outgoing> {
        let Some(order) = self.chats.get_mut(chat_id) else { return Vec::new() };
        let covered = match (complete, fetched.last()) {
            (true, _) => i64::MAX,
            (false, Some(last)) => last.seq,
            (false, None) => return Vec::new(),
        };
        for message in fetched {
            if message.seq >= order.next {
                order.held.entry(message.seq).or_insert(message);
            }
        }
        let mut out = Vec::new();
        while let Some(entry) = order.held.first_entry().filter(|e| *e.key() <= covered) {
            out.push(entry.remove());
        }
        if let Some(last) = out.last() {
            order.next = last.seq + 1;
        }
        if order.held.is_empty() {
            order.since = None;
        }
        out
    }
}

impl ChatOrder {
    fn drain_in_order(&mut self) -> Vec<Outgoing> {
        let mut out = Vec::new();
        while let Some(message) = self.held.remove(&self.next) {
            self.next += 1;
            out.push(message);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(chat: &str, seq: i64) -> Outgoing {
        Outgoing { chat_id: chat.into(), seq, payload: Payload::text(&format!("{chat}:{seq}")), from_other: true }
    }

    fn seqs(out: &[Outgoing]) -> Vec<i64> {
        out.iter().map(|m| m.seq).collect()
    }

    #[test]
    fn live_messages_already_replayed_are_dropped() {
        let mut s = Sequencer::default();
        let now = Instant::now();
        s.replayed("c", 5);
        assert!(s.live(message("c", 4), now).is_empty());
        assert!(s.live(message("c", 5), now).is_empty());
        assert_eq!(seqs(&s.live(message("c", 6), now)), [6]);
        assert!(s.live(message("c", 6), now).is_empty(), "never twice");
    }

    #[test]
    fn a_message_published_early_waits_for_its_predecessor() {
        let mut s = Sequencer::default();
        let now = Instant::now();
        s.replayed("c", 0);
        assert!(s.live(message("c", 2), now).is_empty());
        assert_eq!(s.next_deadline(), Some(now + REORDER_WAIT));
        assert_eq!(seqs(&s.live(message("c", 1), now)), [1, 2]);
        assert_eq!(s.next_deadline(), None);
    }

    #[test]
    fn a_chat_first_heard_live_starts_at_that_message() {
        let mut s = Sequencer::default();
        let now = Instant::now();
        assert_eq!(seqs(&s.live(message("c", 7), now)), [7]);
        assert_eq!(seqs(&s.live(message("c", 8), now)), [8]);
        assert!(s.live(message("other", 1), now).len() == 1, "chats are independent");
    }

    #[test]
    fn an_overdue_gap_is_filled_from_the_store_and_unseeable_sequences_skipped() {
        let mut s = Sequencer::default();
        let now = Instant::now();
        s.replayed("c", 10);
        assert!(s.live(message("c", 14), now).is_empty());
        assert!(s.live(message("c", 12), now).is_empty());
        assert_eq!(s.overdue(now), None, "not yet");
        let later = now + REORDER_WAIT;
        assert_eq!(s.overdue(later), Some(("c".into(), 10, 4)));
        // The store has 11 and 12 and 14 but not 13 (a message the viewer may not see).
        let out = s.fill("c", vec![message("c", 11), message("c", 12), message("c", 14)], true);
        assert_eq!(seqs(&out), [11, 12, 14]);
        assert!(s.live(message("c", 13), later).is_empty(), "behind the line now");
        assert_eq!(seqs(&s.live(message("c", 15), later)), [15]);
    }

    #[test]
    fn a_fill_that_read_part_of_a_long_gap_releases_only_what_it_covered() {
        let mut s = Sequencer::default();
        let now = Instant::now();
        s.replayed("c", 0);
        assert!(s.live(message("c", 2), now).is_empty());
        assert!(s.live(message("c", 900), now).is_empty());
        let later = now + REORDER_WAIT;
        assert_eq!(s.overdue(later), Some(("c".into(), 0, AFTER_MAX)), "one read's worth");
        // The read returned a full page, 1..=500: what lies after it was not looked for yet.
        let page: Vec<Outgoing> = (1..=500).map(|n| message("c", n)).collect();
        let out = s.fill("c", page, false);
        assert_eq!(seqs(&out), (1..=500).collect::<Vec<_>>());
        assert_eq!(s.overdue(later), Some(("c".into(), 500, 400)), "the rest is read next");
        let out = s.fill("c", (501..=900).map(|n| message("c", n)).collect(), true);
        assert_eq!(seqs(&out), (501..=900).collect::<Vec<_>>());
        assert_eq!(s.next_deadline(), None);
    }

    #[test]
    fn message_frames_are_recognised_and_others_pass() {
        use app::realtime::protocol::ServerFrame;
        let message = app::chats::types::MessageView::sample("c1", 3, "AAAA-BBBB", "hi");
        let payload = Payload::of(&ServerFrame::Message { message: message.clone() }).unwrap();
        let seen = peek_message(&payload, "CCCC-DDDD").unwrap();
        assert_eq!((seen.chat_id.as_str(), seen.seq, seen.from_other), ("c1", 3, true));
        assert!(!peek_message(&payload, "AAAA-BBBB").unwrap().from_other, "my own message");
        let pong = Payload::of(&ServerFrame::Pong { nonce: 1 }).unwrap();
        assert!(peek_message(&pong, "AAAA-BBBB").is_none());
        let updated = Payload::of(&ServerFrame::MessageUpdated { message }).unwrap();
        assert!(peek_message(&updated, "AAAA-BBBB").is_none());
    }
}
