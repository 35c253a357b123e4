//! Driver-neutral pieces of SQL both stores (SQLite and PostgreSQL) write the same way.

/// A conversation's columns under the alias `c`, as each store's `conv_row` maps them.
pub(super) const CONV_COLS: &str = "c.id AS c_id, c.kind AS c_kind, c.group_id AS c_group_id, c.name AS c_name, \
    c.description AS c_description, c.public AS c_public, c.created_by AS c_created_by, c.created_at AS c_created_at, \
    c.last_seq AS c_last_seq, c.last_activity_at AS c_last_activity_at";

/// Whether message `x` is a call the viewer (`mb.user_id`) missed: a call record (its
/// `SystemEvent` as JSON, as serde writes it: `{"event":"call","by":{"user_id":…},…,"outcome":…}`)
/// that was missed and that someone else placed. A test on the stored text, so the chat list's
/// unread count parses nothing per row; names inside it cannot fake a match, as JSON escapes
/// their quotes. The caller's id is as `display_user_id` shows it (`7KQ4-M2XD`).
pub(super) const MISSED_CALL_FOR_VIEWER: &str = "(x.system LIKE '{\"event\":\"call\",%\"outcome\":\"missed\"%' \
    AND x.system NOT LIKE ('{\"event\":\"call\",\"by\":{\"user_id\":\"' \
        || CASE WHEN length(mb.user_id) = 8 THEN substr(mb.user_id, 1, 4) || '-' || substr(mb.user_id, 5) ELSE mb.user_id END \
        || '\"%'))";

/// Two user ids in byte order: the key of their contact row and direct chat. PostgreSQL
/// compares them with `COLLATE "C"`, the same order.
pub(super) fn pair(a: &str, b: &str) -> (String, String) {
    if a < b { (a.to_owned(), b.to_owned()) } else { (b.to_owned(), a.to_owned()) }
}

/// `LIKE` pattern text with its wildcards escaped (by `\`, named by `ESCAPE '\'`).
pub(super) fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_are_in_byte_order_and_wildcards_are_escaped() {
        assert_eq!(pair("b", "A"), ("A".to_owned(), "b".to_owned()));
        assert_eq!(pair("A", "b"), ("A".to_owned(), "b".to_owned()));
        assert_eq!(like_escape(r"a_b%c\d"), r"a\_b\%c\\d");
    }
}
