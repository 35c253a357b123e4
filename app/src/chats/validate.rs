//! Pure checks on what people type into chats, compiled for the browser (hints) and the server
//! (the final word). Each returns the cleaned value or a message written for the person.
use super::types::MAX_MESSAGE_CHARS;
use crate::error::AppError;

pub const MAX_CLIENT_ID: usize = 64;
/// Room for skin tones and joined sequences such as families (up to 25 bytes in UTF-8).
pub const MAX_EMOJI_BYTES: usize = 32;
pub const MAX_GROUP_NAME: usize = 64;
pub const MAX_DESCRIPTION: usize = 300;
pub const MAX_DISPLAY_NAME: usize = 64;
pub const MAX_BIO: usize = 300;

/// 1..=4096 characters once trimmed, with line breaks as `\n`. The text is kept as typed
/// otherwise: escaping is the renderer's job. Control characters other than newline and tab are
/// refused (see `control_free`).
pub fn message_body(raw: &str) -> Result<String, AppError> {
    if raw.trim().is_empty() {
        return Err(AppError::invalid_with_code("message_empty", "body", "Type a message first"));
    }
    caption(raw)
}

/// The text sent with attachments: a message body that may be empty.
pub fn caption(raw: &str) -> Result<String, AppError> {
    let body = unix_newlines(raw);
    let body = body.trim();
    if !control_free(body, &['\n', '\t']) {
        return Err(AppError::invalid_with_code("message_control", "body", "Messages can’t contain control characters"));
    }
    let len = body.chars().count();
    if len > MAX_MESSAGE_CHARS {
        return Err(AppError::invalid_with_code(
            "message_too_long",
            "body",
            format!("Messages are at most {MAX_MESSAGE_CHARS} characters — this one has {len}"),
        ));
    }
    Ok(body.to_owned())
}

/// The id a client gives a message so a retried send is stored once: 1–64 of `A-Z a-z 0-9 _ -`.
pub fn client_id(raw: &str) -> Result<String, AppError> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_CLIENT_ID
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if ok { Ok(raw.to_owned()) } else { Err(AppError::invalid("client_id", "A client id is 1–64 letters, digits, _ or -")) }
}

/// A reaction: one emoji (possibly with modifiers), at most 32 bytes, no letters or digits.
pub fn emoji(raw: &str) -> Result<String, AppError> {
    let e = raw.trim();
    let ok = !e.is_empty()
        && e.len() <= MAX_EMOJI_BYTES
        && !e.chars().any(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || c.is_control() || c.is_ascii_punctuation());
    if ok { Ok(e.to_owned()) } else { Err(AppError::invalid("emoji", "Pick an emoji to react with")) }
}

/// `\r\n` and a lone `\r` (pasted from Windows or old Mac text) become `\n`: one line break
/// is stored one way, rather than refused or kept as a character that renders differently per
/// client.
fn unix_newlines(raw: &str) -> std::borrow::Cow<'_, str> {
    if raw.contains('\r') { raw.replace("\r\n", "\n").replace('\r', "\n").into() } else { raw.into() }
}

/// No control characters (C0, DEL, C1) but the `allowed` ones. Nobody types them: they come
/// from broken encodings or are meant to trick a terminal or a log reader, they render as
/// nothing or as boxes, and PostgreSQL cannot store NUL in text at all.
fn control_free(value: &str, allowed: &[char]) -> bool {
    !value.chars().any(|c| c.is_control() && !allowed.contains(&c))
}

pub(crate) fn text(raw: &str, field: &str, min: usize, max: usize, what: &str) -> Result<String, AppError> {
    let value = unix_newlines(raw);
    let value = value.trim();
    let len = value.chars().count();
    if len < min {
        return Err(AppError::invalid(field, format!("Enter a {what}")));
    }
    if len > max {
        return Err(AppError::invalid(field, format!("A {what} is at most {max} characters")));
    }
    if !control_free(value, &['\n']) {
        return Err(AppError::invalid(field, format!("A {what} can’t contain control characters")));
    }
    Ok(value.to_owned())
}

pub fn group_name(raw: &str) -> Result<String, AppError> {
    text(raw, "name", 1, MAX_GROUP_NAME, "group name")
}

pub fn description(raw: &str) -> Result<String, AppError> {
    text(raw, "description", 0, MAX_DESCRIPTION, "description")
}

