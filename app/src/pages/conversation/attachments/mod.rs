//! Pictures, voice notes and files in a conversation: in a bubble (pictures in a grid that opens
//! full screen, files as cards, voice notes through the voice player), in a send still on its way
//! (the picked files with their uploads' progress), in a quoted reply, and in the composer (the
//! attach menu, pasting, dropping, and the strip of picked files).
mod file_card;
mod gestures;
mod icons;
mod layout;
mod picker;
mod pictures;
mod strip;
mod viewer;
mod zoom;

use leptos::prelude::*;

use super::{state::ConvState, voice::VoicePlayer};
use crate::{
    components::icons::IconAlert,
    media::types::{AttachmentKind, AttachmentView, duration_text, size_text},
    realtime::client::{LocalAttachment, UploadState},
};
use file_card::{FileBadge, FileCard};
use icons::IconMic;
use pictures::{PendingPictures, PictureGrid};

pub use picker::{AttachButton, DropZone};
#[cfg(feature = "hydrate")]
pub use picker::{add_files, pasted_files};
pub use strip::PreviewStrip;
pub use viewer::{PictureViewer, provide_viewer};

/// An upload as its ring shows it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum UploadShown {
    Uploading(f64),
    Done,
    Failed,
}

impl UploadShown {
    pub fn of(a: &LocalAttachment) -> Self {
        match &a.state {
            UploadState::Uploading { .. } => UploadShown::Uploading(a.progress().unwrap_or(0.0)),
            UploadState::Stored(_) => UploadShown::Done,
            UploadState::Failed { .. } => UploadShown::Failed,
        }
    }
}

/// A ring filling with an upload's progress (a warning sign once it failed, nothing once done).
#[component]
pub fn UploadRing(shown: Signal<UploadShown>, #[prop(default = true)] overlay: bool) -> impl IntoView {
    const CIRCUMFERENCE: f64 = 2.0 * std::f64::consts::PI * 15.0;
    let place = if overlay { "absolute inset-0 flex items-center justify-center bg-black/30" } else { "flex shrink-0 items-center" };
    move || match shown.get() {
        UploadShown::Done => None,
        UploadShown::Failed => Some(
            view! {
                <span class=place aria-label="Upload failed">
                    <span class=if overlay { "rounded-full bg-rose-600 p-1 text-white shadow" } else { "text-rose-600 dark:text-rose-400" }>
                        <IconAlert class="h-5 w-5"/>
                    </span>
                </span>
            }
            .into_any(),
        ),
        UploadShown::Uploading(p) => Some(
            view! {
                <span class=place role="progressbar" aria-label="Uploading" aria-valuemin="0" aria-valuemax="100"
                    aria-valuenow=format!("{:.0}", p * 100.0) data-testid="upload-progress">
                    <svg viewBox="0 0 36 36" class=if overlay { "h-9 w-9 drop-shadow" } else { "h-7 w-7" } aria-hidden="true">
                        <circle cx="18" cy="18" r="15" fill=if overlay { "rgba(15,23,42,0.45)" } else { "none" }
                            stroke="currentColor" stroke-opacity="0.3" stroke-width="3"/>
                        <circle cx="18" cy="18" r="15" fill="none" stroke="currentColor" stroke-width="3" stroke-linecap="round"
                            stroke-dasharray=format!("{CIRCUMFERENCE:.2}") stroke-dashoffset=format!("{:.2}", CIRCUMFERENCE * (1.0 - p.max(0.04)))
                            transform="rotate(-90 18 18)" class="transition-[stroke-dashoffset] duration-200"/>
                    </svg>
                </span>
            }
            .into_any(),
        ),
    }
}

/// Whether a bubble holds pictures (it then hugs them with a thin frame).
pub fn has_pictures(list: &[AttachmentView]) -> bool {
    list.iter().any(|a| a.kind == AttachmentKind::Picture)
}

