//! The uploads themselves: `POST /api/attachments` with the raw bytes, through XMLHttpRequest
//! because it reports upload progress and can be aborted (fetch does neither). The bytes of each
//! picked file stay here until its message is stored, so a failed upload can start again.
use std::{cell::RefCell, collections::HashMap, time::Duration};

use leptos::prelude::set_timeout;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{Blob, ProgressEvent, XmlHttpRequest};

use super::{Realtime, uploads::UploadState};
use crate::media::types::AttachmentView;

struct Upload {
    blob: Blob,
    name: String,
    duration_ms: Option<u32>,
    running: Option<Running>,
}

struct Running {
    xhr: XmlHttpRequest,
    _on_progress: Closure<dyn FnMut(ProgressEvent)>,
    _on_done: Closure<dyn FnMut(ProgressEvent)>,
}

thread_local! {
    static UPLOADS: RefCell<HashMap<String, Upload>> = RefCell::new(HashMap::new());
}

/// Keeps a file's bytes under `key` for its upload (and retries).
pub(super) fn keep(key: &str, blob: &Blob, name: &str, duration_ms: Option<u32>) {
    UPLOADS.with(|u| {
        u.borrow_mut().insert(key.to_owned(), Upload { blob: blob.clone(), name: name.to_owned(), duration_ms, running: None });
    });
}

/// Stops the upload and drops the bytes.
pub(super) fn forget(key: &str) {
    let gone = UPLOADS.with(|u| u.borrow_mut().remove(key));
    if let Some(running) = gone.and_then(|g| g.running) {
        // Its handlers stay alive while the abort runs them (they find the key gone).
        let _ = running.xhr.abort();
        drop(running);
    }
}

/// Starts (or restarts) the upload of the bytes kept under `key`; false if there are none.
pub(super) fn start(realtime: Realtime, key: &str) -> bool {
    let Some((blob, url)) = UPLOADS.with(|u| u.borrow().get(key).map(|up| (up.blob.clone(), upload_url(&up.name, up.duration_ms))))
    else {
        return false;
    };
    let Ok(xhr) = XmlHttpRequest::new() else { return false };
    if xhr.open("POST", &url).is_err() {
        return false;
    }
    let total = blob.size() as u64;
    let progress_key = key.to_owned();
    let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
        let total = if e.length_computable() { e.total() as u64 } else { total };
        realtime.upload_changed(&progress_key, UploadState::Uploading { sent: e.loaded() as u64, total });
    });
    let done_key = key.to_owned();
    let this = xhr.clone();
    let on_done = Closure::<dyn FnMut(ProgressEvent)>::new(move |_: ProgressEvent| {
        // Only the request still registered under the key speaks for it (not an aborted one).
        let current = UPLOADS.with(|u| {
            u.borrow_mut().get_mut(&done_key).and_then(|up| match &up.running {
                Some(r) if r.xhr == this => up.running.take(),
                _ => None,
            })
        });
        let Some(finished) = current else { return };
        let status = this.status().unwrap_or(0);
        let text = this.response_text().ok().flatten().unwrap_or_default();
        realtime.upload_changed(&done_key, outcome(status, &text));
        // Dropped after this handler has returned.
        set_timeout(move || drop(finished), Duration::ZERO);
    });
    if let Ok(upload) = xhr.upload() {
        upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
    }
    xhr.set_onloadend(Some(on_done.as_ref().unchecked_ref()));
    let previous = UPLOADS.with(|u| {
        u.borrow_mut()
            .get_mut(key)
            .and_then(|up| up.running.replace(Running { xhr: xhr.clone(), _on_progress: on_progress, _on_done: on_done }))
    });
    if let Some(old) = previous {
        let _ = old.xhr.abort();
    }
    if xhr.send_with_opt_blob(Some(&blob)).is_err() {
        realtime.upload_changed(key, UploadState::Failed { message: "The upload could not start".into(), transient: true });
    }
    true
}

fn upload_url(name: &str, duration_ms: Option<u32>) -> String {
    let name = String::from(js_sys::encode_uri_component(name));
    match duration_ms {
        Some(ms) => format!("/api/attachments?name={name}&duration_ms={}", ms.max(1)),
        None => format!("/api/attachments?name={name}"),
    }
}

/// The upload's end as an upload state: stored, or failed with the server's words.
fn outcome(status: u16, text: &str) -> UploadState {
    if status == 201 {
        return match serde_json::from_str::<AttachmentView>(text) {
            Ok(view) => UploadState::Stored(view),
            Err(_) => UploadState::Failed { message: "The server’s answer could not be read".into(), transient: true },
        };
    }
    if status == 0 {
        return UploadState::Failed { message: "The upload was cut off — check your connection".into(), transient: true };
    }
    let said = serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .and_then(|v| v.pointer("/error/message").and_then(|m| m.as_str()).map(str::to_owned));
    UploadState::Failed {
        message: said.unwrap_or_else(|| format!("The upload failed (error {status})")),
        transient: status >= 500 || status == 429 || status == 408,
    }
}
