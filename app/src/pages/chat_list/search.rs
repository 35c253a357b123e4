//! Search results in the chat list's place: people, chats and messages (with the matching words
//! highlighted). A message hit opens its chat at that message.
use leptos::prelude::*;

use crate::{
    chats::{api::search, types::{ChatKind, SearchResults}},
    components::{
        avatar::Avatar,
        text::Highlighted,
        time::{Time, TimeStyle},
    },
};

/// Waits this long after the last key before asking the server.
const DEBOUNCE_MS: u64 = 250;

#[component]
pub fn SearchResultsPanel(query: RwSignal<String>) -> impl IntoView {
    let applied = RwSignal::new(query.get_untracked());
    Effect::new(move |_| {
        let q = query.get();
        set_timeout(
            move || {
                if query.get_untracked() == q {
                    applied.set(q);
                }
            },
            std::time::Duration::from_millis(DEBOUNCE_MS),
        );
    });
    let results = Resource::new(
        move || applied.get().trim().to_string(),
        |q| async move { if q.is_empty() { Ok(SearchResults::default()) } else { search(q).await } },
    );
    view! {
        <div role="region" aria-label="Search results" data-testid="search-results">
            <Transition fallback=|| view! { <p class="px-6 py-4 text-sm text-slate-500">"Searching…"</p> }>
                {move || results.get().map(|r| match r {
                    Ok(found) => view! { <ResultList found/> }.into_any(),
                    Err(e) => view! { <p class="px-6 py-4 text-sm text-rose-600" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </div>
    }
    .into_any()
}

fn heading(text: &'static str) -> impl IntoView {
    view! { <h2 class="px-5 pt-3 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400">{text}</h2> }
}

const ROW: &str = "mx-2 flex items-center gap-3 rounded-xl px-3 py-2.5 hover:bg-slate-50 dark:hover:bg-slate-900";

#[component]
fn ResultList(found: SearchResults) -> impl IntoView {
    let SearchResults { people, chats, messages } = found;
    if people.is_empty() && chats.is_empty() && messages.is_empty() {
        return view! {
            <p class="px-6 py-8 text-center text-sm text-slate-500 dark:text-slate-400">
                "Nothing found. Try a username, a user ID (like 7KQ4-M2XD), a full phone number or words from a message."
            </p>
        }
        .into_any();
    }
    view! {
        {(!people.is_empty()).then(|| view! {
            {heading("People")}
            <ul aria-label="People">
                {people.into_iter().map(|p| view! {
                    <li>
                        <a href=format!("/profile/{}", p.user_id) class=ROW data-testid="person-hit">
                            <Avatar name=p.display_name.clone()/>
                            <span class="min-w-0">
                                <span class="block truncate font-medium">{p.display_name.clone()}</span>
                                <span class="block truncate text-sm text-slate-500 dark:text-slate-400">{format!("@{} · {}", p.username, p.user_id)}</span>
                            </span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        })}
        {(!chats.is_empty()).then(|| view! {
            {heading("Chats")}
            <ul aria-label="Chats found">
                {chats.into_iter().map(|c| view! {
                    <li>
                        <a href=format!("/chats/{}", c.id) class=ROW data-testid="chat-hit">
                            <Avatar name=c.title.clone()/>
                            <span class="min-w-0">
                                <span class="block truncate font-medium">{c.title.clone()}</span>
                                <span class="block text-sm text-slate-500 dark:text-slate-400">{if c.kind == ChatKind::Group { "Group" } else { "Direct chat" }}</span>
                            </span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        })}
        {(!messages.is_empty()).then(|| view! {
            {heading("Messages")}
            <ul aria-label="Messages found">
                {messages.into_iter().map(|m| view! {
                    <li>
                        <a href=format!("/chats/{}?at={}", m.chat_id, m.seq) class=ROW data-testid="message-hit">
                            <Avatar name=m.chat_title.clone()/>
                            <span class="min-w-0 flex-1">
                                <span class="flex items-baseline justify-between gap-2">
                                    <span class="truncate font-medium">{m.chat_title.clone()}</span>
                                    <Time at=m.created_at style=TimeStyle::List class="shrink-0 text-xs text-slate-500 dark:text-slate-400"/>
                                </span>
                                <span class="line-clamp-2 text-sm text-slate-600 dark:text-slate-300">
                                    <span class="font-medium">{format!("{}: ", m.sender.display_name)}</span>
                                    <Highlighted snippet=m.snippet.clone()/>
                                </span>
                            </span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        })}
    }
    .into_any()
}
