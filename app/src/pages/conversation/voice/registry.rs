//! The voice notes on the page, so that only one plays at a time and the next one (in the
//! order they appear) plays on when one ends. Players register their `<audio>` on mount.
use std::cell::{Cell, RefCell};

use web_sys::{HtmlAudioElement, Node};

thread_local! {
    static PLAYERS: RefCell<Vec<(u64, HtmlAudioElement)>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u64> = const { Cell::new(1) };
}

/// A key for a player, taken before its `<audio>` exists (to unregister it on cleanup).
pub fn next_id() -> u64 {
    NEXT_ID.with(|n| n.replace(n.get() + 1))
}

pub fn register(id: u64, audio: HtmlAudioElement) {
    PLAYERS.with_borrow_mut(|players| players.push((id, audio)));
}

pub fn unregister(id: u64) {
    PLAYERS.with_borrow_mut(|players| players.retain(|(i, _)| *i != id));
}

fn players() -> Vec<HtmlAudioElement> {
    PLAYERS.with_borrow(|players| players.iter().map(|(_, a)| a.clone()).collect())
}

/// Pauses every voice note but `playing` (which may be some other audio, e.g. a recording
/// being listened to).
pub fn pause_others(playing: &web_sys::HtmlMediaElement) {
    for audio in players() {
        let media: &web_sys::HtmlMediaElement = &audio;
        if media != playing && !audio.paused() {
            let _ = audio.pause();
        }
    }
}

/// Pauses every voice note (a recording is about to start).
pub fn pause_all() {
    for audio in players().into_iter().filter(|a| !a.paused()) {
        let _ = audio.pause();
    }
}

/// Starts the first voice note after `ended` in document order, if there is one.
pub fn play_next(ended: &HtmlAudioElement) {
    let follows = |a: &Node, b: &Node| a.compare_document_position(b) & Node::DOCUMENT_POSITION_FOLLOWING != 0;
    let next = players()
        .into_iter()
        .filter(|a| a.is_connected() && follows(ended, a))
        .reduce(|first, a| if follows(&a, &first) { a } else { first });
    if let Some(next) = next {
        next.set_current_time(0.0);
        play(&next);
    }
}

/// Starts `audio`; a refusal (autoplay rules, a failed load) leaves it paused, which the player
/// shows as it is.
pub fn play(audio: &web_sys::HtmlMediaElement) {
    if let Ok(promise) = audio.play() {
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
        });
    }
}
