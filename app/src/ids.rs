//! The ids the services take and return, each its own type so that a chat id cannot be passed
//! where a user id belongs (the service methods take several at once). They carry text as it
//! came: the doors parse and check what people send, and the services keep their own checks
//! (a user ID typed in any case is normalised by the service that takes it). Below the services
//! the store works on plain text again.
use std::{fmt, sync::Arc};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Why text with a control character is no id (a path with one names nothing: 404).
pub const CONTROL_IN_ID: &str = "an id has no control characters";

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        /// Sent and read as a bare string; clones share the text.
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(id.into())
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(id.into())
            }
        }

        /// An id equals its text, so ids compare with the view types' `String` fields.
        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                *self.0 == **other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                **self == *other.0
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                *self.0 == **other
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(&*self.0, f)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        /// No id holds a control character, so text with one is refused where it comes in (a
        /// path, a body, a frame) rather than looked up: PostgreSQL cannot even compare a NUL.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let id = String::deserialize(deserializer)?;
                if id.contains(char::is_control) {
                    return Err(serde::de::Error::custom(CONTROL_IN_ID));
                }
                Ok(Self::from(id))
            }
        }
    };
}

id_type!(
    /// A person's user ID; inside the services, its stored form (`7KQ4M2XD`).
    UserId
);
id_type!(
    /// A chat (direct or group), as the store names it.
    ChatId
);
id_type!(
    /// A stored message.
    MessageId
);
id_type!(
    /// The sender's own id for a message, which makes a resend find the stored one.
    ClientId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_travels_as_a_bare_string() {
        let chat = ChatId::from("c-1");
        assert_eq!(serde_json::to_string(&chat).unwrap(), r#""c-1""#);
        assert_eq!(serde_json::from_str::<ChatId>(r#""c-1""#).unwrap(), chat);
        assert!(serde_json::from_str::<ChatId>("7").is_err());
        for hostile in [r#""c\u0000""#, r#""\u0000""#, r#""c\n1""#, r#""c\u009b""#] {
            assert!(serde_json::from_str::<MessageId>(hostile).is_err(), "{hostile}");
        }
    }

    #[test]
    fn an_id_shows_its_text() {
        let user = UserId::from(String::from("7KQ4M2XD"));
        assert_eq!(user.to_string(), "7KQ4M2XD");
        assert_eq!(format!("{user:?}"), r#""7KQ4M2XD""#);
        assert_eq!(user.as_str(), "7KQ4M2XD");
        assert!(user == "7KQ4M2XD" && String::from("7KQ4M2XD") == user && user == String::from("7KQ4M2XD"));
    }
}
