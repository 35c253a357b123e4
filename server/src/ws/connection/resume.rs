//! Resuming: the replay after a `hello`'s cursors, and filling gaps that live delivery left open.
//! Either way the client's cursor (the highest sequence it was sent) never passes a message it
//! was not sent: when the store cannot be read, the client is told to reconnect, and resumes.
use std::collections::{HashSet, VecDeque};

use app::{
    backend::{
        clock::{Clock, SystemClock},
        hub::{DeviceLink, HubEvent},
    },
    ids::ChatId,
    realtime::protocol::{Cursor, ServerFrame},
};
use tokio::{sync::mpsc::error::TryRecvError, time::Instant};

use super::{Connection, End, Step, instant_at};
use crate::ws::limits::{MAX_BUFFERED_DURING_REPLAY, MAX_CURSORS, REPLAY_PAGE, REPLAY_TIME, SINCE_MARGIN_MS};

/// What the client's `hello` asked for.
pub(super) struct Hello {
    pub cursors: Vec<Cursor>,
    pub since: Option<i64>,
}

/// What one replay may still spend: messages, and time until its deadline.
struct Budget {
    messages_left: usize,
    deadline: Instant,
    /// When the access token that opened the socket expires.
    token_expiry: Option<Instant>,
}

impl Budget {
    /// Whether the replay may go on: not past its time, nor past the token's.
    fn check(&self, now: Instant) -> Step {
        if self.token_expiry.is_some_and(|at| now >= at) {
            return Err(End::SignedOut("token_expired"));
        }
        if now >= self.deadline {
            return Err(End::Reconnect("replay_limit"));
        }
        Ok(())
    }

    /// Takes one message from the budget (before it is sent).
    fn spend(&mut self) -> Step {
        self.messages_left = self.messages_left.checked_sub(1).ok_or(End::Reconnect("replay_limit"))?;
        Ok(())
    }
}

impl Connection {
    /// Sends, per cursor, every message after it (up to the chat's last when the replay began),
    /// oldest first, in pages; then, when the hello said how old the client's copy is, what
    /// changed in the messages it holds. Bounded by `replay_messages` and `REPLAY_TIME`.
    pub(super) async fn replay(&mut self, link: &mut DeviceLink, hello: Hello, buffered: &mut VecDeque<HubEvent>) -> Step {
        let Hello { cursors, since } = hello;
        if cursors.is_empty() {
            return Ok(());
        }
        let mut budget = Budget {
            messages_left: self.cx.replay_messages,
            deadline: Instant::now() + REPLAY_TIME,
            token_expiry: self.cx.device.expires_at.map(instant_at),
        };
        let last_seqs = match self.cx.services.chats.my_chats_last_seq(&self.cx.user).await {
            Ok(chats) => chats,
            Err(e) => {
                self.error(e.code(), e.to_string(), None).await?;
                return Err(End::Reconnect("unavailable"));
            }
        };
        // A `since` in the future asks for nothing; one before 1970 for everything.
        let since = since.map(|at| at.clamp(0, SystemClock.now_ms()).saturating_sub(SINCE_MARGIN_MS));
        let mut seen = HashSet::new();
        for cursor in cursors.into_iter().take(MAX_CURSORS) {
            budget.check(Instant::now())?;
            if *self.cx.stopping.borrow() {
                return Err(End::Reconnect("restart"));
            }
            let chat = ChatId::from(cursor.chat_id);
            if !seen.insert(chat.clone()) {
                continue;
            }
            let Some(&last) = last_seqs.get(&chat) else {
                self.send(&ServerFrame::ChatRemoved { chat_id: chat.to_string() }).await?;
                continue;
            };
            // The client holds at most what the chat holds, and nothing before its start.
            let held = cursor.seq.clamp(0, last);
            let upto = self.replay_chat(&chat, held, last, &mut budget, link, buffered).await?;
            self.sequencer.replayed(chat.as_str(), upto);
            if let Some(since) = since {
                self.replay_changes(&chat, since, held).await?;
                drain(link, buffered)?;
            }
        }
        Ok(())
    }

