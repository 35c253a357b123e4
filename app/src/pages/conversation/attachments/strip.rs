//! The composer's strip of picked files, above the text box: pictures as thumbnails, other files
//! as chips, each uploading at once with its progress, removable (which cancels an upload under
//! way), and on failure the server's words with Retry.
use leptos::prelude::*;

use super::{UploadRing, UploadShown, file_card::FileBadge, icons::IconRetry};
use crate::{
    components::icons::IconX,
    media::types::{AttachmentKind, size_text},
    pages::conversation::state::ConvState,
    realtime::client::{LocalAttachment, UploadState},
};

#[component]
pub fn PreviewStrip(drafts: Memo<Vec<LocalAttachment>>, note: RwSignal<Option<String>>) -> impl IntoView {
    let realtime = expect_context::<ConvState>().realtime;
    let failures = Memo::new(move |_| {
        drafts.with(|d| {
            d.iter()
                .filter_map(|a| match &a.state {
                    UploadState::Failed { message, transient } => Some((a.key.clone(), a.name.clone(), message.clone(), *transient)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    });
    view! {
        <Show when=move || !drafts.with(Vec::is_empty)>
            <ul class="-mx-2 mb-1 flex gap-2.5 overflow-x-auto px-2 pt-2 pb-1.5" aria-label="Attachments to send" data-testid="preview-strip">
                <For each=move || drafts.get() key=|a| a.key.clone() let:item>
                    <StripItem item drafts/>
                </For>
            </ul>
        </Show>
        <For each=move || failures.get() key=|f| f.clone() let:failure>
            {
                // A file refused for what it is (too large, damaged) would only be refused again.
                let (key, name, message, transient) = failure;
                let (retry_key, remove_key) = (key.clone(), key);
                view! {
                    <p class="mb-1 flex flex-wrap items-center gap-x-2 px-1 text-sm text-rose-600 dark:text-rose-400" role="alert" data-testid="upload-error">
                        <span class="min-w-0 truncate"><span class="font-medium">{name}</span>": "{message}</span>
                        {transient.then(|| view! {
                            <button type="button" class="inline-flex items-center gap-1 font-semibold underline"
                                on:click=move |_| realtime.retry_upload(&retry_key)><IconRetry class="h-3.5 w-3.5"/>"Retry"</button>
                        })}
                        <button type="button" class="text-slate-500 underline dark:text-slate-400"
                            on:click=move |_| realtime.remove_draft(&remove_key)>"Remove"</button>
                    </p>
                }
            }
        </For>
        <Show when=move || note.with(Option::is_some)>
            <p class="mb-1 flex items-center gap-2 px-1 text-sm text-amber-700 dark:text-amber-400" role="status" data-testid="attach-note">
                <span class="flex-1">{move || note.get()}</span>
                <button type="button" aria-label="Dismiss" class="rounded-full p-1 hover:bg-slate-100 dark:hover:bg-slate-800"
                    on:click=move |_| note.set(None)><IconX class="h-3.5 w-3.5"/></button>
            </p>
        </Show>
    }
}

#[component]
fn StripItem(item: LocalAttachment, drafts: Memo<Vec<LocalAttachment>>) -> impl IntoView {
    let realtime = expect_context::<ConvState>().realtime;
    let key = StoredValue::new(item.key.clone());
    let live = Memo::new(move |_| drafts.with(|d| d.iter().find(|a| a.key == key.get_value()).cloned()));
    let shown = Signal::derive(move || live.with(|a| a.as_ref().map_or(UploadShown::Done, UploadShown::of)));
    // The server's word once stored: a `.jpg` that is really a program becomes a chip.
    let as_picture = Memo::new(move |_| live.with(|a| a.as_ref().is_some_and(|a| a.shown_kind() == AttachmentKind::Picture)));
    let broken = RwSignal::new(false);
    let name = item.name.clone();
    let state_name = move || match shown.get() {
        UploadShown::Uploading(_) => "uploading",
        UploadShown::Done => "stored",
        UploadShown::Failed => "failed",
    };
    let remove_label = {
        let name = name.clone();
        move || match shown.get() {
            UploadShown::Uploading(_) => format!("Cancel {name}"),
            _ => format!("Remove {name}"),
        }
    };
    let frame = move || {
        if shown.get() == UploadShown::Failed { "ring-2 ring-rose-500" } else { "ring-1 ring-slate-200 dark:ring-slate-700" }
    };
    let preview = item.preview_url.clone();
    let (size, mime) = (item.size, String::new());
    let content = move || {
        let name = name.clone();
        match preview.clone() {
            Some(src) if as_picture.get() && !broken.get() => view! {
                <span class=move || format!("relative block h-16 w-16 overflow-hidden rounded-xl bg-slate-200 dark:bg-slate-800 {}", frame())>
                    <img src=src alt=name class="h-full w-full object-cover" on:error=move |_| broken.set(true) data-testid="strip-thumbnail"/>
                    <UploadRing shown/>
                </span>
            }
            .into_any(),
            _ => view! {
                <span class=move || format!("relative flex h-16 w-52 items-center gap-2.5 overflow-hidden rounded-xl bg-slate-50 px-2.5 dark:bg-slate-900 {}", frame())
                    data-testid="strip-file">
                    <FileBadge name=name.clone() mime=mime.clone() size="h-10 w-10"/>
                    <span class="min-w-0 flex-1">
                        <span class="block truncate text-sm font-medium">{name.clone()}</span>
                        <span class="block text-xs text-slate-500 dark:text-slate-400">{size_text(size)}</span>
                    </span>
                    <Show when=move || matches!(shown.get(), UploadShown::Uploading(_))>
                        <span class="absolute inset-x-0 bottom-0 h-1 bg-slate-200 dark:bg-slate-800">
                            <span class="block h-full bg-indigo-500 transition-[width] duration-200"
                                style:width=move || match shown.get() { UploadShown::Uploading(p) => format!("{:.1}%", p.max(0.03) * 100.0), _ => "100%".into() }></span>
                        </span>
                    </Show>
                    <Show when=move || shown.get() == UploadShown::Failed>
                        <UploadRing shown overlay=false/>
                    </Show>
                </span>
            }
            .into_any(),
        }
    };
    view! {
        <li class="relative shrink-0" data-testid="strip-item" data-state=state_name data-name=item.name.clone()>
            {content}
            <button type="button" aria-label=remove_label on:click=move |_| realtime.remove_draft(&key.get_value())
                class="absolute -top-1.5 -right-1.5 flex h-6 w-6 items-center justify-center rounded-full bg-slate-800 text-white shadow ring-2 ring-white hover:bg-slate-700 dark:bg-slate-200 dark:text-slate-900 dark:ring-slate-950">
                <IconX class="h-3.5 w-3.5"/>
            </button>
        </li>
    }
}
