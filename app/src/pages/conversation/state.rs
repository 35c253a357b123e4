//! One open conversation's client state: the messages (a single store, oldest first, by `seq`),
//! the sends still on their way (read from the realtime client's outbox), and what the composer
//! is doing. Everything that changes the messages goes through `upsert_message`, so history
//! pages, edits and live frames all merge the same way.
use leptos::{prelude::*, task::spawn_local};

use crate::realtime::client::{PendingSend, Realtime, use_realtime};
use crate::chats::{
    api,
    types::{ChatDetail, MemberView, MessageView, ReactionView, ReplyPreview},
    validate,
};

/// Puts `msg` where its `seq` belongs. A message with the same id, or the same client id (the
/// stored copy of a send), is replaced; the list stays sorted and free of duplicates.
pub fn upsert_message(list: &mut Vec<MessageView>, msg: MessageView) {
    let same = |m: &MessageView| m.id == msg.id || (msg.client_id.is_some() && m.client_id == msg.client_id);
    if let Some(i) = list.iter().position(same) {
        if list[i].seq == msg.seq {
            list[i] = msg;
            return;
        }
        list.remove(i);
    }
    let at = list.partition_point(|m| m.seq < msg.seq);
    match list.get(at) {
        Some(m) if m.seq == msg.seq => list[at] = msg,
        _ => list.insert(at, msg),
    }
}

/// Merges a page of history (or any batch) into the store.
pub fn merge_messages(list: &mut Vec<MessageView>, batch: Vec<MessageView>) {
    for m in batch {
        upsert_message(list, m);
    }
}

/// Replaces one message's reactions (the answer to a toggle, or a live `reactions` frame).
pub fn set_reactions(list: &mut [MessageView], message_id: &str, reactions: Vec<ReactionView>) {
    if let Some(m) = list.iter_mut().find(|m| m.id == message_id) {
        m.reactions = reactions;
    }
}

/// The highest sequence in the store.
pub fn newest_seq(list: &[MessageView]) -> i64 {
    list.last().map_or(0, |m| m.seq)
}

/// The composer's check before anything is sent (the server's own check, shared): the trimmed
/// body, or why not — empty for an empty box, which is simply ignored.
pub fn check_body(body: &str) -> Result<String, String> {
    validate::message_body(body).map_err(|e| if e.code() == "message_empty" { String::new() } else { e.to_string() })
}

/// The conversation's signals, `Copy` so every component can hold them.
#[derive(Clone, Copy)]
pub struct ConvState {
    pub chat_id: StoredValue<String>,
    /// Oldest first, by `seq`.
    pub messages: RwSignal<Vec<MessageView>>,
    /// This chat's sends on their way (shown after the stored messages, in order).
    pub pending: Memo<Vec<PendingSend>>,
    pub next_before: RwSignal<Option<i64>>,
    pub loading_older: RwSignal<bool>,
    pub replying: RwSignal<Option<ReplyPreview>>,
    pub editing: RwSignal<Option<MessageView>>,
    /// The message whose action menu is open.
    pub menu: RwSignal<Option<String>>,
    /// The message asking "delete for everyone?".
    pub confirm_delete: RwSignal<Option<String>>,
    /// The seq to scroll to and flash (a search hit or a quoted reply).
    pub highlight: RwSignal<Option<i64>>,
    /// The viewer's user ID (grouped), to tell own messages apart.
    pub me: StoredValue<String>,
    /// Set after each change the chat list should hear about (a send, reading).
    pub changed: RwSignal<u32>,
    /// A failed edit, delete or reaction.
    pub error: RwSignal<Option<String>>,
    pub last_marked: RwSignal<i64>,
    /// The socket the signed-in layout provides: sends go through it and its outbox, which
    /// survives reconnects.
    pub realtime: Realtime,
    /// The other person's user ID in a direct chat (for receipts).
    pub peer_id: StoredValue<String>,
    /// Everyone in the chat with the read mark it had when the page loaded (groups' "seen by").
    pub members: StoredValue<Vec<MemberView>>,
}

