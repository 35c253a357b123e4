//! What both stores search for: the words as typed (see `chats::validate::search_words`), made
//! safe for a query and with the last one marked as a prefix when it is long enough. Each
//! store turns them into its own query syntax (SQLite: FTS5 phrases; PostgreSQL: tsquery).

/// Matches looked at per search, newest first, across every chat on the server: the index knows
/// words, not who may read them, so without a bound a word common in other people's chats (or
/// a short prefix, which matches most words) walked the whole index for each search.
pub(super) const SEARCH_CANDIDATES: u32 = 10_000;

/// The shortest last word searched as a prefix: a letter or two would match most words of
/// every message, and the index merges the lists of all of them before returning the first hit.
const PREFIX_MIN: usize = 3;

/// The words to find, and whether the last one is the start of a word still being typed.
pub(super) struct SearchTerms {
    pub words: Vec<String>,
    pub last_is_prefix: bool,
}

impl SearchTerms {
    /// None when there are no words. Control characters go: SQLite ends a query string at a
    /// NUL ("unterminated string") and PostgreSQL refuses NUL in text.
    pub(super) fn new(words: &[String]) -> Option<Self> {
        let words: Vec<String> = words.iter().map(|w| w.chars().filter(|c| !c.is_control()).collect()).collect();
        let last_is_prefix = words.last()?.chars().count() >= PREFIX_MIN;
        Some(Self { words, last_is_prefix })
    }
}
