//! Getting files into the composer: the attach menu (photos — which on a phone offers the camera
//! too —, a camera shortcut on touch screens, any file), pasting a picture into the text box, and
//! dropping files onto the conversation.
use leptos::{html, prelude::*};

use super::icons::{IconCamera, IconFile, IconImage, IconPaperclip, IconUpload};
use crate::pages::conversation::state::ConvState;
#[cfg(feature = "hydrate")]
use crate::{media::types::MAX_PER_MESSAGE, realtime::client::room_for};

/// Adds picked, pasted or dropped files to the chat's next message, as many as it can carry;
/// `note` says when some did not fit.
#[cfg(feature = "hydrate")]
pub fn add_files(state: ConvState, files: Vec<web_sys::File>, note: RwSignal<Option<String>>) {
    if files.is_empty() {
        return;
    }
    let chat = state.chat_id.get_value();
    let have = state.realtime.drafts.with_untracked(|d| d.iter().filter(|a| a.chat_id == chat).count());
    let fits = room_for(have, files.len());
    for file in &files[..fits] {
        state.realtime.attach(&chat, file);
    }
    let left_out = files.len() - fits;
    note.set((left_out > 0).then(|| match left_out {
        1 => format!("A message can carry up to {MAX_PER_MESSAGE} attachments — 1 file was not added."),
        n => format!("A message can carry up to {MAX_PER_MESSAGE} attachments — {n} files were not added."),
    }));
}

#[cfg(feature = "hydrate")]
fn files_of(list: Option<web_sys::FileList>) -> Vec<web_sys::File> {
    list.map(|l| (0..l.length()).filter_map(|i| l.get(i)).collect()).unwrap_or_default()
}

/// The files of a paste (a copied picture or file); empty for text.
#[cfg(feature = "hydrate")]
pub fn pasted_files(ev: &web_sys::ClipboardEvent) -> Vec<web_sys::File> {
    files_of(ev.clipboard_data().and_then(|d| d.files()))
}

const ITEM: &str = "flex w-full items-center gap-3 px-4 py-2.5 text-left text-[15px] text-slate-700 hover:bg-slate-100 focus:bg-slate-100 focus:outline-none dark:text-slate-200 dark:hover:bg-slate-700 dark:focus:bg-slate-700";

/// The paperclip and its menu. Each choice opens the device's own picker through a hidden file
/// input (so a phone offers its camera and gallery).
#[component]
pub fn AttachButton(note: RwSignal<Option<String>>) -> impl IntoView {
    let state = expect_context::<ConvState>();
    let open = RwSignal::new(false);
    let photos = NodeRef::<html::Input>::new();
    let camera = NodeRef::<html::Input>::new();
    let any_file = NodeRef::<html::Input>::new();
    let choose = move |input: NodeRef<html::Input>| {
        open.set(false);
        if let Some(el) = input.get_untracked() {
            el.click();
        }
    };
    let picked = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input = event_target::<web_sys::HtmlInputElement>(&ev);
            add_files(state, files_of(input.files()), note);
            // The same file picked again is a change too.
            input.set_value("");
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, state, note);
    };
    view! {
        <div class="relative shrink-0">
            <button type="button" aria-label="Attach" title="Attach" aria-haspopup="menu" aria-expanded=move || open.get().to_string()
                on:click=move |_| open.update(|o| *o = !*o) data-testid="attach-button"
                class="flex h-11 w-11 items-center justify-center rounded-full text-slate-500 hover:bg-slate-100 hover:text-slate-700 focus:outline-none focus:ring-2 focus:ring-indigo-500/40 dark:text-slate-400 dark:hover:bg-slate-800 dark:hover:text-slate-200">
                <IconPaperclip class="h-[22px] w-[22px]"/>
            </button>
            <Show when=move || open.get()>
                <div class="fixed inset-0 z-20" on:click=move |_| open.set(false) aria-hidden="true"></div>
                <div role="menu" aria-label="Attach" on:keydown=move |e| if e.key() == "Escape" { open.set(false) }
                    class="absolute bottom-full left-0 z-30 mb-2 w-52 overflow-hidden rounded-2xl bg-white py-1.5 shadow-xl ring-1 ring-slate-200 dark:bg-slate-800 dark:ring-slate-700">
                    <button type="button" role="menuitem" class=ITEM on:click=move |_| choose(photos)>
                        <span class="rounded-full bg-indigo-100 p-1.5 text-indigo-600 dark:bg-indigo-500/20 dark:text-indigo-300"><IconImage class="h-4 w-4"/></span>
                        "Photos"
                    </button>
                    <button type="button" role="menuitem" class=format!("{ITEM} pointer-fine:hidden") on:click=move |_| choose(camera)>
                        <span class="rounded-full bg-rose-100 p-1.5 text-rose-600 dark:bg-rose-500/20 dark:text-rose-300"><IconCamera class="h-4 w-4"/></span>
                        "Camera"
                    </button>
                    <button type="button" role="menuitem" class=ITEM on:click=move |_| choose(any_file)>
                        <span class="rounded-full bg-sky-100 p-1.5 text-sky-600 dark:bg-sky-500/20 dark:text-sky-300"><IconFile class="h-4 w-4"/></span>
                        "File"
                    </button>
                </div>
            </Show>
            <input node_ref=photos type="file" accept="image/*" multiple class="hidden" on:change=picked data-testid="attach-photos"/>
            <input node_ref=camera type="file" accept="image/*" capture="environment" class="hidden" on:change=picked/>
            <input node_ref=any_file type="file" multiple class="hidden" on:change=picked data-testid="attach-file"/>
        </div>
    }
}

