//! The message writer's set-based statements: many sends in one statement, many marks of one
//! kind in one. A round trip to PostgreSQL and the executor's start-up cost far more than a
//! row, so a batch of a few hundred writes is a handful of statements, not hundreds.
//!
//! Unlike `APPEND_SQL`, the append here does not step over a taken id or client id: that would
//! leave a gap in the chat's sequence for the rows after it. It fails instead, the batch rolls
//! back, and the writer goes write by write with `APPEND_SQL`, which resolves such a resend.
use std::{collections::HashMap, sync::LazyLock};

use sqlx::{PgConnection, Row};

use super::super::{chats::NewMessage, group_commit::MarkKind, row_columns::REPLY_COLS};
use super::rows::{Appended, NOW_MS};

/// `$1`…`$10`: the messages' ids, chats, senders, bodies, system notices, times, replied-to ids,
/// client ids, attachments and attachment names, one array each in send order. Each chat's row is locked (in id order, so two
/// servers' batches cannot each hold one the other waits for) and its messages take the next
/// sequences in send order; the chat's last sequence, its last activity and each sender's read
/// mark move once per chat. One row per message, in send order, as `APPEND_SQL` answers one.
static APPEND_MANY_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH input AS (
           SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[], $3::TEXT[], $4::TEXT[], $5::TEXT[], $6::BIGINT[], $7::TEXT[], $8::TEXT[],
                                $9::TEXT[], $10::TEXT[])
             WITH ORDINALITY AS i(id, chat_id, sender_id, body, system, created_at, reply_to, client_id, attachments,
                                  attachment_names, n)
         ), chat AS (
           SELECT id, last_seq FROM conversations WHERE id IN (SELECT chat_id FROM input) ORDER BY id FOR UPDATE
         ), numbered AS (
           SELECT input.*, chat.last_seq + ROW_NUMBER() OVER (PARTITION BY input.chat_id ORDER BY input.n) AS seq
           FROM input JOIN chat ON chat.id = input.chat_id
         ), stored AS (
           INSERT INTO messages (id, conversation_id, seq, sender_id, body, system, created_at, reply_to, client_id,
               attachments, attachment_names)
           SELECT id, chat_id, seq, sender_id, body, system, created_at, reply_to, client_id, attachments, attachment_names
           FROM numbered ORDER BY n
           RETURNING conversation_id, seq, sender_id, created_at
         ), bumped AS (
           UPDATE conversations SET last_seq = s.seq, last_activity_at = GREATEST(last_activity_at, s.at)
           FROM (SELECT conversation_id, MAX(seq) AS seq, MAX(created_at) AS at FROM stored GROUP BY conversation_id) AS s
           WHERE conversations.id = s.conversation_id
         ), marked AS (
           UPDATE members SET last_read_seq = GREATEST(last_read_seq, s.seq),
               last_delivered_seq = GREATEST(last_delivered_seq, s.seq), marks_at = {NOW_MS}
           FROM (SELECT conversation_id, sender_id, MAX(seq) AS seq FROM stored WHERE sender_id IS NOT NULL
                 GROUP BY conversation_id, sender_id) AS s
           WHERE members.conversation_id = s.conversation_id AND members.user_id = s.sender_id
         )
         SELECT numbered.n IS NOT NULL AS chat_found, numbered.seq AS seq,
                s.id AS s_id, s.username AS s_username, s.display_name AS s_display_name, {REPLY_COLS}
         FROM input
         LEFT JOIN numbered ON numbered.n = input.n
         LEFT JOIN users s ON s.id = input.sender_id
         LEFT JOIN messages r ON r.id = input.reply_to
         LEFT JOIN users rs ON rs.id = r.sender_id
         ORDER BY input.n"
    )
});

/// Appends the messages in one statement: for each, `Stored` or `NoSuchChat` (never `Taken`:
/// a taken id fails the statement, see the module's note).
pub(super) async fn append_many(conn: &mut PgConnection, messages: &[&NewMessage]) -> Result<Vec<Appended>, sqlx::Error> {
    let column = |f: fn(&NewMessage) -> Option<String>| messages.iter().map(|m| f(m)).collect::<Vec<_>>();
    let rows = sqlx::query(&APPEND_MANY_SQL)
        .bind(column(|m| Some(m.id.clone())))
        .bind(column(|m| Some(m.chat_id.clone())))
        .bind(column(|m| m.sender_id.clone()))
        .bind(column(|m| Some(m.body.clone())))
        .bind(column(|m| m.system.clone()))
        .bind(messages.iter().map(|m| m.created_at).collect::<Vec<i64>>())
        .bind(column(|m| m.reply_to.clone()))
        .bind(column(|m| m.client_id.clone()))
        .bind(column(|m| m.attachments.clone()))
        .bind(column(|m| m.attachment_names.clone()))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(match row.try_get::<Option<i64>, _>("seq")? {
                Some(seq) => Appended::Stored(seq, row),
                None => Appended::NoSuchChat,
            })
        })
        .collect()
}

static READ_MARKS_SQL: LazyLock<String> = LazyLock::new(|| build_marks_sql(MarkKind::Read));
static DELIVERED_MARKS_SQL: LazyLock<String> = LazyLock::new(|| build_marks_sql(MarkKind::Delivered));

/// Raises many members' marks of one kind (`$1` chats, `$2` users, `$3` seqs; one entry per
/// member), each at most to its chat's last message.
fn build_marks_sql(kind: MarkKind) -> String {
    let rows = "SELECT u.chat_id, u.user_id, LEAST(u.seq, c.last_seq) AS seq
                FROM UNNEST($1::TEXT[], $2::TEXT[], $3::BIGINT[]) AS u(chat_id, user_id, seq)
                JOIN conversations c ON c.id = u.chat_id";
    kind.raise_sql(rows, "members.conversation_id = v.chat_id AND members.user_id = v.user_id", "GREATEST", NOW_MS)
}

/// (chat, user): whose mark.
pub(super) type MarkKey = (String, String);

/// Raises each member's mark to its seq; answers the marks that rose (delivered) or every
/// member's read mark after the change (read), by member. Keys must be unique.
pub(super) async fn mark_many(conn: &mut PgConnection, kind: MarkKind, marks: &HashMap<MarkKey, i64>) -> Result<HashMap<MarkKey, i64>, sqlx::Error> {
    let sql: &str = match kind {
        MarkKind::Read => &READ_MARKS_SQL,
        MarkKind::Delivered => &DELIVERED_MARKS_SQL,
    };
    let (mut chats, mut users, mut seqs) = (Vec::with_capacity(marks.len()), Vec::with_capacity(marks.len()), Vec::with_capacity(marks.len()));
    for ((chat, user), seq) in marks {
        chats.push(chat.as_str());
        users.push(user.as_str());
        seqs.push(*seq);
    }
    let rows = sqlx::query(sql).bind(chats).bind(users).bind(seqs).fetch_all(&mut *conn).await?;
    rows.into_iter()
        .map(|row| Ok(((row.try_get("conversation_id")?, row.try_get("user_id")?), row.try_get("mark")?)))
        .collect()
}