impl ConvState {
    pub fn new(detail: &ChatDetail, me: String) -> Self {
        let realtime = use_realtime().expect("the signed-in layout provides the realtime client");
        let chat_id = detail.id.clone();
        Self {
            chat_id: StoredValue::new(detail.id.clone()),
            messages: RwSignal::new(detail.messages.clone()),
            pending: Memo::new(move |_| realtime.pending_in(&chat_id)),
            next_before: RwSignal::new(detail.next_before),
            loading_older: RwSignal::new(false),
            replying: RwSignal::new(None),
            editing: RwSignal::new(None),
            menu: RwSignal::new(None),
            confirm_delete: RwSignal::new(None),
            highlight: RwSignal::new(None),
            me: StoredValue::new(me),
            changed: RwSignal::new(0),
            error: RwSignal::new(None),
            last_marked: RwSignal::new(detail.last_read_seq),
            realtime,
            peer_id: StoredValue::new(detail.peer.as_ref().map(|p| p.user_id.clone()).unwrap_or_default()),
            members: StoredValue::new(detail.members.clone()),
        }
    }

    pub fn is_mine(&self, m: &MessageView) -> bool {
        let me = self.me.get_value();
        m.sender.as_ref().is_some_and(|s| same_user_id(&s.user_id, &me))
    }

    fn touched(&self) {
        self.changed.update(|v| *v += 1);
    }

    /// Sends through the realtime client's outbox: pending at once, out now or after the
    /// reconnect; its stored copy arrives as a frame (see `live`).
    pub fn send(self, body: String, reply_to: Option<ReplyPreview>) {
        self.realtime.send(&self.chat_id.get_value(), &body, reply_to);
    }

    /// Sends a failed message again with the same client id (the server stores it once).
    pub fn retry(self, client_id: &str) {
        self.realtime.retry(client_id);
    }

    /// Drops a failed send.
    pub fn discard(self, client_id: &str) {
        self.realtime.discard(client_id);
    }

    /// The person typed in the composer (the socket sends it on, throttled).
    pub fn typing(self) {
        self.realtime.typing(&self.chat_id.get_value());
    }

