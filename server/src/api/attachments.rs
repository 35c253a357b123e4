//! Attachments over HTTP: uploading (the body streams to the service, never held whole) and
//! fetching, for API clients (Bearer) and the web app's pages (session cookie) alike. Fetching
//! answers `Range` requests (seeking in a voice note) and lets the browser keep the bytes, which
//! never change for an id, without letting shared caches keep them.
use std::ops::Range;

use app::backend::store::attachments::AttachmentRow;
use app::error::AppError;
use app::media::types::AttachmentView;
use axum::{
    Json, Router,
    body::Body,
    extract::{DefaultBodyLimit, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use tokio_util::io::ReaderStream;
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiPath, ApiQuery, BearerOrSessionUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        // The service enforces each kind's own limit while the bytes arrive.
        ("/api/attachments", post(upload).layer(DefaultBodyLimit::disable())),
        ("/api/attachments/{id}", get(content)),
        ("/api/attachments/{id}/thumbnail", get(thumbnail)),
    ])
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct UploadQuery {
    /// The file's name on the device (a path is cut to its last part).
    #[param(max_length = 1000)]
    name: Option<String>,
    /// Set for a recorded voice note: its length in milliseconds (1 ms to the server's limit,
    /// 15 minutes by default). Without it a recording is sent as a file.
    #[param(minimum = 1)]
    duration_ms: Option<u64>,
}

/// The file's bytes, as they are: the type is read from them, not from a header.
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
pub(super) struct UploadBytes(#[allow(dead_code)] Vec<u8>);

/// Uploads a picture, voice note or file, to be sent in a message by its id (`attachments` of a
/// send) within 24 hours. The type comes from the bytes: JPEG, PNG, GIF and WebP are pictures
/// (re-encoded without their metadata, with a thumbnail); a recording sent with `duration_ms`
/// is a voice note; anything else is a file. Limits (413 names the one hit): pictures 20 MB and
/// 40 megapixels, voice notes 20 MB and 15 minutes, files 100 MB, by default.
#[utoipa::path(post, path = "/api/attachments", tag = "attachments", params(UploadQuery),
    request_body(content = UploadBytes, content_type = "application/octet-stream"),
    responses((status = 201, description = "Stored, not yet sent", body = AttachmentView)))]
pub(super) async fn upload(
    State(state): State<AppState>,
    BearerOrSessionUser(me): BearerOrSessionUser,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<(StatusCode, Json<AttachmentView>), ApiError> {
    if query.name.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(ApiError(AppError::invalid("name", "A file name is at most 1000 characters")));
    }
    let declared_size = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse().ok());
    let request =
        app::backend::media::UploadRequest { name: query.name.unwrap_or_default(), voice_duration_ms: query.duration_ms, declared_size };
    let view = state.services.media.upload(&me, &request, body.into_data_stream()).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(super) struct ContentQuery {
    /// `1` (or `true`): save it under its name instead of showing it (pictures and voice
    /// notes; files always are).
    #[param(pattern = "^(1|0|true|false)$")]
    download: Option<String>,
}

/// An attachment's bytes, for its uploader and the members of the chat it was sent in, by Bearer
/// token or the web app's session cookie; anyone else, signed in or not, gets 404 (so no 401
/// says the id exists). Answers a single `Range` with 206.
#[utoipa::path(get, path = "/api/attachments/{id}", tag = "attachments", security(()),
    params(("id" = String, Path, description = "Attachment id"), ContentQuery),
    responses((status = 200, description = "The bytes, typed as found from them at upload (a file that is text, HTML, SVG or script as application/octet-stream)", content_type = "*/*", body = UploadBytes),
              (status = 206, description = "The requested range", content_type = "*/*", body = UploadBytes),
              (status = 304, description = "Not modified (If-None-Match)"),
              (status = 416, description = "The range is outside the attachment")))]
