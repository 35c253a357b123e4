//! A send still on its way, as a bubble of the viewer's: a clock while it waits (for the socket,
//! or for its attachments' uploads, shown with their progress), or why it was not sent, with
//! Retry and Discard.
use leptos::prelude::*;

use super::{
    attachments::PendingAttachments,
    bubble::{OWN_BUBBLE, Quote},
    state::ConvState,
};
use crate::{
    components::{
        icons::{IconAlert, IconClock},
        text::LinkedText,
    },
    media::types::AttachmentKind,
    realtime::client::PendingSend,
};

/// A send on its way (a clock), with its attachments' uploads, or one that failed (Retry,
/// Discard): refused by the server, or an upload that did not go through.
#[component]
pub fn PendingRow(pending: PendingSend) -> impl IntoView {
    let state = expect_context::<ConvState>();
    let PendingSend { client_id, body, reply_to, failed, attachments, .. } = pending;
    let upload_failure = {
        let id = client_id.clone();
        Memo::new(move |_| state.pending.with(|l| l.iter().find(|p| p.client_id == id).and_then(|p| p.upload_failure())))
    };
    let reason = Signal::derive(move || failed.clone().or_else(|| upload_failure.get()));
    let is_failed = move || reason.with(Option::is_some);
    let (retry_id, discard_id) = (StoredValue::new(client_id.clone()), StoredValue::new(client_id.clone()));
    let failed_view = move || {
        reason.get().map(|reason| view! {
            <p class="mt-1 flex flex-wrap items-center justify-end gap-x-2 text-xs text-rose-600 dark:text-rose-400" role="alert">
                <IconAlert class="h-3.5 w-3.5"/> <span>{format!("Not sent: {reason}")}</span>
                <button type="button" class="font-semibold underline" on:click=move |_| state.retry(&retry_id.get_value())>"Retry"</button>
                <button type="button" class="text-slate-500 underline dark:text-slate-400" on:click=move |_| state.discard(&discard_id.get_value())>"Discard"</button>
            </p>
        })
    };
    let framed = attachments.iter().any(|a| a.shown_kind() == AttachmentKind::Picture);
    let text = (attachments.is_empty() || !body.trim().is_empty()).then(|| view! {
        <p class=format!("text-[15px] leading-snug break-words whitespace-pre-wrap {}", if framed { "px-2 pt-1 pb-0.5" } else { "" })>
            <LinkedText text=body link_class="underline underline-offset-2 break-all text-white"/>
            <span class="inline-block w-5"></span>
        </p>
    });
    let pending_attachments = (!attachments.is_empty()).then(|| view! { <PendingAttachments client_id attachments/> });
    let status_at = if framed && text.is_none() { "right-2.5 bottom-2.5 rounded-full bg-slate-900/50 p-0.5" } else { "right-2 bottom-1.5" };
    let room_for_status = (!framed && text.is_none()).then(|| view! { <p class="h-4" aria-hidden="true"></p> });
    view! {
        <div class="mt-0.5 flex flex-col items-end" data-testid="pending-message" data-failed=move || is_failed().to_string()>
            <div class=move || format!("relative max-w-[85%] rounded-2xl rounded-br-md sm:max-w-[75%] {} {} {}", OWN_BUBBLE,
                    if framed { "p-1" } else { "px-3 py-1.5" }, if is_failed() { "opacity-60" } else { "opacity-80" })>
                {reply_to.map(|reply| view! { <span class=if framed { "mb-1 block px-1 pt-0.5" } else { "mb-1 block" }><Quote reply on_own=true/></span> })}
                {pending_attachments}
                {text}
                {room_for_status}
                <span class=format!("absolute text-indigo-100 {status_at}") aria-label=move || if is_failed() { "Not sent" } else { "Sending" }>
                    {move || if is_failed() { view! { <IconAlert class="h-3.5 w-3.5"/> }.into_any() } else { view! { <IconClock class="h-3.5 w-3.5"/> }.into_any() }}
                </span>
            </div>
            {failed_view}
        </div>
    }
    .into_any()
}