    pub fn edit(self, message_id: String, body: String) {
        spawn_local(async move {
            match api::edit_message(message_id, body).await {
                Ok(m) => self.messages.update(|l| upsert_message(l, m)),
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
    }

    pub fn delete(self, message_id: String) {
        spawn_local(async move {
            match api::delete_message(message_id).await {
                Ok(m) => {
                    self.messages.update(|l| upsert_message(l, m));
                    self.touched();
                }
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
    }

    pub fn react(self, message_id: String, emoji: String) {
        spawn_local(async move {
            match api::toggle_reaction(message_id.clone(), emoji).await {
                Ok(r) => self.messages.update(|l| set_reactions(l, &message_id, r)),
                Err(e) => self.error.set(Some(e.to_string())),
            }
        });
    }

    /// Loads the page before the oldest message; `after` runs once it is in the store.
    pub fn load_older(self, after: impl FnOnce() + 'static) {
        let Some(before) = self.next_before.get_untracked() else { return };
        if self.loading_older.get_untracked() {
            return;
        }
        self.loading_older.set(true);
        let chat = self.chat_id.get_value();
        spawn_local(async move {
            match api::history(chat, before).await {
                Ok(page) => {
                    self.next_before.set(page.next_before);
                    self.messages.update(|l| merge_messages(l, page.messages));
                    after();
                }
                Err(e) => self.error.set(Some(e.to_string())),
            }
            self.loading_older.set(false);
        });
    }

    /// Tells the server everything up to the newest message is read (once per new message).
    pub fn mark_read(self) {
        let newest = self.messages.with_untracked(|l| newest_seq(l));
        if newest <= self.last_marked.get_untracked() {
            return;
        }
        self.last_marked.set(newest);
        let chat = self.chat_id.get_value();
        spawn_local(async move {
            if api::mark_read(chat, newest).await.is_ok() {
                self.touched();
            }
        });
    }
}

/// User IDs compare without case or dash (`7kq4m2xd` is `7KQ4-M2XD`).
pub fn same_user_id(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.chars().filter(|c| *c != '-').map(|c| c.to_ascii_uppercase()).collect::<String>();
    !a.is_empty() && norm(a) == norm(b)
}

/// The quoted preview of a message, for the composer (the server fills in the stored one).
pub fn reply_preview(m: &MessageView) -> Option<ReplyPreview> {
    let sender = m.sender.clone()?;
    let excerpt: String = m.body.chars().take(120).collect();
    let attachment = m.attachments.first().cloned();
    Some(ReplyPreview { id: m.id.clone(), seq: m.seq, sender, excerpt, deleted: m.deleted, attachment })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chats::types::{MAX_MESSAGE_CHARS, PersonView};

    fn msg(id: &str, seq: i64, body: &str) -> MessageView {
        let ada = PersonView { user_id: "AAAA-BBBB".into(), username: "ada".into(), display_name: "Ada".into() };
        MessageView { id: id.into(), sender: Some(ada), created_at: seq * 10, ..MessageView::sample("c", seq, "", body) }
    }

    fn seqs(list: &[MessageView]) -> Vec<i64> {
        list.iter().map(|m| m.seq).collect()
    }

    #[test]
    fn upsert_inserts_by_seq_and_replaces_by_id() {
        let mut list = vec![msg("a", 1, "one"), msg("c", 3, "three")];
        upsert_message(&mut list, msg("d", 4, "four"));
        upsert_message(&mut list, msg("b", 2, "two"));
        assert_eq!(seqs(&list), vec![1, 2, 3, 4]);
        upsert_message(&mut list, msg("b", 2, "two, edited"));
        assert_eq!(seqs(&list), vec![1, 2, 3, 4]);
        assert_eq!(list[1].body, "two, edited");
    }

    #[test]
    fn upsert_dedupes_by_client_id_and_by_seq() {
        let mut list = vec![msg("a", 1, "one")];
        let mut sent = msg("b", 2, "hi");
        sent.client_id = Some("c1".into());
        upsert_message(&mut list, sent.clone());
        upsert_message(&mut list, sent.clone());
        assert_eq!(seqs(&list), vec![1, 2]);
        let mut again = msg("b2", 2, "hi");
        again.client_id = Some("c1".into());
        upsert_message(&mut list, again);
        assert_eq!(list.len(), 2);
        assert_eq!(list[1].id, "b2");
    }

    #[test]
    fn history_pages_merge_in_order() {
        let mut list = vec![msg("c", 3, ""), msg("d", 4, "")];
        merge_messages(&mut list, vec![msg("a", 1, ""), msg("b", 2, ""), msg("c", 3, "")]);
        assert_eq!(seqs(&list), vec![1, 2, 3, 4]);
        assert_eq!(newest_seq(&list), 4);
        assert_eq!(newest_seq(&[]), 0);
    }

    #[test]
    fn bodies_are_trimmed_and_limited() {
        assert_eq!(check_body("  hi \n"), Ok("hi".into()));
        assert_eq!(check_body("   "), Err(String::new()));
        assert!(check_body(&"x".repeat(MAX_MESSAGE_CHARS)).is_ok());
        let err = check_body(&"é".repeat(MAX_MESSAGE_CHARS + 1)).unwrap_err();
        assert!(err.contains("4097") && err.contains("4096"), "{err}");
    }

    #[test]
    fn user_ids_compare_loosely() {
        assert!(same_user_id("7KQ4-M2XD", "7kq4m2xd"));
        assert!(!same_user_id("", ""));
        assert!(!same_user_id("7KQ4-M2XD", "7KQ4-M2XE"));
    }
}
