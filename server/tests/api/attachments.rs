//! Attachments over HTTP: upload, send by id, fetch with ranges and the right headers; and what
//! outsiders, signed-out clients and hostile uploads get.
use reqwest::header;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

/// Ada and Bob with a direct chat, and Eve outside it: (ada, bob, eve tokens, chat id).
async fn chat_of_two(app: &TestApp) -> (String, String, String, String) {
    let (_, ada) = app.person("ada", "+4915112360001").await;
    let (bob_id, bob) = app.person("bob", "+4915112360002").await;
    let (_, eve) = app.person("eve", "+4915112360003").await;
    let (status, chat) = app.call("POST", "/api/chats", &ada, Some(json!({ "user_id": bob_id }))).await;
    assert_eq!(status, 201);
    (ada, bob, eve, chat["id"].as_str().unwrap().to_owned())
}

async fn upload(app: &TestApp, token: &str, query: &str, bytes: Vec<u8>) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/attachments?{query}")))
        .bearer_auth(token)
        .body(bytes)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn fetch(app: &TestApp, token: Option<&str>, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    // A client without cookies: who it is comes from the token alone.
    let client = reqwest::Client::new();
    let mut request = client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

fn pdf() -> Vec<u8> {
    let mut bytes = b"%PDF-1.7\n".to_vec();
    bytes.extend((0..5000u32).flat_map(|i| (i as u16).to_le_bytes()));
    bytes
}

fn png() -> Vec<u8> {
    // 2×1 pixels, built by hand: signature, IHDR, one IDAT (zlib, stored), IEND.
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc_input = kind.to_vec();
        crc_input.extend(data);
        out.extend(&crc_input);
        out.extend(crc32(&crc_input).to_be_bytes());
    };
    chunk(&mut out, b"IHDR", &[0, 0, 0, 2, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    let raw = [0u8, 255, 0, 0, 0, 0, 255];
    let mut zlib = vec![0x78, 0x01, 0x01, raw.len() as u8, 0, !(raw.len() as u8), 0xff];
    zlib.extend(raw);
    zlib.extend(adler32(&raw).to_be_bytes());
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xedb8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + u32::from(x)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

#[tokio::test]
async fn a_file_is_uploaded_sent_and_fetched_by_members_only() {
    let app = spawn_app().await;
    let (ada, bob, eve, chat) = chat_of_two(&app).await;
    let bytes = pdf();
    let (status, file) = upload(&app, &ada, "name=Q3%20report.pdf", bytes.clone()).await;
    assert_eq!(status, 201, "{file}");
    assert_eq!((file["kind"].as_str(), file["mime"].as_str()), (Some("file"), Some("application/pdf")));
    let id = file["id"].as_str().unwrap().to_owned();
    let url = file["url"].as_str().unwrap().to_owned();
    // Not sent yet: only Ada may fetch it.
    assert_eq!(fetch(&app, Some(&bob), &url, &[]).await.status(), 404);

    let send = json!({ "client_id": "f-1", "attachments": [id] });
    let (status, message) = app.call("POST", &format!("/api/chats/{chat}/messages"), &ada, Some(send)).await;
    assert_eq!(status, 201, "{message}");
    assert_eq!(message["attachments"][0], file);

    let response = fetch(&app, Some(&bob), &url, &[]).await;
    assert_eq!(response.status(), 200);
    let h = response.headers().clone();
    assert_eq!(h[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(h[header::CONTENT_DISPOSITION], "attachment; filename=\"Q3 report.pdf\"; filename*=UTF-8''Q3%20report.pdf");
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::CACHE_CONTROL], "private, max-age=31536000, immutable");
    assert_eq!(h[header::CONTENT_SECURITY_POLICY], "default-src 'none'; sandbox");
    assert!(h.get(header::CONTENT_ENCODING).is_none(), "never compressed: ranges must mean bytes");
    assert_eq!(response.bytes().await.unwrap().to_vec(), bytes);

    // Outsiders, signed-out clients and made-up ids all get the same 404.
    for (token, path) in [(Some(eve.as_str()), url.as_str()), (None, url.as_str()), (Some(bob.as_str()), "/api/attachments/0000")] {
        let response = fetch(&app, token, path, &[]).await;
        assert_eq!(response.status(), 404, "{token:?} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
    }
    // A file has no thumbnail.
    assert_eq!(fetch(&app, Some(&bob), &format!("{url}/thumbnail"), &[]).await.status(), 404);
}

#[tokio::test]
async fn ranges_and_revalidation_are_answered() {
    let app = spawn_app().await;
    let (ada, _, _, _) = chat_of_two(&app).await;
    let bytes = pdf();
    let (_, file) = upload(&app, &ada, "name=a.pdf", bytes.clone()).await;
    let url = file["url"].as_str().unwrap();
    let part = fetch(&app, Some(&ada), url, &[("range", "bytes=100-199")]).await;
    assert_eq!(part.status(), 206);
    assert_eq!(part.headers()[header::CONTENT_RANGE], format!("bytes 100-199/{}", bytes.len()));
    assert_eq!(part.bytes().await.unwrap().to_vec(), bytes[100..200].to_vec());
    let tail = fetch(&app, Some(&ada), url, &[("range", "bytes=-10")]).await;
    assert_eq!(tail.bytes().await.unwrap().to_vec(), bytes[bytes.len() - 10..].to_vec());
    let beyond = fetch(&app, Some(&ada), url, &[("range", &format!("bytes={}-", bytes.len()))]).await;
    assert_eq!(beyond.status(), 416);
    assert_eq!(beyond.headers()[header::CONTENT_RANGE], format!("bytes */{}", bytes.len()));
    let etag = fetch(&app, Some(&ada), url, &[]).await.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert_eq!(fetch(&app, Some(&ada), url, &[("if-none-match", &etag)]).await.status(), 304);
}

#[tokio::test]
async fn a_picture_gets_a_thumbnail_and_a_browser_session_can_upload_and_fetch() {
    let app = spawn_app().await;
    let browser = app.browser();
    app.person("ada", "+4915112360011").await;
    app.browser_log_in(&browser, "+4915112360011").await;
    let response = browser.post(app.url("/api/attachments?name=dot.png")).body(png()).send().await.unwrap();
    assert_eq!(response.status(), 201);
    let picture: Value = response.json().await.unwrap();
    assert_eq!((picture["kind"].as_str(), picture["width"].as_u64(), picture["height"].as_u64()), (Some("picture"), Some(2), Some(1)));
    let shown = browser.get(app.url(picture["url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(shown.status(), 200);
    assert!(shown.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("inline;"));
    let thumb = browser.get(app.url(picture["thumb_url"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(thumb.status(), 200);
    assert!(thumb.headers()[header::CONTENT_TYPE].to_str().unwrap().starts_with("image/"));
    let saved = browser.get(app.url(&format!("{}?download=1", picture["url"].as_str().unwrap()))).send().await.unwrap();
    assert!(saved.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
    // Another site's page cannot make the browser upload with its cookie.
    let forged = browser
        .post(app.url("/api/attachments?name=x.png"))
        .header("origin", "https://evil.example")
        .body(png())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
}

#[tokio::test]
async fn hostile_uploads_are_refused_with_the_limit_named() {
    let app = spawn_app_with(&[("CONFAB_FILE_MAX_MB", "1")]).await;
    let (ada, _, _, chat) = chat_of_two(&app).await;
    let (status, body) = upload(&app, &ada, "name=big.bin", vec![0u8; 1_500_000]).await;
    assert_eq!((status, body["error"]["code"].as_str()), (413, Some("file_too_large")));
    assert_eq!(body["error"]["message"], "Files can be at most 1 MB");
    // A program calling itself a picture is a file, never shown as one.
    let mut exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00".to_vec();
    exe.extend(vec![0u8; 2000]);
    let (status, file) = upload(&app, &ada, "name=photo.jpg", exe).await;
    assert_eq!((status, file["kind"].as_str()), (201, Some("file")));
    assert_ne!(file["mime"], "image/jpeg");
    let served = fetch(&app, Some(&ada), file["url"].as_str().unwrap(), &[]).await;
    assert!(served.headers()[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment;"));
    // Markup is served as plain bytes, to be saved.
    let (_, page) = upload(&app, &ada, "name=page.html", b"<!doctype html><script>alert(1)</script>".to_vec()).await;
    let served = fetch(&app, Some(&ada), page["url"].as_str().unwrap(), &[]).await;
    assert_eq!(served.headers()[header::CONTENT_TYPE], "application/octet-stream");
    // A voice note that is not a recording, one too long, and bad query values.
    let (status, body) = upload(&app, &ada, "name=v.webm&duration_ms=1000", pdf()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("not_a_recording")));
    let (status, body) = upload(&app, &ada, "name=v.webm&duration_ms=99999999999", pdf()).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("voice_too_long")));
    for query in ["duration_ms=-1", "duration_ms=abc", "unknown=1"] {
        assert_eq!(upload(&app, &ada, query, pdf()).await.0, 400, "{query}");
    }
    // Sending attachments that are not the sender's unsent uploads.
    let send = json!({ "client_id": "x-1", "attachments": ["not-an-upload"] });
    let (status, body) = app.call("POST", &format!("/api/chats/{chat}/messages"), &ada, Some(send)).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("attachment_unknown")));
    let send = json!({ "client_id": "x-2", "attachments": vec!["a"; 11] });
    let (status, _) = app.call("POST", &format!("/api/chats/{chat}/messages"), &ada, Some(send)).await;
    assert_eq!(status, 422);
}
