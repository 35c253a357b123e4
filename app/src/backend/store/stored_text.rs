//! The one place the stores (SQLite and PostgreSQL alike) turn states into the text their columns hold, and back. Text
//! no state has (a row written by something else, a later version) is `StoreError::Corrupt`,
//! never a default.
use sqlx::{ColumnIndex, Decode, Row, Type};

use super::{
    StoreError,
    states::{ChatKind, ContactStatus, InvitationState, LastSeenVisibility, MemberState, Role, WhoCanMessage},
};

pub(super) trait StoredText: Sized + Copy {
    /// The column's text for this state.
    fn text(self) -> &'static str;
    fn parse(text: &str) -> Result<Self, StoreError>;
}

macro_rules! stored_text {
    ($type:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        impl StoredText for $type {
            fn text(self) -> &'static str {
                match self {
                    $($type::$variant => $text,)+
                }
            }

            fn parse(text: &str) -> Result<Self, StoreError> {
                match text {
                    $($text => Ok($type::$variant),)+
                    other => Err(StoreError::Corrupt(format!(concat!("unknown ", stringify!($type), " {:?}"), other))),
                }
            }
        }
    };
}

stored_text!(ChatKind { Direct = "direct", Group = "group" });
stored_text!(Role { Owner = "owner", Admin = "admin", Member = "member" });
stored_text!(MemberState {
    Active = "active",
    Incoming = "incoming",
    Outgoing = "outgoing",
    Declined = "declined",
    Dismissed = "dismissed",
    Left = "left",
    Removed = "removed",
});
stored_text!(ContactStatus { Pending = "pending", Accepted = "accepted", Declined = "declined", Blocked = "blocked" });
stored_text!(InvitationState { Pending = "pending", Declined = "declined" });
stored_text!(WhoCanMessage { Everyone = "everyone", Contacts = "contacts" });
stored_text!(LastSeenVisibility { Everyone = "everyone", Contacts = "contacts", Nobody = "nobody" });

/// A state column of a row, from either store's driver.
pub(super) fn state_at<'r, R, T>(r: &'r R, column: &str) -> Result<T, StoreError>
where
    R: Row,
    T: StoredText,
    &'r str: Decode<'r, R::Database> + Type<R::Database>,
    for<'c> &'c str: ColumnIndex<R>,
{
    T::parse(r.try_get::<&str, _>(column)?)
}

/// `(…)`, the states as an SQL list for `IN`.
pub(super) fn sql_list(states: &[MemberState]) -> String {
    let texts: Vec<String> = states.iter().map(|s| format!("'{}'", s.text())).collect();
    format!("({})", texts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_state_reads_back_what_it_writes_and_unknown_text_is_corrupt() {
        for state in [MemberState::Active, MemberState::Incoming, MemberState::Outgoing, MemberState::Declined, MemberState::Dismissed, MemberState::Left, MemberState::Removed] {
            assert_eq!(MemberState::parse(state.text()).unwrap(), state);
        }
        for kind in [ChatKind::Direct, ChatKind::Group] {
            assert_eq!(ChatKind::parse(kind.text()).unwrap(), kind);
        }
        assert!(matches!(ChatKind::parse("channel"), Err(StoreError::Corrupt(_))), "not silently a direct chat");
        assert!(matches!(Role::parse("Owner"), Err(StoreError::Corrupt(_))));
        assert_eq!(sql_list(&[MemberState::Active, MemberState::Left]), "('active', 'left')");
    }
}
