//! Checks on what people give the stranger chat, shared by the page (hints) and the server.
use super::types::{MAX_INTEREST_CHARS, MAX_INTERESTS, MAX_REPORT_NOTE};
use crate::error::AppError;

/// Interests as tags: at most `MAX_INTERESTS` of them, each at most `MAX_INTEREST_CHARS` as
/// given; then trimmed, lower case, a leading `#` dropped, duplicates and empty ones removed;
/// each letters, digits, spaces or `-`.
pub fn interests(raw: &[String]) -> Result<Vec<String>, AppError> {
    if raw.len() > MAX_INTERESTS {
        return Err(AppError::invalid("interests", format!("Pick at most {MAX_INTERESTS} interests")));
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in raw {
        if tag.chars().count() > MAX_INTEREST_CHARS {
            return Err(AppError::invalid("interests", format!("An interest can be at most {MAX_INTEREST_CHARS} characters")));
        }
        let tag = tag.trim().trim_start_matches('#').trim().to_lowercase();
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if !tag.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == '-') {
            return Err(AppError::invalid("interests", "Interests can have letters, digits, spaces and dashes"));
        }
        tags.push(tag.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    Ok(tags)
}

/// A report's optional note: at most `MAX_REPORT_NOTE` characters as given, then trimmed, with
/// no control characters but line breaks and tabs.
pub fn report_note(raw: &str) -> Result<String, AppError> {
    if raw.chars().count() > MAX_REPORT_NOTE {
        return Err(AppError::invalid("note", format!("A note can be at most {MAX_REPORT_NOTE} characters")));
    }
    let note = raw.trim().replace("\r\n", "\n");
    if note.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(AppError::invalid("note", "The note has characters that cannot be shown"));
    }
    Ok(note)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(raw: &[&str]) -> Result<Vec<String>, AppError> {
        interests(&raw.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn interests_are_cleaned_tags() {
        assert_eq!(tags(&[" #Music ", "music", "", "board  games"]).unwrap(), ["music", "board games"]);
        assert!(tags(&["a", "a", "a", "a", "a", "a"]).is_err(), "six given, even if the same");
        assert!(tags(&[&format!(" {}", "x".repeat(MAX_INTEREST_CHARS))]).is_err(), "counted as given");
        assert_eq!(tags(&["Ünïcode", "k-pop"]).unwrap(), ["ünïcode", "k-pop"]);
        assert!(tags(&["a", "b", "c", "d", "e", "f"]).is_err(), "six is too many");
        assert!(tags(&[&"x".repeat(MAX_INTEREST_CHARS + 1)]).is_err());
        assert!(tags(&["<script>"]).is_err());
        assert!(tags(&["tab\there"]).is_err());
    }

    #[test]
    fn a_note_is_bounded_and_printable() {
        assert_eq!(report_note("  rude\r\nagain ").unwrap(), "rude\nagain");
        assert!(report_note(&"x".repeat(MAX_REPORT_NOTE + 1)).is_err());
        assert!(report_note("bell\u{7}").is_err());
    }
}
