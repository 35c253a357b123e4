//! Inline SVG icons (stroke style), so no icon font or extra request is needed.
use leptos::prelude::*;

macro_rules! icon {
    ($name:ident, $($d:literal),+) => {
        #[component]
        pub fn $name(#[prop(default = "h-5 w-5")] class: &'static str) -> impl IntoView {
            view! {
                <svg class=class viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2"
                     stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">
                    $(<path d=$d/>)+
                </svg>
            }
        }
    };
}

icon!(IconSettings, "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
    "M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z");
icon!(IconSearch, "M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z", "M21 21l-4.3-4.3");
icon!(IconBack, "M15 18l-6-6 6-6");
icon!(IconSend, "M22 2L11 13", "M22 2l-7 20-4-9-9-4 20-7z");
icon!(IconPlus, "M12 5v14", "M5 12h14");
icon!(IconChat, "M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z");
icon!(IconCopy, "M9 9h11v11H9z", "M5 15H4V4h11v1");