    /// One chat's messages after `after` up to `last`; returns the sequence it got to. Each page
    /// must move on: one that does not ends the chat's replay.
    async fn replay_chat(
        &mut self,
        chat_id: &ChatId,
        mut after: i64,
        last: i64,
        budget: &mut Budget,
        link: &mut DeviceLink,
        buffered: &mut VecDeque<HubEvent>,
    ) -> Result<i64, End> {
        let services = self.cx.services.clone();
        while after < last {
            budget.check(Instant::now())?;
            let page = match services.chats.messages_after(&self.cx.user, chat_id, after, REPLAY_PAGE).await {
                Ok(page) => page,
                Err(e) => {
                    // Going live now would move the client's cursor past what it was not sent.
                    self.error(e.code(), e.to_string(), None).await?;
                    return Err(End::Reconnect("unavailable"));
                }
            };
            let before = after;
            for message in page.into_iter().filter(|m| m.seq > before) {
                budget.spend()?;
                after = after.max(message.seq);
                let outgoing = self.outgoing(message);
                self.send_message(outgoing).await?;
            }
            drain(link, buffered)?;
            if after == before {
                break;
            }
        }
        Ok(after)
    }

    /// Edits, deletions, reactions and read/delivered marks in a chat since `since` (ms), for
    /// the messages up to `upto` the client already holds. Each frame carries the current state,
    /// so one the client also gets live does no harm.
    async fn replay_changes(&mut self, chat_id: &ChatId, since: i64, upto: i64) -> Step {
        let changes = match self.cx.services.chats.changes_since(&self.cx.user, chat_id, since, upto).await {
            Ok(changes) => changes,
            Err(e) => return self.error(e.code(), e.to_string(), None).await,
        };
        for message in changes.messages {
            self.send(&ServerFrame::MessageUpdated { message }).await?;
        }
        for mark in changes.marks {
            let (chat_id, user_id) = (chat_id.to_string(), mark.user_id);
            self.send(&ServerFrame::Delivered { chat_id: chat_id.clone(), user_id: user_id.clone(), seq: mark.delivered }).await?;
            self.send(&ServerFrame::Read { chat_id, user_id, seq: mark.read }).await?;
        }
        Ok(())
    }

    /// Fills gaps that live delivery left open for too long, from the store. When the store
    /// cannot be read the held messages stay unsent and the client is told to reconnect: it
    /// resumes from the last message it got, gap included.
    pub(super) async fn fill_gaps(&mut self) -> Step {
        while let Some((chat_id, after, count)) = self.sequencer.overdue(Instant::now()) {
            let chat = ChatId::from(chat_id.as_str());
            let page = match self.cx.services.chats.messages_after(&self.cx.user, &chat, after, count).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(error = %e, "filling a gap failed");
                    return Err(End::Reconnect("unavailable"));
                }
            };
            let complete = page.len() < count as usize;
            let fetched = page.into_iter().map(|m| self.outgoing(m)).collect();
            for outgoing in self.sequencer.fill(&chat_id, fetched, complete) {
                self.send_message(outgoing).await?;
            }
        }
        Ok(())
    }
}

/// Moves live events that arrived during a replay page into the connection's own buffer, so
/// the hub's bounded queue does not fill while a long replay is sent.
fn drain(link: &mut DeviceLink, buffered: &mut VecDeque<HubEvent>) -> Step {
    loop {
        match link.events.try_recv() {
            Ok(event) => buffered.push_back(event),
            Err(TryRecvError::Empty) => break,
            Err(TryRecvError::Disconnected) => return Err(End::Reconnect("slow")),
        }
        if buffered.len() > MAX_BUFFERED_DURING_REPLAY {
            return Err(End::Reconnect("slow"));
        }
    }
    Ok(())
}
