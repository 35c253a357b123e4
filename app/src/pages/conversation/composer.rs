//! Writing a message: a textarea that grows with its text, Enter to send on a desktop (Shift+Enter
//! for a new line; on a phone Enter is a new line and the button sends), the reply or edit being
//! made, and the length limit with an error that keeps the text. Pictures and files come in by
//! the paperclip, a paste or a drop, upload at once and wait in the strip above the box (the text
//! is then their caption); with nothing typed the microphone takes the Send button's place.
use leptos::prelude::*;

use super::{
    attachments::{AttachButton, DropZone, PreviewStrip},
    bubble::Quote,
    state::{ConvState, check_body},
    voice::{RecordedVoice, VoiceRecorder},
};
use crate::{
    chats::types::{MAX_MESSAGE_CHARS, MessageView},
    realtime::client::{LocalAttachment, UploadState},
    components::icons::{IconCheck, IconEdit, IconSend, IconX},
};

const REMOVE_REFUSED: &str = "Some files can’t be sent: remove them first";

/// A picked file the server refused for what it is (it would be refused again).
fn refused(a: &LocalAttachment) -> bool {
    matches!(a.state, UploadState::Failed { transient: false, .. })
}

#[component]
pub fn Composer() -> impl IntoView {
    let state = expect_context::<ConvState>();
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // Attachments that did not fit, and the like.
    let note = RwSignal::new(None::<String>);
    let recording = RwSignal::new(false);
    let realtime = state.realtime;
    let drafts = Memo::new(move |_| realtime.drafts_in(&state.chat_id.get_value()));
    let editing = move || state.editing.with(Option::is_some);
    // The microphone shows instead of Send while there is nothing to send (and while recording).
    let show_mic = move || recording.get() || (!editing() && text.with(|t| t.trim().is_empty()) && drafts.with(Vec::is_empty));

    // Removing the refused files answers the error about them.
    Effect::new(move |_| {
        if !drafts.with(|d| d.iter().any(refused)) && error.get_untracked().as_deref() == Some(REMOVE_REFUSED) {
            error.set(None);
        }
    });

    // Starting an edit puts the message's text in the box; cancelling it empties the box.
    Effect::new(move |was_editing: Option<bool>| {
        let editing = state.editing.get();
        match &editing {
            Some(m) => text.set(m.body.clone()),
            None if was_editing == Some(true) => text.set(String::new()),
            None => {}
        }
        error.set(None);
        editing.is_some()
    });

    let send_files = move |caption: String| {
        // A file the server refused would be refused again; one the network cut off goes along
        // and is uploaded again when the connection is back (like text sent offline).
        if drafts.with_untracked(|d| d.iter().any(refused)) {
            error.set(Some(REMOVE_REFUSED.into()));
            return;
        }
        error.set(None);
        note.set(None);
        realtime.send_drafts(&state.chat_id.get_value(), &caption, state.replying.get_untracked());
        state.replying.set(None);
        text.set(String::new());
    };
    let save_edit = move |m: MessageView, body: String| {
        error.set(None);
        if body != m.body {
            state.edit(m.id.clone(), body);
        }
        state.editing.set(None);
        text.set(String::new());
    };
    let submit = move || {
        let editing = state.editing.get_untracked();
        let with_files = editing.is_none() && drafts.with_untracked(|d| !d.is_empty());
        match (check_body(&text.get_untracked()), editing) {
            // No caption is fine for pictures and files, and one may be taken off.
            (Err(reason), None) if reason.is_empty() && with_files => send_files(String::new()),
            (Ok(caption), None) if with_files => send_files(caption),
            (Err(reason), Some(m)) if reason.is_empty() && !m.attachments.is_empty() => save_edit(m, String::new()),
            (Err(reason), _) if reason.is_empty() => {}
            (Err(reason), _) => error.set(Some(reason)),
            (Ok(body), Some(m)) => save_edit(m, body),
            (Ok(body), None) => {
                error.set(None);
                state.send(body, state.replying.get_untracked());
                state.replying.set(None);
                text.set(String::new());
            }
        }
        crate::browser::focus_id("composer-input");
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() && !crate::browser::coarse_pointer() {
            ev.prevent_default();
            submit();
        } else if ev.key() == "Escape" {
            state.replying.set(None);
            state.editing.set(None);
        }
    };
    let on_paste = move |ev: leptos::ev::ClipboardEvent| {
        #[cfg(feature = "hydrate")]
        if !editing() {
            let files = super::attachments::pasted_files(&ev);
            if !files.is_empty() {
                // A copied picture goes in as a picture, not as its file name.
                ev.prevent_default();
                super::attachments::add_files(state, files, note);
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    let on_recorded = Callback::new(move |voice: RecordedVoice| {
        #[cfg(feature = "hydrate")]
        realtime.send_voice(&state.chat_id.get_value(), &voice.blob, &voice.mime, voice.duration_ms, state.replying.get_untracked());
        #[cfg(not(feature = "hydrate"))]
        let _ = voice;
        state.replying.set(None);
    });
    let count = move || text.with(|t| t.chars().count());
    let near_limit = move || count() > MAX_MESSAGE_CHARS - 200;

    view! {
        <DropZone note enabled=Signal::derive(move || !editing() && !recording.get())/>
        <div class="shrink-0 border-t border-slate-200 bg-white px-2 pt-2 pb-[max(0.5rem,env(safe-area-inset-bottom))] sm:px-4 dark:border-slate-800 dark:bg-slate-950">
            <div class="mx-auto max-w-3xl">
                {move || state.replying.get().map(|reply| view! {
                    <div class="mb-2 flex items-center gap-2" data-testid="composer-reply">
                        <span class="min-w-0 flex-1"><Quote reply/></span>
                        <button type="button" aria-label="Cancel reply" on:click=move |_| state.replying.set(None)
                            class="rounded-full p-1.5 text-slate-500 hover:bg-slate-100 dark:hover:bg-slate-800"><IconX class="h-4 w-4"/></button>
                    </div>
                })}
                {move || state.editing.get().map(|_| view! {
                    <div class="mb-2 flex items-center gap-2 rounded-lg border-l-4 border-indigo-500 bg-slate-100 px-2.5 py-1.5 text-sm dark:bg-slate-900" data-testid="composer-editing">
                        <IconEdit class="h-4 w-4 text-indigo-600"/>
                        <span class="flex-1 font-medium text-indigo-600 dark:text-indigo-300">"Editing message"</span>
                        <button type="button" aria-label="Cancel editing" on:click=move |_| state.editing.set(None)
                            class="rounded-full p-1 text-slate-500 hover:bg-slate-200 dark:hover:bg-slate-800"><IconX class="h-4 w-4"/></button>
                    </div>
                })}
                <PreviewStrip drafts note/>
                <form class="flex items-end gap-1.5 sm:gap-2" on:submit=move |ev| { ev.prevent_default(); submit(); }>
                    <Show when=move || !editing() && !recording.get()>
                        <AttachButton note/>
                    </Show>
                    <label for="composer-input" class="sr-only">"Message"</label>
                    <textarea id="composer-input" rows="1"
                        placeholder=move || if drafts.with(Vec::is_empty) { "Message" } else { "Add a caption" }
                        on:paste=on_paste
                        prop:value=move || text.get()
                        on:input=move |ev| { text.set(event_target_value(&ev)); state.typing(); if error.get_untracked().is_some() && !near_limit() { error.set(None); } }
                        on:keydown=on_keydown
                        aria-invalid=move || error.get().is_some().to_string()
                        aria-describedby="composer-error"
                        enterkeyhint="enter"
                        class="field-sizing-content max-h-40 min-h-11 flex-1 resize-none rounded-3xl border border-slate-300 bg-slate-50 px-4 py-2.5 text-base leading-snug outline-none placeholder:text-slate-400 focus:border-indigo-500 focus:bg-white focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900 dark:focus:bg-slate-900"
                        class:hidden=move || recording.get()></textarea>
                    <Show when=move || !show_mic()>
                        <button type="submit" aria-label=move || if state.editing.get().is_some() { "Save edit" } else { "Send" }
                            class="flex h-11 w-11 shrink-0 items-center justify-center rounded-full bg-indigo-600 text-white shadow-sm hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/50">
                            {move || if state.editing.get().is_some() { view! { <IconCheck/> }.into_any() } else { view! { <IconSend/> }.into_any() }}
                        </button>
                    </Show>
                    // Always mounted, so a recording survives the box changing around it.
                    <div class=move || if recording.get() { "flex min-w-0 flex-1 items-end justify-end" } else if show_mic() { "flex shrink-0" } else { "hidden" }>
                        <VoiceRecorder on_recorded recording/>
                    </div>
                </form>
                <div class="flex items-start justify-between gap-3 px-3">
                    <p id="composer-error" class="text-sm text-rose-600 dark:text-rose-400" role="alert" data-testid="composer-error">{move || error.get()}</p>
                    <Show when=near_limit>
                        <p class=move || format!("shrink-0 pt-0.5 text-xs tabular-nums {}", if count() > MAX_MESSAGE_CHARS { "font-semibold text-rose-600" } else { "text-slate-500" })
                            data-testid="composer-count">
                            {move || format!("{} / {}", count(), MAX_MESSAGE_CHARS)}
                        </p>
                    </Show>
                </div>
            </div>
        </div>
    }
    .into_any()
}
