//! The calls part of Settings. Kept in this browser: it is about this device's network.
use leptos::prelude::*;

use super::{CARD, section_title};
use crate::pages::call::{relay_only, set_relay_only};

/// "Relay calls": every call goes through the TURN server, so the other person never learns
/// this device's IP address (at the cost of a longer path).
#[component]
pub fn CallSettings() -> impl IntoView {
    let relay = RwSignal::new(false);
    // Read once the page runs in the browser (the server cannot know), then kept as changed.
    Effect::new(move |_| relay.set(relay_only()));
    view! {
        {section_title("Calls")}
        <div class=CARD>
            <label class="flex cursor-pointer items-start gap-3 px-4 py-3">
                <input type="checkbox" class="mt-1 h-4 w-4 accent-indigo-600" prop:checked=move || relay.get()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        set_relay_only(on);
                        relay.set(on);
                    }/>
                <span>
                    <span class="block">"Relay calls through the server"</span>
                    <span class="block text-sm text-slate-500 dark:text-slate-400">
                        "Hides your IP address from the person you call. The call may take a little longer to connect. Applies to this browser."
                    </span>
                </span>
            </label>
        </div>
    }
}