pub fn display_name(raw: &str) -> Result<String, AppError> {
    text(raw, "display_name", 1, MAX_DISPLAY_NAME, "display name")
}

pub fn bio(raw: &str) -> Result<String, AppError> {
    text(raw, "bio", 0, MAX_BIO, "bio")
}

/// Words one search looks for: at most this many, the rest of the query is ignored.
pub const MAX_SEARCH_WORDS: usize = 8;

/// The words of a search, in order: runs between spaces that hold a letter or digit, at most
/// `MAX_SEARCH_WORDS`. The last may be a word still being typed. Empty when there are none.
pub fn search_words(raw: &str) -> Vec<String> {
    raw.split_whitespace().filter(|w| w.chars().any(char::is_alphanumeric)).take(MAX_SEARCH_WORDS).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(e: AppError) -> String {
        e.code().to_owned()
    }

    #[test]
    fn bodies_are_trimmed_and_between_one_and_4096_characters() {
        assert_eq!(message_body("  hi <b>there</b>\n").unwrap(), "hi <b>there</b>");
        assert_eq!(code(message_body(" \n\t").unwrap_err()), "message_empty");
        assert!(message_body(&"é".repeat(MAX_MESSAGE_CHARS)).is_ok(), "characters, not bytes");
        assert_eq!(code(message_body(&"a".repeat(MAX_MESSAGE_CHARS + 1)).unwrap_err()), "message_too_long");
    }

    #[test]
    fn bodies_keep_newlines_and_tabs_and_refuse_other_control_characters() {
        assert_eq!(message_body("line 1\n\tline 2").unwrap(), "line 1\n\tline 2");
        for hostile in ["nul\0byte", "\0", "bell\u{7}", "esc\u{1b}[2J", "del\u{7f}", "c\u{85}1", "csi\u{9b}31m", "v\u{b}t", "ff\u{c}x"] {
            assert_eq!(code(message_body(hostile).unwrap_err()), "message_control", "{hostile:?}");
        }
        // Format characters are not controls: emoji sequences and right-to-left text need them.
        assert!(message_body("👩\u{200d}💻 \u{200f}שלום").is_ok());
    }

    #[test]
    fn carriage_returns_become_newlines() {
        assert_eq!(message_body("a\r\nb\rc\r\n").unwrap(), "a\nb\nc");
        assert_eq!(code(message_body("\r\n\r").unwrap_err()), "message_empty");
        assert_eq!(description("first\r\nsecond").unwrap(), "first\nsecond");
    }

    #[test]
    fn names_descriptions_and_bios_refuse_control_characters_with_their_own_message() {
        for (checked, field) in [
            (group_name("club\0" ), "invalid_name"),
            (description("about\0us"), "invalid_description"),
            (display_name("\u{1b}[31mAda"), "invalid_display_name"),
            (bio("hi\u{9b}"), "invalid_bio"),
            (group_name("tab\tbed"), "invalid_name"),
        ] {
            let e = checked.unwrap_err();
            assert_eq!(code(e.clone()), field);
            assert!(e.to_string().contains("control characters"), "{e}");
        }
        assert_eq!(bio("two\nlines").unwrap(), "two\nlines");
        assert!(group_name(&"x".repeat(MAX_GROUP_NAME + 1)).unwrap_err().to_string().contains("at most"));
    }

    #[test]
    fn client_ids_are_short_and_plain() {
        assert!(client_id("c-1_A").is_ok());
        for bad in ["", "has space", "ü", &"x".repeat(65)] {
            assert_eq!(code(client_id(bad).unwrap_err()), "invalid_client_id", "{bad:?}");
        }
    }

    #[test]
    fn reactions_are_emoji_not_words() {
        for good in ["👍", "❤️", "👩‍👩‍👧", "🇩🇪", "👍🏽"] {
            assert!(emoji(good).is_ok(), "{good}");
        }
        for bad in ["", "a", "1", "👍a", "lol", "<", "👩‍👩‍👧‍👦👩‍👩‍👧‍👦", "👍👍👍👍👍👍👍👍👍"] {
            assert!(emoji(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_words_are_the_runs_that_hold_a_letter_or_digit() {
        assert_eq!(search_words("  hello ( ) wo\"rld* "), ["hello", "wo\"rld*"]);
        assert_eq!(search_words("1 2 3 4 5 6 7 8 9").len(), MAX_SEARCH_WORDS);
        assert!(search_words("  ( ) ").is_empty());
    }
}
