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
/// For the icons only one part of the app uses, kept beside it.
pub(crate) use icon;

icon!(IconSettings, "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z",
    "M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z");
icon!(IconSearch, "M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z", "M21 21l-4.3-4.3");
icon!(IconBack, "M15 18l-6-6 6-6");
icon!(IconSend, "M22 2L11 13", "M22 2l-7 20-4-9-9-4 20-7z");
icon!(IconPlus, "M12 5v14", "M5 12h14");
icon!(IconChat, "M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z");
icon!(IconCopy, "M9 9h11v11H9z", "M5 15H4V4h11v1");
icon!(IconMore, "M12 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z", "M19 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z", "M5 13a1 1 0 1 0 0-2 1 1 0 0 0 0 2z");
icon!(IconReply, "M9 17l-5-5 5-5", "M4 12h11a5 5 0 0 1 5 5v2");
icon!(IconEdit, "M12 20h9", "M16.5 3.5a2.1 2.1 0 0 1 3 3L7 19l-4 1 1-4z");
icon!(IconTrash, "M3 6h18", "M8 6V4h8v2", "M19 6l-1 14H6L5 6");
icon!(IconX, "M18 6L6 18", "M6 6l12 12");
icon!(IconMuted, "M11 5L6 9H2v6h4l5 4z", "M23 9l-6 6", "M17 9l6 6");
icon!(IconBell, "M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9", "M13.7 21a2 2 0 0 1-3.4 0");
icon!(IconUsers, "M17 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2", "M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z", "M23 21v-2a4 4 0 0 0-3-3.9", "M16 3.1a4 4 0 0 1 0 7.8");
icon!(IconUserPlus, "M16 21v-2a4 4 0 0 0-4-4H5a4 4 0 0 0-4 4v2", "M8.5 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z", "M20 8v6", "M23 11h-6");
icon!(IconLink, "M10 13a5 5 0 0 0 7.5.5l3-3a5 5 0 0 0-7-7l-1.7 1.7", "M14 11a5 5 0 0 0-7.5-.5l-3 3a5 5 0 0 0 7 7l1.7-1.7");
icon!(IconInfo, "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M12 16v-4", "M12 8h.01");
icon!(IconClock, "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M12 6v6l4 2");
icon!(IconCheck, "M20 6L9 17l-5-5");
icon!(IconAlert, "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M12 8v4", "M12 16h.01");
icon!(IconSmile, "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M8 14s1.5 2 4 2 4-2 4-2", "M9 9h.01", "M15 9h.01");
icon!(IconArrowDown, "M12 5v14", "M19 12l-7 7-7-7");
icon!(IconLogIn, "M15 3h4a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-4", "M10 17l5-5-5-5", "M15 12H3");
icon!(IconFingerprint, "M4 12a8 8 0 0 1 13.6-5.7", "M19.6 9.5A8 8 0 0 1 20 12v1", "M7 12a5 5 0 0 1 10 0v1.5",
    "M10 12a2 2 0 0 1 4 0v2a6 6 0 0 1-1.2 3.6", "M7 15.5c.2 1.8.9 3.4 1.9 4.6", "M17 16.5a9 9 0 0 1-1.4 3.6", "M12 16v.5");
icon!(IconShuffle, "M16 3h5v5", "M4 20L21 3", "M21 16v5h-5", "M15 15l6 6", "M4 4l5 5");
icon!(IconFlag, "M4 15s1-1 4-1 5 2 8 2 4-1 4-1V3s-1 1-4 1-5-2-8-2-4 1-4 1z", "M4 22v-7");
icon!(IconBlock, "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z", "M4.9 4.9l14.2 14.2");
icon!(IconNext, "M5 4l10 8-10 8z", "M19 5v14");
icon!(IconLock, "M5 11h14v10H5z", "M8 11V7a4 4 0 0 1 8 0v4");
icon!(IconPhone, "M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z");
icon!(IconPhoneOff, "M10.7 13.3a16 16 0 0 0 3.4 2.6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.4 19.4 0 0 1-3.4-2.8",
    "M5.2 13.8A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9", "M23 1L1 23");
icon!(IconVideo, "M23 7l-7 5 7 5V7z", "M3 5h11a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z");
icon!(IconVideoOff, "M16 16v1a2 2 0 0 1-2 2H3a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2h2m5.7 0H14a2 2 0 0 1 2 2v3.3l1 1L23 7v10", "M1 1l22 22");
icon!(IconMic, "M12 1a3 3 0 0 0-3 3v8a3 3 0 0 0 6 0V4a3 3 0 0 0-3-3z", "M19 10v2a7 7 0 0 1-14 0v-2", "M12 19v4", "M8 23h8");
icon!(IconMicOff, "M1 1l22 22", "M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V4a3 3 0 0 0-5.9-.6", "M17 16.9A7 7 0 0 1 5 12v-2m14 0v2a7 7 0 0 1-.1 1.2", "M12 19v4", "M8 23h8");
icon!(IconSwitchCamera, "M20 16V8a2 2 0 0 0-2-2h-3l-2-3h-2L9 6H6a2 2 0 0 0-2 2v8a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2z", "M9 13l3-3 3 3", "M12 10v5");
icon!(IconSpeaker, "M11 5L6 9H2v6h4l5 4V5z", "M19.1 4.9a10 10 0 0 1 0 14.2", "M15.5 8.5a5 5 0 0 1 0 7");
icon!(IconMinimize, "M4 14h6v6", "M20 10h-6V4", "M14 10l7-7", "M3 21l7-7");
icon!(IconMaximize, "M15 3h6v6", "M9 21H3v-6", "M21 3l-7 7", "M3 21l7-7");
