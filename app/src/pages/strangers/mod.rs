//! Talk to a stranger, at /strangers: the rules (once), interests, looking for someone, and the
//! anonymous conversation. The page opens the same socket the signed-in pages do
//! (`provide_realtime`) for matches, messages and typing, and tells the server every 10 s that
//! it is still open (someone silent for 30 s has left). Only the newest tab of a browser takes
//! part; the others say so (`tab`).
//!
//! Links between this page and the chats area load the whole page: each keeps one socket, and a
//! full load hands it over cleanly.
mod composer;
mod conversation;
mod idle;
mod looking;
mod report;
mod rules;
pub mod state;
mod tab;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::{
    components::{icons::IconBack, loaded::Loaded},
    realtime::client::{ConnectionBanner, Realtime, provide_realtime},
    strangers::{api::stranger_state, types::StrangerView},
};
use state::{Phase, StrangerState, phase};

/// Round buttons in the page's headers.
pub(crate) const HEADER_BUTTON: &str =
    "rounded-full p-2 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800";
pub(crate) const PRIMARY: &str = "rounded-xl bg-indigo-600 px-4 py-2.5 font-semibold text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/50 disabled:opacity-60";
pub(crate) const SECONDARY: &str = "rounded-xl border border-slate-300 px-4 py-2.5 font-semibold text-slate-700 hover:bg-slate-50 disabled:opacity-60 dark:border-slate-700 dark:text-slate-200 dark:hover:bg-slate-900";

#[component]
pub fn Strangers() -> impl IntoView {
    let realtime = provide_realtime();
    let data = Resource::new(|| (), |_| stranger_state());
    view! {
        <Title text="Talk to a stranger"/>
        <div class="pointer-events-none fixed inset-x-0 top-0 z-50"><ConnectionBanner/></div>
        <main class="flex h-dvh flex-col overflow-hidden" data-testid="strangers">
            <Suspense fallback=|| view! { <PageHeader/><div class="flex-1"></div> }>
                {move || data.get().map(|result| match result {
                    Ok(view) => Loaded(move || view! { <StrangerPage view realtime/> }).into_any(),
                    Err(e) => view! {
                        <PageHeader/>
                        <p class="m-6 rounded-xl bg-rose-50 px-4 py-3 text-sm text-rose-700 dark:bg-rose-950/50 dark:text-rose-300" role="alert">
                            {e.to_string()}
                        </p>
                    }.into_any(),
                })}
            </Suspense>
        </main>
    }
    .into_any()
}

#[component]
fn StrangerPage(view: StrangerView, realtime: Realtime) -> impl IntoView {
    let state = StrangerState::new(view);
    provide_context(state);
    realtime.subscribe(move |frame| state.on_frame(frame));
    let tab = tab::Tab::claim();
    heartbeat(tab);
    // A new screen for each phase and each conversation; within one, the parts follow the view.
    let screen = Memo::new(move |_| {
        state.view.with(|v| {
            let phase = phase(v);
            let chat = if phase == Phase::Chat { v.chat.as_ref().map(|c| c.id.clone()) } else { None };
            (phase, chat)
        })
    });
    view! {
        {move || {
            // Another tab has the chat: none of its screens (composer, buttons) here.
            if tab.superseded() {
                return view! { <PageHeader/><tab::Elsewhere tab/> }.into_any();
            }
            match screen.get().0 {
                Phase::Rules => view! { <PageHeader/><rules::Rules/> }.into_any(),
                Phase::Idle => view! { <PageHeader/><idle::Idle/> }.into_any(),
                Phase::Looking => view! { <PageHeader/><looking::Looking/> }.into_any(),
                Phase::Chat => view! { <conversation::Conversation/> }.into_any(),
            }
        }}
    }
    .into_any()
}

/// "Still here" every 10 s while the page is open and this tab has the stranger chat (the tab
/// that took it over keeps it alive; one left alone in the background lets it end).
fn heartbeat(tab: tab::Tab) {
    #[cfg(feature = "hydrate")]
    {
        use crate::strangers::api::stranger_here;
        use leptos::task::spawn_local;
        let beat = move || {
            if tab.active() {
                spawn_local(async {
                    let _ = stranger_here().await;
                })
            }
        };
        // At once, and again when this tab takes the chat back.
        Effect::new(move |_| {
            if !tab.superseded() {
                beat();
            }
        });
        if let Ok(handle) = set_interval_with_handle(beat, std::time::Duration::from_secs(10)) {
            on_cleanup(move || handle.clear());
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = tab;
}

/// The header outside a conversation: back to the chats, and the page's name.
#[component]
fn PageHeader() -> impl IntoView {
    view! {
        <header class="flex h-16 shrink-0 items-center gap-1 border-b border-slate-200 px-2 dark:border-slate-800">
            <a href="/chats" rel="external" class=HEADER_BUTTON aria-label="Back to chats"><IconBack/></a>
            <h1 class="px-2 text-lg font-semibold tracking-tight">"Talk to a stranger"</h1>
        </header>
    }
    .into_any()
}

/// The last action's failure, in the page's words.
#[component]
pub(crate) fn ActionError() -> impl IntoView {
    let state = expect_context::<StrangerState>();
    view! {
        {move || state.error.get().map(|e| view! {
            <p class="rounded-xl bg-rose-50 px-3.5 py-2.5 text-sm text-rose-700 dark:bg-rose-950/50 dark:text-rose-300"
                role="alert" data-testid="stranger-error">{e}</p>
        })}
    }
    .into_any()
}

/// An interest as a small tag.
pub(crate) fn chip(tag: String) -> impl IntoView {
    view! {
        <span class="inline-flex items-center rounded-full bg-indigo-50 px-2.5 py-0.5 text-sm font-medium text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
            data-testid="interest">{format!("#{tag}")}</span>
    }
}