pub(super) async fn content(
    State(state): State<AppState>,
    me: Result<BearerOrSessionUser, ApiError>,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<ContentQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let download = match query.download.as_deref() {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(_) => return Err(ApiError(AppError::invalid("download", "`download` is 1 or 0"))),
    };
    let row = readable(&state, me, &id).await?;
    let download = download || row.kind == "file";
    serve(&state, &row.blob, served_type(&row), Some((&row.name, download)), &headers).await
}

/// A picture's thumbnail (at most 320 px on its longer side); 404 for other kinds.
#[utoipa::path(get, path = "/api/attachments/{id}/thumbnail", tag = "attachments", security(()),
    params(("id" = String, Path, description = "Attachment id")),
    responses((status = 200, description = "The thumbnail: JPEG, or PNG when the picture has transparency",
               content((UploadBytes = "image/jpeg"), (UploadBytes = "image/png"))),
              (status = 304, description = "Not modified (If-None-Match)")))]
pub(super) async fn thumbnail(
    State(state): State<AppState>,
    me: Result<BearerOrSessionUser, ApiError>,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let row = readable(&state, me, &id).await?;
    let thumb = row.thumb_blob.as_deref().ok_or(ApiError(AppError::NotFound))?;
    // Thumbnails are JPEG unless the picture has transparency (then PNG, as the picture is).
    let mime = if row.mime == "image/png" { "image/png" } else { "image/jpeg" };
    serve(&state, thumb, mime, None, &headers).await
}

/// The row, if the caller may fetch it: someone signed out gets 404 like an outsider, so an
/// attachment's address says nothing of whether it exists.
async fn readable(state: &AppState, me: Result<BearerOrSessionUser, ApiError>, id: &str) -> Result<AttachmentRow, ApiError> {
    let BearerOrSessionUser(me) = me.map_err(|_| ApiError(AppError::NotFound))?;
    Ok(state.services.chats.readable_attachment(&me, id).await?)
}

/// The type a response declares. Pictures and voice notes are what the server found and made;
/// a file is what was found in it, except anything a browser would run (markup, scripts, SVG),
/// which goes as plain bytes.
fn served_type(row: &AttachmentRow) -> &str {
    let runnable = ["html", "xml", "svg", "javascript", "ecmascript"].iter().any(|t| row.mime.contains(t));
    if row.kind == "file" && (runnable || row.mime.starts_with("text/")) { "application/octet-stream" } else { &row.mime }
}

async fn serve(
    state: &AppState,
    blob: &str,
    mime: &str,
    name: Option<(&str, bool)>,
    headers: &HeaderMap,
) -> Result<Response, ApiError> {
    let media = &state.services.media;
    let len = media.blob_len(blob).await?.ok_or_else(|| {
        tracing::error!(blob, "an attachment's blob is missing");
        ApiError(AppError::NotFound)
    })?;
    let etag = format!("\"{blob}\"");
    let mut response = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains(&etag)) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        match byte_range(headers.get(header::RANGE).and_then(|v| v.to_str().ok()), len) {
            Ranged::Unsatisfiable => {
                let mut refused = StatusCode::RANGE_NOT_SATISFIABLE.into_response();
                refused.headers_mut().insert(header::CONTENT_RANGE, value(&format!("bytes */{len}")));
                refused
            }
            Ranged::Whole => {
                let body = Body::from_stream(ReaderStream::new(media.read(blob, 0..len).await?));
                let mut whole = (StatusCode::OK, body).into_response();
                whole.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(len));
                whole
            }
            Ranged::Part(range) => {
                let body = Body::from_stream(ReaderStream::new(media.read(blob, range.clone()).await?));
                let mut part = (StatusCode::PARTIAL_CONTENT, body).into_response();
                let h = part.headers_mut();
                h.insert(header::CONTENT_RANGE, value(&format!("bytes {}-{}/{len}", range.start, range.end - 1)));
                h.insert(header::CONTENT_LENGTH, HeaderValue::from(range.end - range.start));
                part
            }
        }
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, value(mime));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::ETAG, value(&etag));
    // The bytes behind an id never change; `private`: only this person's browser keeps them.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=31536000, immutable"));
    // Opened on its own, nothing in it may run or load anything.
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; sandbox"));
    if let Some((name, download)) = name {
        h.insert(header::CONTENT_DISPOSITION, value(&disposition(name, download)));
    }
    Ok(response)
}

