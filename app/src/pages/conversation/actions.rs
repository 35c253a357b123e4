//! What one can do with a message (opened with its "⋯" button, a right click or a long press):
//! react, reply, copy, and for one's own messages edit and delete for everyone.
use leptos::prelude::*;

use super::{
    bubble::Quote,
    state::{ConvState, reply_preview},
};
use crate::{
    browser,
    chats::types::MessageView,
    components::{
        icons::{IconCopy, IconEdit, IconReply, IconTrash},
        sheet::Sheet,
    },
};

/// The reactions offered in the menu.
pub const EMOJI: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

const ITEM: &str = "flex w-full items-center gap-3 rounded-xl px-3 py-2.5 text-left font-medium hover:bg-slate-100 dark:hover:bg-slate-800";

#[component]
pub fn ActionMenu() -> impl IntoView {
    let state = expect_context::<ConvState>();
    let selected = move |id: Option<String>| -> Option<MessageView> {
        let id = id?;
        state.messages.with(|l| l.iter().find(|m| m.id == id).cloned())
    };
    let close = Callback::new(move |_| state.menu.set(None));
    let close_confirm = Callback::new(move |_| state.confirm_delete.set(None));
    view! {
        {move || selected(state.menu.get()).map(|m| {
            let mine = state.is_mine(&m);
            let title = if mine { "Your message".to_string() } else {
                format!("Message from {}", m.sender.as_ref().map(|s| s.display_name.as_str()).unwrap_or(""))
            };
            let preview = reply_preview(&m);
            let (id_r, id_e, id_d) = (m.id.clone(), m.clone(), m.id.clone());
            let body = m.body.clone();
            view! {
                <Sheet title on_close=close>
                    {preview.clone().map(|reply| view! { <div class="mb-3"><Quote reply/></div> })}
                    <div class="mb-2 flex justify-between gap-1 rounded-2xl bg-slate-100 p-1.5 dark:bg-slate-800" role="group" aria-label="React">
                        {EMOJI.iter().map(|e| {
                            let (id, emoji) = (id_r.clone(), e.to_string());
                            let mine = m.reactions.iter().any(|r| r.emoji == *e && r.mine);
                            view! {
                                <button type="button" aria-label=format!("React {e}") aria-pressed=mine.to_string()
                                    on:click=move |_| { state.react(id.clone(), emoji.clone()); state.menu.set(None); }
                                    class=format!("flex h-11 w-11 items-center justify-center rounded-full text-2xl transition hover:scale-110 hover:bg-white dark:hover:bg-slate-700 {}",
                                        if mine { "bg-white ring-2 ring-indigo-400 dark:bg-slate-700" } else { "" })>
                                    {*e}
                                </button>
                            }
                        }).collect_view()}
                    </div>
                    <button type="button" class=ITEM on:click=move |_| {
                        state.editing.set(None);
                        state.replying.set(preview.clone());
                        state.menu.set(None);
                        browser::focus_id("composer-input");
                    }><IconReply class="h-5 w-5 text-slate-500"/>"Reply"</button>
                    // Pictures, files or a voice note sent without a caption have no text to copy.
                    {(!body.trim().is_empty()).then(|| view! {
                        <button type="button" class=ITEM on:click=move |_| {
                            browser::copy_to_clipboard(&body);
                            state.menu.set(None);
                        }><IconCopy class="h-5 w-5 text-slate-500"/>"Copy text"</button>
                    })}
                    {mine.then(|| view! {
                        <button type="button" class=ITEM on:click=move |_| {
                            state.replying.set(None);
                            state.editing.set(Some(id_e.clone()));
                            state.menu.set(None);
                            browser::focus_id("composer-input");
                        }><IconEdit class="h-5 w-5 text-slate-500"/>"Edit"</button>
                        <button type="button" class=format!("{ITEM} text-rose-600 dark:text-rose-400") on:click=move |_| {
                            state.confirm_delete.set(Some(id_d.clone()));
                            state.menu.set(None);
                        }><IconTrash class="h-5 w-5"/>"Delete for everyone"</button>
                    })}
                </Sheet>
            }
        })}
        {move || state.confirm_delete.get().map(|id| view! {
            <Sheet title="Delete this message?" on_close=close_confirm>
                <p class="text-sm text-slate-600 dark:text-slate-400">"It will be deleted for everyone in this chat. This can’t be undone."</p>
                <div class="mt-5 flex justify-end gap-2">
                    <button type="button" on:click=move |_| state.confirm_delete.set(None)
                        class="rounded-xl px-4 py-2 font-semibold text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800">"Cancel"</button>
                    <button type="button" on:click=move |_| { state.delete(id.clone()); state.confirm_delete.set(None); }
                        class="rounded-xl bg-rose-600 px-4 py-2 font-semibold text-white hover:bg-rose-500">"Delete"</button>
                </div>
            </Sheet>
        })}
        {move || state.error.get().map(|e| view! {
            <div class="pointer-events-none fixed inset-x-0 top-20 z-50 flex justify-center px-4">
                <p class="pointer-events-auto flex items-center gap-3 rounded-xl bg-slate-900 px-4 py-2.5 text-sm text-white shadow-lg dark:bg-slate-100 dark:text-slate-900" role="alert">
                    {e}
                    <button type="button" class="font-semibold underline" on:click=move |_| state.error.set(None)>"OK"</button>
                </p>
            </div>
        })}
    }
    .into_any()
}