/// A stored message's attachments, above its caption: the pictures' grid, then voice notes and
/// files in the order sent.
#[component]
pub fn Attachments(list: Vec<AttachmentView>, mine: bool) -> impl IntoView {
    let (pictures, others): (Vec<_>, Vec<_>) = list.into_iter().partition(|a| a.kind == AttachmentKind::Picture);
    view! {
        <div class="flex flex-col gap-1" data-testid="attachments">
            {(!pictures.is_empty()).then(|| view! { <PictureGrid pictures/> })}
            {others.into_iter().map(|attachment| match attachment.kind {
                AttachmentKind::Voice => view! { <VoicePlayer attachment mine/> }.into_any(),
                _ => view! { <FileCard attachment mine/> }.into_any(),
            }).collect_view()}
        </div>
    }
}

/// The attachments of a send on its way, with their uploads' progress (read live from the outbox).
#[component]
pub fn PendingAttachments(client_id: String, attachments: Vec<LocalAttachment>) -> impl IntoView {
    let state = expect_context::<ConvState>();
    let items = Memo::new(move |_| {
        state.pending.with(|l| l.iter().find(|p| p.client_id == client_id).map(|p| p.attachments.clone()).unwrap_or_default())
    });
    let progress_of = Callback::new(move |key: String| {
        items.with(|l| l.iter().find(|a| a.key == key).map(UploadShown::of).unwrap_or(UploadShown::Done))
    });
    let (pictures, others): (Vec<_>, Vec<_>) = attachments.into_iter().partition(|a| a.shown_kind() == AttachmentKind::Picture);
    view! {
        <div class="flex flex-col gap-1" data-testid="attachments">
            {(!pictures.is_empty()).then(|| view! { <PendingPictures pictures progress_of/> })}
            {others.into_iter().map(|a| {
                let key = a.key.clone();
                let meta = match (a.kind, a.duration_ms) {
                    (AttachmentKind::Voice, Some(ms)) => format!("Voice message · {}", duration_text(ms)),
                    _ => size_text(a.size),
                };
                view! {
                    <div class="flex w-full max-w-80 min-w-60 items-center gap-3 rounded-xl bg-white/15 p-2 pr-3" data-testid="pending-file">
                        {if a.kind == AttachmentKind::Voice {
                            view! { <span class="flex h-11 w-11 shrink-0 items-center justify-center rounded-full bg-white/20"><IconMic/></span> }.into_any()
                        } else {
                            view! { <FileBadge name=a.name.clone() mime=String::new()/> }.into_any()
                        }}
                        <span class="min-w-0 flex-1">
                            <span class="block truncate text-sm font-medium">{a.name.clone()}</span>
                            <span class="block text-xs text-indigo-100">{meta}</span>
                        </span>
                        <UploadRing shown=Signal::derive(move || progress_of.run(key.clone())) overlay=false/>
                    </div>
                }
            }).collect_view()}
        </div>
    }
}

/// What a quote says for an attachment when the quoted message has no text.
pub fn quote_label(a: &AttachmentView) -> String {
    match a.kind {
        AttachmentKind::Picture => "📷 Photo".into(),
        AttachmentKind::Voice => "🎤 Voice message".into(),
        AttachmentKind::File => format!("📄 {}", a.name),
    }
}

/// A quoted picture's small thumbnail, at the quote's end.
#[component]
pub fn QuoteThumb(attachment: Option<AttachmentView>) -> impl IntoView {
    attachment.filter(|a| a.kind == AttachmentKind::Picture).map(|a| {
        let colour = a.placeholder.clone().unwrap_or_else(|| "#cbd5e1".into());
        view! {
            <img src=a.thumb_url.clone().unwrap_or(a.url.clone()) alt="" data-testid="quote-thumbnail"
                class="h-10 w-10 shrink-0 rounded-md object-cover" style:background-color=colour/>
        }
    })
}
