//! Column lists and row mappings the two stores share: messages, replies, members and people
//! are selected under the same aliases in SQLite and PostgreSQL, and read by one mapping over
//! `Columns`, whichever driver produced the row.
use sqlx::{Row, postgres::PgRow, sqlite::SqliteRow};

use super::{
    StoreError,
    chats::{Brief, MemberRow, MessageRow, ReplyRow},
    stored_text::StoredText,
};

/// States in which a member may read a chat (and it shows in their list).
pub(super) const READABLE: &str = "('active', 'incoming', 'outgoing', 'declined')";

/// The replied-to message and its sender (aliases `r`, `rs`), as `reply_row` maps them; a macro
/// so that `MSG_COLS` can include the same literal.
macro_rules! reply_cols {
    () => {
        "r.id AS r_id, r.seq AS r_seq, r.body AS r_body, r.deleted AS r_deleted, r.attachments AS r_attachments, \
         rs.id AS rs_id, rs.username AS rs_username, rs.display_name AS rs_display_name"
    };
}
pub(super) const REPLY_COLS: &str = reply_cols!();
pub(super) const REPLY_FROM: &str = "messages r LEFT JOIN users rs ON rs.id = r.sender_id";

/// A message and its sender (aliases `m`, `s`), as `message_row` maps them with the reply's.
macro_rules! message_cols {
    () => {
        "m.id AS m_id, m.conversation_id AS m_chat, m.seq AS m_seq, m.body AS m_body, \
         m.system AS m_system, m.created_at AS m_created_at, m.edited_at AS m_edited_at, m.deleted AS m_deleted, \
         m.client_id AS m_client_id, m.attachments AS m_attachments, s.id AS s_id, s.username AS s_username, s.display_name AS s_display_name, "
    };
}
/// A message with its sender and the message it replies to (aliases `m`, `s`, `r`, `rs`).
pub(super) const MSG_COLS: &str = concat!(message_cols!(), reply_cols!());
/// A message as a preview shows it, without joining the message it replies to: `reply_row`
/// stops at the NULL `r_id`.
pub(super) const PREVIEW_COLS: &str = concat!(message_cols!(), "NULL AS r_id");
pub(super) const MSG_FROM: &str = "messages m LEFT JOIN users s ON s.id = m.sender_id \
    LEFT JOIN messages r ON r.id = m.reply_to LEFT JOIN users rs ON rs.id = r.sender_id";

/// A member row (alias `mb`) with its person (alias `u`), as `member_row` maps them.
pub(super) const MEMBER_COLS: &str = "mb.role AS mb_role, mb.state AS mb_state, mb.joined_at AS mb_joined_at, \
    mb.last_read_seq AS mb_last_read_seq, mb.last_delivered_seq AS mb_last_delivered_seq, mb.muted AS mb_muted, \
    mb.calls_off AS mb_calls_off, u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name";

/// A result row's columns by name, so one mapping serves every driver's rows (the pools' and
/// the SQLite writer's own connection).
pub(super) trait Columns {
    fn text(&self, name: &str) -> Option<String>;
    fn int(&self, name: &str) -> Option<i64>;
    /// A BOOLEAN column; NULL reads as false.
    fn flag(&self, name: &str) -> bool;
}

impl Columns for SqliteRow {
    fn text(&self, name: &str) -> Option<String> {
        self.get(name)
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.get(name)
    }
    fn flag(&self, name: &str) -> bool {
        self.get::<Option<bool>, _>(name).unwrap_or(false)
    }
}

impl Columns for PgRow {
    fn text(&self, name: &str) -> Option<String> {
        self.get(name)
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.get(name)
    }
    fn flag(&self, name: &str) -> bool {
        self.get::<Option<bool>, _>(name).unwrap_or(false)
    }
}

/// A state column; text no state has (or NULL) is `StoreError::Corrupt`.
pub(super) fn state_of<T: StoredText>(r: &impl Columns, name: &str) -> Result<T, StoreError> {
    T::parse(&r.text(name).unwrap_or_default())
}

/// A person's id, username and display name columns under one of the queries' aliases.
pub(super) type PersonCols = [&'static str; 3];
pub(super) const USER: PersonCols = ["u_id", "u_username", "u_display_name"];
/// A person of `users u`, under the aliases `USER` names.
pub(super) const USER_BRIEF_COLS: &str = "u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name";
pub(super) const SENDER: PersonCols = ["s_id", "s_username", "s_display_name"];
pub(super) const REPLY_SENDER: PersonCols = ["rs_id", "rs_username", "rs_display_name"];
pub(super) const PEER: PersonCols = ["p_id", "p_username", "p_display_name"];

pub(super) fn brief_at(r: &impl Columns, [id, username, display_name]: PersonCols) -> Option<Brief> {
    r.text(id).map(|id| Brief {
        id,
        username: r.text(username).unwrap_or_default(),
        display_name: r.text(display_name).unwrap_or_default(),
    })
}

/// Maps `MEMBER_COLS`.
pub(super) fn member_row(r: &impl Columns) -> Result<MemberRow, StoreError> {
    Ok(MemberRow {
        person: brief_at(r, USER).unwrap_or_default(),
        role: state_of(r, "mb_role")?,
        state: state_of(r, "mb_state")?,
        joined_at: r.int("mb_joined_at").unwrap_or_default(),
        last_read_seq: r.int("mb_last_read_seq").unwrap_or_default(),
        last_delivered_seq: r.int("mb_last_delivered_seq").unwrap_or_default(),
        muted: r.flag("mb_muted"),
        calls_off: r.flag("mb_calls_off"),
    })
}

/// Maps `MSG_COLS` (the message is absent when `m_id` is NULL).
pub(super) fn message_row(r: &impl Columns) -> Option<MessageRow> {
    Some(MessageRow {
        id: r.text("m_id")?,
        chat_id: r.text("m_chat").unwrap_or_default(),
        seq: r.int("m_seq").unwrap_or_default(),
        sender: brief_at(r, SENDER),
        body: r.text("m_body").unwrap_or_default(),
        system: r.text("m_system"),
        created_at: r.int("m_created_at").unwrap_or_default(),
        edited_at: r.int("m_edited_at"),
        deleted: r.flag("m_deleted"),
        reply_to: reply_row(r),
        client_id: r.text("m_client_id"),
        attachments: r.text("m_attachments"),
    })
}

/// Maps the replied-to message's columns of `MSG_COLS` (`r_*`, `rs_*`); `None` when `r_id` is NULL.
pub(super) fn reply_row(r: &impl Columns) -> Option<ReplyRow> {
    Some(ReplyRow {
        id: r.text("r_id")?,
        seq: r.int("r_seq").unwrap_or_default(),
        sender: brief_at(r, REPLY_SENDER).unwrap_or_default(),
        body: r.text("r_body").unwrap_or_default(),
        deleted: r.flag("r_deleted"),
        attachments: r.text("r_attachments"),
    })
}
