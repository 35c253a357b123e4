//! What the socket's signals look like on screen: the connection banner, who is typing, and
//! a message's ticks.
use leptos::prelude::*;

use super::{Connection, use_realtime};

/// A thin bar while the socket is not live ("Connecting…"); nothing when all is well. It waits
/// a moment before showing, so an ordinary page load (connect, sync) never flashes it.
#[component]
pub fn ConnectionBanner() -> impl IntoView {
    let realtime = use_realtime();
    let state = move || realtime.map_or(Connection::Online, |r| r.connection.get());
    let shown = RwSignal::new(false);
    Effect::new(move |_| {
        if state() == Connection::Online {
            shown.set(false);
        } else {
            #[cfg(feature = "hydrate")]
            set_timeout(
                move || shown.set(realtime.is_some_and(|r| r.connection.get_untracked() != Connection::Online)),
                std::time::Duration::from_millis(1500),
            );
        }
    });
    view! {
        <Show when=move || shown.get()>
            <div role="status" aria-live="polite" data-testid="connection-banner"
                class="bg-amber-100 px-4 py-1 text-center text-xs font-medium text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">
                {move || if state() == Connection::Waiting { "Waiting for network…" } else { "Connecting…" }}
            </div>
        </Show>
    }
}

/// "Ada is typing…" under a conversation while someone else types in it.
#[component]
pub fn TypingIndicator(#[prop(into)] chat_id: Signal<String>) -> impl IntoView {
    let realtime = use_realtime();
    let names = move || realtime.map(|r| r.typists(&chat_id.get())).unwrap_or_default();
    view! {
        <Show when=move || { !names().is_empty() }>
            <p data-testid="typing" aria-live="polite" class="px-4 pb-1 text-xs italic text-slate-500 dark:text-slate-400">
                {move || typing_text(&names())}
            </p>
        </Show>
    }
}

fn typing_text(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("{one} is typing…"),
        [a, b] => format!("{a} and {b} are typing…"),
        [a, rest @ ..] => format!("{a} and {} others are typing…", rest.len()),
    }
}

/// Where one of the viewer's messages has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    Sent,
    Delivered,
    Read,
}

/// A direct message's state from the peer's marks (the page's loaded marks and the live ones).
pub fn tick(seq: i64, delivered: i64, read: i64) -> Tick {
    if read >= seq {
        Tick::Read
    } else if delivered >= seq {
        Tick::Delivered
    } else {
        Tick::Sent
    }
}

/// ✓ sent, ✓✓ delivered, ✓✓ in colour once read. `read_seq` / `delivered_seq`: the peer's marks
/// the page loaded; live `read` / `delivered` frames raise them.
#[component]
pub fn Receipt(
    #[prop(into)] chat_id: String,
    #[prop(into)] peer: String,
    seq: i64,
    #[prop(default = 0)] read_seq: i64,
    #[prop(default = 0)] delivered_seq: i64,
) -> impl IntoView {
    let realtime = use_realtime();
    let state = Memo::new(move |_| {
        let (live_read, live_delivered) =
            realtime.map_or((0, 0), |r| (r.read_by(&chat_id, &peer), r.delivered_to(&chat_id, &peer)));
        let read = read_seq.max(live_read);
        tick(seq, delivered_seq.max(live_delivered).max(read), read)
    });
    view! {
        <span data-testid="receipt"
            data-state=move || match state.get() { Tick::Sent => "sent", Tick::Delivered => "delivered", Tick::Read => "read" }
            aria-label=move || match state.get() { Tick::Sent => "Sent", Tick::Delivered => "Delivered", Tick::Read => "Read" }
            class=move || if state.get() == Tick::Read { "text-sky-400" } else { "opacity-70" }>
            {move || if state.get() == Tick::Sent { "✓" } else { "✓✓" }}
        </span>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_typing_lines() {
        assert_eq!(tick(5, 4, 3), Tick::Sent);
        assert_eq!(tick(5, 5, 3), Tick::Delivered);
        assert_eq!(tick(5, 0, 7), Tick::Read);
        assert_eq!(typing_text(&["Ada".into()]), "Ada is typing…");
        assert_eq!(typing_text(&["Ada".into(), "Bob".into(), "Cy".into()]), "Ada and 2 others are typing…");
    }
}
