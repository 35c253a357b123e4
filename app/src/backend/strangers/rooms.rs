//! A stranger conversation as the service holds it in memory, and how each side sees it: the
//! partner appears only as "not mine".
use crate::strangers::types::{EndReason, StrangerChat, StrangerMessage};

/// One conversation: its two people (by side, 0 and 1), what was said, and how it ended.
pub(super) struct Room {
    pub(super) people: [String; 2],
    pub(super) shared_interests: Vec<String>,
    pub(super) started_at: i64,
    pub(super) said: Vec<Said>,
    /// The bytes of text in `said`.
    pub(super) bytes: usize,
    pub(super) ended: Option<(Ending, i64)>,
    pub(super) offered: [bool; 2],
    pub(super) reported: [bool; 2],
    pub(super) blocked: [bool; 2],
    pub(super) direct_chat: Option<String>,
}

pub(super) struct Said {
    pub(super) side: usize,
    pub(super) body: String,
    pub(super) created_at: i64,
    pub(super) client_id: String,
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Ending {
    /// That side pressed Next or Stop, reported or blocked.
    Left(usize),
    /// That side's page went silent.
    Away(usize),
    StayedInTouch,
}

impl Room {
    pub(super) fn new(people: [String; 2], shared_interests: Vec<String>, started_at: i64) -> Self {
        Self {
            people,
            shared_interests,
            started_at,
            said: Vec::new(),
            bytes: 0,
            ended: None,
            offered: [false; 2],
            reported: [false; 2],
            blocked: [false; 2],
            direct_chat: None,
        }
    }

    pub(super) fn side_of(&self, user: &str) -> Option<usize> {
        self.people.iter().position(|p| p == user)
    }

    pub(super) fn live(&self) -> bool {
        self.ended.is_none()
    }

    pub(super) fn message(&self, seq: usize, side: usize) -> StrangerMessage {
        let said = &self.said[seq - 1];
        let mine = said.side == side;
        StrangerMessage {
            seq: seq as i64,
            mine,
            body: said.body.clone(),
            created_at: said.created_at,
            client_id: mine.then(|| said.client_id.clone()),
        }
    }

    /// `side`'s view; `with_messages` false leaves the list empty (a frame about a change of
    /// state: the messages went out one by one).
    pub(super) fn view(&self, id: &str, side: usize, with_messages: bool) -> StrangerChat {
        let ended = self.ended.map(|(ending, _)| match ending {
            Ending::StayedInTouch => EndReason::StayedInTouch,
            Ending::Left(s) if s == side => EndReason::YouLeft,
            Ending::Left(_) => EndReason::StrangerLeft,
            Ending::Away(s) if s == side => EndReason::YouDisconnected,
            Ending::Away(_) => EndReason::StrangerDisconnected,
        });
        StrangerChat {
            id: id.to_owned(),
            shared_interests: self.shared_interests.clone(),
            started_at: self.started_at,
            messages: if with_messages { (1..=self.said.len()).map(|seq| self.message(seq, side)).collect() } else { Vec::new() },
            ended,
            i_offered_contact: self.offered[side],
            stranger_offered_contact: self.offered[1 - side],
            direct_chat: self.direct_chat.clone(),
            reported: self.reported[side],
            blocked: self.blocked[side],
        }
    }

    /// The conversation as a report keeps it, from the reporter's side.
    pub(super) fn transcript(&self, reporter: usize) -> String {
        let lines: Vec<serde_json::Value> = self
            .said
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let from = if s.side == reporter { "reporter" } else { "reported" };
                serde_json::json!({ "seq": i + 1, "from": from, "body": s.body, "created_at": s.created_at })
            })
            .collect();
        serde_json::Value::Array(lines).to_string()
    }
}
