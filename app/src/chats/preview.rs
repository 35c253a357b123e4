//! What the chat list shows of a chat's last message, shared by the server (which builds the
//! rows) and the browser (which keeps them current from live frames).
use super::types::{LastMessage, MessageView, Role, SystemEvent};
use crate::calls::types::call_text;
use crate::media::types::{AttachmentView, preview_text};

const EXCERPT_CHARS: usize = 100;

/// A chat-list preview of a message. `sender`: display name and whether it is the viewer.
#[allow(clippy::too_many_arguments)]
pub fn last_message(
    id: &str,
    seq: i64,
    sender: Option<(&str, bool)>,
    body: &str,
    attachments: &[AttachmentView],
    event: Option<&SystemEvent>,
    deleted: bool,
    created_at: i64,
    group: bool,
) -> LastMessage {
    LastMessage {
        id: id.to_owned(),
        seq,
        sender: if group && event.is_none() { sender.map(|(name, _)| name.to_owned()) } else { None },
        sender_is_me: sender.is_some_and(|(_, me)| me),
        excerpt: match (event, deleted) {
            (Some(event), _) => system_text(event),
            (None, true) => "Message deleted".into(),
            (None, false) => excerpt(&preview_text(attachments, body)),
        },
        created_at,
    }
}

/// The preview of a message as frames carry it; `me` is the viewer's user id as shown.
pub fn last_message_of(message: &MessageView, me: &str, group: bool) -> LastMessage {
    let sender = message.sender.as_ref().map(|s| (s.display_name.as_str(), s.user_id == me));
    last_message(
        &message.id,
        message.seq,
        sender,
        &message.body,
        &message.attachments,
        message.system.as_ref(),
        message.deleted,
        message.created_at,
        group,
    )
}

/// The first characters of a body, on one line.
pub fn excerpt(body: &str) -> String {
    let line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= EXCERPT_CHARS {
        line
    } else {
        let mut cut: String = line.chars().take(EXCERPT_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// A system event in words, for the chat list's preview.
pub fn system_text(event: &SystemEvent) -> String {
    match event {
        SystemEvent::Created { by } => format!("{} created the group", by.display_name),
        SystemEvent::Joined { who } => format!("{} joined", who.display_name),
        SystemEvent::Left { who } => format!("{} left", who.display_name),
        SystemEvent::Added { who, by } => format!("{} added {}", by.display_name, who.display_name),
        SystemEvent::Removed { who, by } => format!("{} removed {}", by.display_name, who.display_name),
        SystemEvent::Renamed { name, by } => format!("{} renamed the group to “{name}”", by.display_name),
        SystemEvent::RoleChanged { who, role, by } => {
            let role = match role {
                Role::Admin => "an admin",
                Role::Owner => "the owner",
                Role::Member => "a member",
            };
            format!("{} made {} {role}", by.display_name, who.display_name)
        }
        SystemEvent::OwnerChanged { who, .. } => format!("{} is now the owner", who.display_name),
        SystemEvent::Call { video, outcome, seconds, .. } => call_text(*video, *outcome, *seconds, None),
    }
}