/// While files are dragged over the window, an overlay on the conversation says they can be
/// dropped; dropping them adds them to the next message.
#[component]
pub fn DropZone(note: RwSignal<Option<String>>, enabled: Signal<bool>) -> impl IntoView {
    let over = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        use leptos::ev;
        let state = expect_context::<ConvState>();
        // enter/leave pair up per element; the count reaches 0 when the drag leaves the window.
        let depth = StoredValue::new(0i32);
        let carries_files = |e: &web_sys::DragEvent| {
            e.data_transfer().is_some_and(|d| d.types().includes(&wasm_bindgen::JsValue::from_str("Files"), 0))
        };
        let enter = window_event_listener(ev::dragenter, move |e: web_sys::DragEvent| {
            if carries_files(&e) && enabled.get_untracked() {
                depth.update_value(|d| *d += 1);
                over.set(true);
            }
        });
        let over_handle = window_event_listener(ev::dragover, move |e: web_sys::DragEvent| {
            if carries_files(&e) && enabled.get_untracked() {
                // Without this the browser opens the file instead of letting it drop here.
                e.prevent_default();
                if let Some(d) = e.data_transfer() {
                    d.set_drop_effect("copy");
                }
            }
        });
        let leave = window_event_listener(ev::dragleave, move |_: web_sys::DragEvent| {
            depth.update_value(|d| *d = (*d - 1).max(0));
            if depth.get_value() == 0 {
                over.set(false);
            }
        });
        let drop = window_event_listener(ev::drop, move |e: web_sys::DragEvent| {
            depth.set_value(0);
            over.set(false);
            if carries_files(&e) && enabled.get_untracked() {
                e.prevent_default();
                add_files(state, files_of(e.data_transfer().and_then(|d| d.files())), note);
            }
        });
        on_cleanup(move || {
            enter.remove();
            over_handle.remove();
            leave.remove();
            drop.remove();
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (note, enabled);
    view! {
        <Show when=move || over.get()>
            <div class="pointer-events-none fixed inset-0 z-40 flex items-center justify-center bg-indigo-600/10 p-4 backdrop-blur-[2px] md:left-80 lg:left-96"
                data-testid="drop-overlay">
                <div class="flex h-full w-full flex-col items-center justify-center gap-3 rounded-3xl border-2 border-dashed border-indigo-500 bg-white/80 text-indigo-700 dark:bg-slate-950/80 dark:text-indigo-300">
                    <span class="rounded-full bg-indigo-600 p-4 text-white shadow-lg"><IconUpload class="h-7 w-7"/></span>
                    <p class="text-lg font-semibold">"Drop files to send"</p>
                    <p class="text-sm text-slate-500 dark:text-slate-400">{format!("Pictures and files, up to {} at a time", crate::media::types::MAX_PER_MESSAGE)}</p>
                </div>
            </div>
        </Show>
    }
}
