//! Message text as text nodes: links become anchors and search matches become `<mark>`, without
//! ever handing a string to the browser as HTML.
use leptos::prelude::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// (shown text, href)
    Link(String, String),
}

/// Splits `text` into plain runs and web links (`http://`, `https://`, `www.`). Trailing
/// punctuation stays outside the link, so "see https://a.example." links without the dot.
pub fn split_links(text: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    // The plain run not pushed yet starts at `plain_from`; a link can only start a word.
    let mut plain_from = 0;
    let mut at = 0;
    while at < text.len() {
        let word_start = at == plain_from || text[..at].ends_with(|c: char| c.is_whitespace() || "([{<\"'".contains(c));
        if let Some((link, href)) = word_start.then(|| link_at(&text[at..])).flatten() {
            if plain_from < at {
                pieces.push(Piece::Text(text[plain_from..at].to_string()));
            }
            at += link.len();
            plain_from = at;
            pieces.push(Piece::Link(link.to_string(), href));
            continue;
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    if plain_from < text.len() {
        pieces.push(Piece::Text(text[plain_from..].to_string()));
    }
    pieces
}

/// The link `rest` starts with, if any: its text and its address.
fn link_at(rest: &str) -> Option<(&str, String)> {
    let starts = |prefix: &str| rest.as_bytes().get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()));
    let (prefix_len, www) = if starts("https://") {
        (8, false)
    } else if starts("http://") {
        (7, false)
    } else if starts("www.") {
        (4, true)
    } else {
        return None;
    };
    let mut link = &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())];
    while let Some(c) = link.chars().last() {
        let unbalanced_paren = c == ')' && link.matches('(').count() < link.matches(')').count();
        if ".,;:!?'\"]}>".contains(c) || unbalanced_paren {
            link = &link[..link.len() - c.len_utf8()];
        } else {
            break;
        }
    }
    // Something must follow the scheme or "www.".
    (link.len() > prefix_len).then(|| (link, if www { format!("https://{link}") } else { link.to_string() }))
}

/// Splits a search snippet into (text, is_match) runs: matches sit between `\u{1}` and `\u{2}`.
pub fn split_marks(snippet: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut inside = false;
    for c in snippet.chars() {
        match c {
            '\u{1}' | '\u{2}' => {
                if !current.is_empty() {
                    out.push((std::mem::take(&mut current), inside));
                }
                inside = c == '\u{1}';
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push((current, inside));
    }
    out
}

/// A message body with clickable links (new tab, no referrer, no opener).
#[component]
pub fn LinkedText(text: String, #[prop(default = "underline underline-offset-2 break-all")] link_class: &'static str) -> impl IntoView {
    split_links(&text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(t) => t.into_any(),
            Piece::Link(shown, href) => view! {
                <a href=href target="_blank" rel="noopener noreferrer" class=link_class>{shown}</a>
            }
            .into_any(),
        })
        .collect_view()
}

/// A search snippet with its matches highlighted.
#[component]
pub fn Highlighted(snippet: String) -> impl IntoView {
    split_marks(&snippet)
        .into_iter()
        .map(|(text, hit)| {
            if hit {
                view! { <mark class="rounded bg-amber-200 px-0.5 text-slate-900 dark:bg-amber-400/40 dark:text-amber-50">{text}</mark> }.into_any()
            } else {
                text.into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(s: &str) -> Piece {
        Piece::Link(s.into(), s.into())
    }

    #[test]
    fn links_are_found_with_trailing_punctuation_left_out() {
        assert_eq!(
            split_links("see https://example.com/a?b=1. ok"),
            vec![Piece::Text("see ".into()), link("https://example.com/a?b=1"), Piece::Text(". ok".into())]
        );
        assert_eq!(split_links("http://x.org"), vec![link("http://x.org")]);
        assert_eq!(
            split_links("(https://en.wikipedia.org/wiki/Rust_(language))"),
            vec![Piece::Text("(".into()), link("https://en.wikipedia.org/wiki/Rust_(language)"), Piece::Text(")".into())]
        );
    }

    #[test]
    fn www_links_get_https_and_words_inside_text_do_not_link() {
        assert_eq!(
            split_links("go www.rust-lang.org!"),
            vec![
                Piece::Text("go ".into()),
                Piece::Link("www.rust-lang.org".into(), "https://www.rust-lang.org".into()),
                Piece::Text("!".into())
            ]
        );
        assert_eq!(split_links("xhttps://nope"), vec![Piece::Text("xhttps://nope".into())]);
        assert_eq!(split_links("https:// alone"), vec![Piece::Text("https:// alone".into())]);
        assert_eq!(split_links("<b>hi</b> javascript:alert(1)"), vec![Piece::Text("<b>hi</b> javascript:alert(1)".into())]);
    }

    #[test]
    fn links_start_words_in_any_case_and_text_around_them_keeps_every_character() {
        assert_eq!(
            split_links("Ünïcode→HTTPS://a.b/ç and\twww.x.y, (http://z.w) Www.q.r"),
            vec![
                Piece::Text("Ünïcode→HTTPS://a.b/ç and\t".into()),
                Piece::Link("www.x.y".into(), "https://www.x.y".into()),
                Piece::Text(", (".into()),
                link("http://z.w"),
                Piece::Text(") ".into()),
                Piece::Link("Www.q.r".into(), "https://Www.q.r".into()),
            ]
        );
        assert_eq!(split_links("https://a.b/http://c.d"), vec![link("https://a.b/http://c.d")]);
        assert_eq!(split_links("www. www"), vec![Piece::Text("www. www".into())]);
        assert_eq!(split_links("é"), vec![Piece::Text("é".into())]);
        assert_eq!(split_links(""), vec![]);
    }

    #[test]
    fn snippet_marks_become_runs() {
        assert_eq!(
            split_marks("say \u{1}hello\u{2} world"),
            vec![("say ".into(), false), ("hello".into(), true), (" world".into(), false)]
        );
        assert_eq!(split_marks("plain"), vec![("plain".into(), false)]);
        assert_eq!(split_marks(""), vec![]);
    }
}
