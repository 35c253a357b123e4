//! Stored rows turned into what the viewer sees: people, presence, messages with their reactions
//! and reply previews, chat-list rows.
use std::collections::HashMap;

use super::{ChatsService, attachments::stored_views};
use crate::accounts::validate::display_user_id;
use crate::chats::preview::{excerpt, last_message};
use crate::chats::types::*;
use crate::backend::store::{
    chats::{Brief, MessageRow, ReactionRow, SummaryRow},
    states::MemberState,
};

/// How many names a reaction lists.
const REACTION_NAMES: usize = 5;

pub(super) fn person(b: &Brief) -> PersonView {
    PersonView { user_id: display_user_id(&b.id), username: b.username.clone(), display_name: b.display_name.clone() }
}

pub(super) fn request_state(member_state: MemberState) -> RequestState {
    match member_state {
        MemberState::Incoming => RequestState::Incoming,
        MemberState::Outgoing => RequestState::Outgoing,
        MemberState::Declined => RequestState::Declined,
        _ => RequestState::None,
    }
}

fn system_event(m: &MessageRow) -> Option<SystemEvent> {
    m.system.as_deref().and_then(|json| {
        serde_json::from_str(json).map_err(|e| tracing::warn!(error = %e, message = %m.id, "unreadable system event")).ok()
    })
}

/// Reactions grouped by emoji, in the order each emoji first appeared.
pub(super) fn reaction_views(rows: &[&ReactionRow], viewer: &str) -> Vec<ReactionView> {
    let mut views: Vec<ReactionView> = Vec::new();
    for r in rows {
        let view = match views.iter_mut().position(|v| v.emoji == r.emoji) {
            Some(i) => &mut views[i],
            None => {
                views.push(ReactionView { emoji: r.emoji.clone(), count: 0, by: Vec::new(), mine: false });
                views.last_mut().expect("just pushed")
            }
        };
        view.count += 1;
        if view.by.len() < REACTION_NAMES {
            view.by.push(r.display_name.clone());
        }
        view.mine |= r.user_id == viewer;
    }
    views
}

pub(super) fn message_view(m: &MessageRow, reactions: &[&ReactionRow], viewer: &str) -> MessageView {
    let mine = m.sender.as_ref().is_some_and(|s| s.id == viewer);
    MessageView {
        id: m.id.clone(),
        chat_id: m.chat_id.clone(),
        seq: m.seq,
        sender: m.sender.as_ref().map(person),
        body: if m.deleted { String::new() } else { m.body.clone() },
        system: system_event(m),
        created_at: m.created_at,
        edited_at: m.edited_at,
        deleted: m.deleted,
        reply_to: m.reply_to.as_ref().map(|r| ReplyPreview {
            id: r.id.clone(),
            seq: r.seq,
            sender: person(&r.sender),
            excerpt: if r.deleted { String::new() } else { excerpt(&r.body) },
            deleted: r.deleted,
            attachment: if r.deleted { None } else { stored_views(r.attachments.as_deref()).into_iter().next() },
        }),
        reactions: reaction_views(reactions, viewer),
        client_id: if mine { m.client_id.clone() } else { None },
        attachments: if m.deleted { Vec::new() } else { stored_views(m.attachments.as_deref()) },
    }
}

/// Messages with their reactions, as `viewer` sees them.
pub(super) fn message_views(rows: &[MessageRow], reactions: &[ReactionRow], viewer: &str) -> Vec<MessageView> {
    let mut by_message: HashMap<&str, Vec<&ReactionRow>> = HashMap::new();
    for r in reactions {
        by_message.entry(r.message_id.as_str()).or_default().push(r);
    }
    rows.iter().map(|m| message_view(m, by_message.get(m.id.as_str()).map(Vec::as_slice).unwrap_or(&[]), viewer)).collect()
}

impl ChatsService {
    /// Online if the viewer may see it and a device is connected, else the last-seen time.
    pub(super) async fn presence(&self, user_id: &str, visible: bool, last_seen_at: Option<i64>) -> Presence {
        if !visible {
            Presence::Hidden
        } else if self.hub.is_online(user_id).await {
            Presence::Online
        } else {
            last_seen_at.map_or(Presence::Hidden, |at| Presence::LastSeen { at })
        }
    }

    pub(super) async fn summary(&self, row: &SummaryRow) -> ChatSummary {
        let group = row.conv.kind == ChatKind::Group;
        let last_message = row.last.as_ref().map(|m| {
            let event = system_event(m);
            let sender = m.sender.as_ref().map(|s| (s.display_name.as_str(), s.id == row.viewer));
            let attachments = stored_views(m.attachments.as_deref());
            last_message(&m.id, m.seq, sender, &m.body, &attachments, event.as_ref(), m.deleted, m.created_at, group)
        });
        let peer_online = match &row.peer {
            Some(peer) if row.peer_presence_visible => self.hub.is_online(&peer.id).await,
            _ => false,
        };
        ChatSummary {
            id: row.conv.id.clone(),
            kind: row.conv.kind,
            title: if group {
                row.conv.name.clone()
            } else {
                row.peer.as_ref().map(|p| p.display_name.clone()).unwrap_or_default()
            },
            peer: row.peer.as_ref().map(person),
            peer_online,
            last_message,
            unread: row.unread.clamp(0, u32::MAX as i64) as u32,
            muted: row.muted,
            request: request_state(row.my_state),
            updated_at: row.conv.last_activity_at,
            invited_by: None,
        }
    }
}