fn value(text: &str) -> HeaderValue {
    HeaderValue::from_str(text).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// `attachment` (saved) or `inline` (shown), with the name: an ASCII stand-in for old clients
/// and the exact name percent-encoded (RFC 6266).
fn disposition(name: &str, download: bool) -> String {
    let ascii: String = name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' { c } else { '_' }).collect();
    let encoded: String = name
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() || b"-._~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    let how = if download { "attachment" } else { "inline" };
    format!("{how}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[derive(Debug, PartialEq)]
enum Ranged {
    Whole,
    Part(Range<u64>),
    Unsatisfiable,
}

/// A single `bytes=` range of a `len`-byte body. Several ranges, or one that cannot be read,
/// get the whole body (a server may ignore `Range`); one that starts past the end is refused.
fn byte_range(header: Option<&str>, len: u64) -> Ranged {
    let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else { return Ranged::Whole };
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((start, end)) = spec.split_once('-') else { return Ranged::Whole };
    let (start, end) = (start.trim(), end.trim());
    let parsed = |s: &str| s.parse::<u64>().ok();
    match (start.is_empty(), end.is_empty()) {
        // The last `n` bytes.
        (true, false) => match parsed(end) {
            Some(0) => Ranged::Unsatisfiable,
            Some(n) if len > 0 => Ranged::Part(len.saturating_sub(n)..len),
            Some(_) => Ranged::Unsatisfiable,
            None => Ranged::Whole,
        },
        (false, _) => match (parsed(start), if end.is_empty() { Some(u64::MAX) } else { parsed(end) }) {
            (Some(a), Some(b)) if a <= b => {
                if a >= len { Ranged::Unsatisfiable } else { Ranged::Part(a..b.saturating_add(1).min(len)) }
            }
            _ => Ranged::Whole,
        },
        (true, true) => Ranged::Whole,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(byte_range(None, 10), Ranged::Whole);
        assert_eq!(byte_range(Some("bytes=0-3"), 10), Ranged::Part(0..4));
        assert_eq!(byte_range(Some("bytes=5-"), 10), Ranged::Part(5..10));
        assert_eq!(byte_range(Some("bytes=8-100"), 10), Ranged::Part(8..10));
        assert_eq!(byte_range(Some("bytes=-3"), 10), Ranged::Part(7..10));
        assert_eq!(byte_range(Some("bytes=-30"), 10), Ranged::Part(0..10));
        assert_eq!(byte_range(Some("bytes=10-"), 10), Ranged::Unsatisfiable);
        assert_eq!(byte_range(Some("bytes=-0"), 10), Ranged::Unsatisfiable);
        assert_eq!(byte_range(Some("bytes=0-1,3-4"), 10), Ranged::Whole);
        assert_eq!(byte_range(Some("bytes=4-2"), 10), Ranged::Whole);
        assert_eq!(byte_range(Some("bytes=x-2"), 10), Ranged::Whole);
        assert_eq!(byte_range(Some("items=0-2"), 10), Ranged::Whole);
        assert_eq!(byte_range(Some("bytes=18446744073709551615-"), 10), Ranged::Unsatisfiable);
    }

    #[test]
    fn names_survive_into_the_disposition() {
        assert_eq!(disposition("report.pdf", true), "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf");
        assert_eq!(
            disposition("ça \"va\".txt", false),
            "inline; filename=\"_a _va_.txt\"; filename*=UTF-8''%C3%A7a%20%22va%22.txt"
        );
    }
}
