//! One tab at a time. The server keeps one stranger session per person, shared by all their
//! tabs, so two open tabs would both keep it alive and both type and act in the same
//! conversation. In a browser the newest tab takes over: when the page hydrates it writes a fresh
//! id under [`KEY`] in localStorage, and the other tabs hear of it (the `storage` event fires in
//! every tab of the origin except the one that wrote) and step aside behind a notice, until
//! "Use here" writes their id again.
use leptos::prelude::*;

use super::{PRIMARY, state::StrangerState};
use crate::realtime::client::new_client_id;

/// The localStorage key holding the id of the tab that has the stranger chat.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub const KEY: &str = "confab.stranger-tab";

/// This tab's claim on the stranger chat.
#[derive(Clone, Copy)]
pub struct Tab {
    // Read in the browser only.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    id: StoredValue<String>,
    superseded: RwSignal<bool>,
}

impl Tab {
    /// Takes the stranger chat for this tab and listens for other tabs taking it. On the server
    /// (and until hydration) the page is the normal one.
    pub fn claim() -> Self {
        let tab = Self { id: StoredValue::new(new_client_id()), superseded: RwSignal::new(false) };
        #[cfg(feature = "hydrate")]
        {
            tab.write();
            let handle = window_event_listener(leptos::ev::storage, move |ev: web_sys::StorageEvent| {
                if ev.key().as_deref() != Some(KEY) {
                    return;
                }
                // The value now held, not the event's: when two tabs open at once, an event for
                // the earlier write can arrive after this tab wrote, and the last write wins.
                if let Some(holder) = crate::browser::saved(KEY) {
                    if Some(holder) != tab.id.try_get_value() {
                        tab.superseded.try_set(true);
                    }
                }
            });
            on_cleanup(move || handle.remove());
        }
        tab
    }

    /// Whether another tab has taken the stranger chat (tracked).
    pub fn superseded(self) -> bool {
        self.superseded.get()
    }

    /// Whether this tab has the stranger chat, untracked (for timers).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn active(self) -> bool {
        !self.superseded.get_untracked()
    }

    /// "Use here": takes the chat back; the other tab steps aside in turn.
    pub fn take_back(self) {
        self.write();
        self.superseded.set(false);
    }

    fn write(self) {
        crate::browser::save(KEY, Some(&self.id.get_value()));
    }
}


/// In place of the page while another tab has the stranger chat.
#[component]
pub fn Elsewhere(tab: Tab) -> impl IntoView {
    let state = expect_context::<StrangerState>();
    let use_here = move |_| {
        tab.take_back();
        // Frames kept the view current, but one may have been missed; read it afresh.
        state.resync(false);
    };
    view! {
        <section class="flex min-h-0 flex-1 flex-col items-center justify-center px-6 py-10 text-center"
            aria-labelledby="stranger-elsewhere-title" data-testid="stranger-elsewhere">
            <span class="rounded-full bg-indigo-50 p-4 text-indigo-600 dark:bg-indigo-950 dark:text-indigo-300">
                // A browser window with a tab.
                <svg class="h-7 w-7" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
                    stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
                    <path d="M4 4h16a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V5a1 1 0 0 1 1-1z"/>
                    <path d="M3 9h18"/>
                    <path d="M10 4v5"/>
                </svg>
            </span>
            <h2 id="stranger-elsewhere-title" class="mt-3 text-xl font-semibold">"Open in another tab"</h2>
            <p class="mt-1 max-w-sm text-sm text-slate-500 dark:text-slate-400">
                "You’re talking to strangers in another tab. Only one tab at a time can be in a stranger chat."
            </p>
            <div class="mt-8 w-full max-w-xs">
                <button type="button" class=format!("w-full {PRIMARY}") on:click=use_here>"Use here"</button>
            </div>
        </section>
    }
    .into_any()
}
