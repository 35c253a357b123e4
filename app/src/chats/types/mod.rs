//! What the web app, the REST API and the WebSocket show of conversations: plain serialisable
//! views, shared by the server and the wasm client. Times are Unix seconds (UTC); the browser
//! formats them in the viewer's time zone.
mod conversations;
mod messages;
mod people;
#[cfg(any(test, feature = "ssr"))]
mod samples;
mod search;

pub use conversations::*;
pub use messages::*;
pub use people::*;
pub use search::*;

/// The longest message body, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4096;
/// Messages per history page.
pub const PAGE_SIZE: u32 = 50;

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> PersonView {
        PersonView { user_id: name.to_uppercase(), ..PersonView::sample(name) }
    }

    #[test]
    fn a_chat_sorts_by_its_last_message_id_or_else_its_own() {
        let empty = ChatSummary::sample("c1", ChatKind::Group);
        assert_eq!(empty.activity_key(), "c1");
        let written = ChatSummary { last_message: Some(LastMessage::sample(3, "hi", 5)), ..empty };
        assert_eq!(written.activity_key(), "m3");
    }

    #[test]
    fn presence_and_system_events_read_back_what_they_write() {
        for presence in [Presence::Online, Presence::LastSeen { at: 1_700_000_000 }, Presence::Hidden] {
            let text = serde_json::to_string(&presence).unwrap();
            assert_eq!(serde_json::from_str::<Presence>(&text).unwrap(), presence, "{text}");
        }
        let (ada, bo) = (person("ada"), person("bo"));
        for event in [
            SystemEvent::Created { by: ada.clone() },
            SystemEvent::Joined { who: ada.clone() },
            SystemEvent::Left { who: ada.clone() },
            SystemEvent::Added { who: ada.clone(), by: bo.clone() },
            SystemEvent::Removed { who: ada.clone(), by: bo.clone() },
            SystemEvent::Renamed { name: "Team".into(), by: bo.clone() },
            SystemEvent::RoleChanged { who: ada.clone(), role: Role::Admin, by: bo.clone() },
            SystemEvent::OwnerChanged { who: ada.clone(), by: bo.clone() },
            SystemEvent::Call { by: bo.clone(), video: true, outcome: crate::calls::types::CallOutcome::Answered, seconds: Some(201) },
            SystemEvent::Call { by: bo.clone(), video: false, outcome: crate::calls::types::CallOutcome::Missed, seconds: None },
        ] {
            let text = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<SystemEvent>(&text).unwrap(), event, "{text}");
        }
    }

    #[test]
    fn presence_and_system_events_read_like_internally_tagged_enums() {
        // The tag may come anywhere; unknown keys are ignored.
        let p: Presence = serde_json::from_str(r#"{"at":5,"x":[1],"state":"last_seen"}"#).unwrap();
        assert_eq!(p, Presence::LastSeen { at: 5 });
        assert_eq!(serde_json::from_str::<Presence>(r#"{"state":"hidden","at":null}"#).unwrap(), Presence::Hidden);
        let e: SystemEvent =
            serde_json::from_str(r#"{"name":"T","by":{"user_id":"B","username":"b","display_name":"b"},"event":"renamed"}"#).unwrap();
        assert_eq!(e, SystemEvent::Renamed { name: "T".into(), by: person("b") });
        for bad in [r#"{"state":"last_seen"}"#, r#"{"state":"away"}"#, r#"{"at":5}"#, r#"{"state":"last_seen","at":"5"}"#] {
            assert!(serde_json::from_str::<Presence>(bad).is_err(), "{bad}");
        }
        for bad in [r#"{"event":"created"}"#, r#"{"event":"renamed","by":{"user_id":"B","username":"b","display_name":"b"}}"#, r#"{"event":"gone"}"#] {
            assert!(serde_json::from_str::<SystemEvent>(bad).is_err(), "{bad}");
        }
    }
}
