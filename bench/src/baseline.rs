//! `confab-bench serve-baseline`: the limit the figures are compared with. The same stack as
//! Confab (axum WebSockets on tokio, the same frames and socket buffers) but nothing else: no
//! authentication (`/ws?user=<index>`), no storage (sequences are counters, `hello` replays
//! nothing), no receipts or presence. A `send` is acked and fanned out to every socket of
//! every member of the chat, in sequence order.
use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use app::chats::types::{MessageView, PersonView};
use app::realtime::protocol::{ClientFrame, PROTOCOL_VERSION, ServerFrame};
use axum::{
    Router,
    extract::{
        Query, State,
        ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade},
    },
    response::Response,
    routing::get,
};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::fixture::Fixture;

/// Frames queued per socket before it is cut off (Confab's outbound queue is the same size).
const QUEUE: usize = 256;
/// Confab's socket buffer sizes, so memory per socket compares like with like.
const BUFFER_BYTES: usize = 8 * 1024;
const MAX_WRITE_BUFFER_BYTES: usize = 1024 * 1024;

struct Chat {
    members: Vec<usize>,
    /// The last sequence; held while a message is fanned out, so sockets see them in order.
    seq: tokio::sync::Mutex<i64>,
}

#[derive(Default)]
struct Hub {
    chats: HashMap<String, Chat>,
    /// Open sockets per user: (socket id, queue).
    sockets: Mutex<HashMap<usize, Vec<(u64, mpsc::Sender<Utf8Bytes>)>>>,
    next_socket: AtomicU64,
}

impl Hub {
    fn deliver(&self, members: &[usize], frame: &Utf8Bytes, own: Option<(usize, &Utf8Bytes)>) {
        let sockets = self.sockets.lock().unwrap_or_else(|e| e.into_inner());
        for member in members {
            let text = match own {
                Some((sender, own_copy)) if sender == *member => own_copy,
                _ => frame,
            };
            for (_, queue) in sockets.get(member).into_iter().flatten() {
                // A full queue means a socket that fell behind: it misses this one, as Confab's
                // would be cut off.
                let _ = queue.try_send(text.clone());
            }
        }
    }
}

#[derive(Deserialize)]
struct Who {
    user: usize,
}

/// Serves until killed.
pub async fn serve(listen: SocketAddr, fixture: &Fixture) -> Result<(), String> {
    let chats = fixture
        .chats()
        .into_iter()
        .map(|(id, members)| (id, Chat { members, seq: tokio::sync::Mutex::new(0) }))
        .collect();
    let hub = Arc::new(Hub { chats, ..Hub::default() });
    let app = Router::new()
        .route("/readyz", get(|| async { "ready" }))
        .route("/ws", get(upgrade))
        .route("/api/chats/{id}/messages", axum::routing::post(post_message))
        .with_state(hub);
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("listen on {listen}: {e}"))?;
    axum::serve(listener, app).await.map_err(|e| e.to_string())
}

async fn upgrade(State(hub): State<Arc<Hub>>, Query(who): Query<Who>, ws: WebSocketUpgrade) -> Response {
    ws.read_buffer_size(BUFFER_BYTES)
        .write_buffer_size(BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .on_upgrade(move |socket| connection(hub, who.user, socket))
}

async fn connection(hub: Arc<Hub>, user: usize, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    let (queue, mut outbox) = mpsc::channel::<Utf8Bytes>(QUEUE);
    let id = hub.next_socket.fetch_add(1, Ordering::Relaxed);
    hub.sockets.lock().unwrap_or_else(|e| e.into_inner()).entry(user).or_default().push((id, queue.clone()));
    let writer = tokio::spawn(async move {
        while let Some(text) = outbox.recv().await {
            if sink.send(Message::Text(text)).await.is_err() {
                return;
            }
        }
    });
    while let Some(Ok(message)) = stream.next().await {
        let Message::Text(text) = message else { continue };
        let Ok(frame) = serde_json::from_str::<ClientFrame>(&text) else { continue };
        let reply = match frame {
            ClientFrame::Hello { .. } => {
                let welcome = ServerFrame::Welcome { version: PROTOCOL_VERSION, user_id: format!("U{user}") };
                let _ = queue.send(encode(&welcome)).await;
                Some(ServerFrame::Synced { at: 0 })
            }
            ClientFrame::Ping { nonce } => Some(ServerFrame::Pong { nonce }),
            ClientFrame::Send { chat_id, client_id, body, .. } => send(&hub, user, chat_id, client_id, body).await,
            // Typing, read marks and calls are not part of what the baseline measures.
            _ => None,
        };
        if let Some(reply) = reply {
            if queue.send(encode(&reply)).await.is_err() {
                break;
            }
        }
    }
    if let Some(list) = hub.sockets.lock().unwrap_or_else(|e| e.into_inner()).get_mut(&user) {
        list.retain(|(socket, _)| *socket != id);
    }
    writer.abort();
}

#[derive(Deserialize)]
struct SendBody {
    client_id: String,
    body: String,
}

/// Confab's `POST /api/chats/{id}/messages`, with the sender in the query string.
async fn post_message(
    State(hub): State<Arc<Hub>>,
    axum::extract::Path(chat_id): axum::extract::Path<String>,
    Query(who): Query<Who>,
    axum::Json(body): axum::Json<SendBody>,
) -> axum::http::StatusCode {
    match send(&hub, who.user, chat_id, body.client_id, body.body).await {
        Some(ServerFrame::Ack { .. }) => axum::http::StatusCode::CREATED,
        _ => axum::http::StatusCode::NOT_FOUND,
    }
}

/// Numbers the message, fans it out and returns the ack (or an error for a stranger's chat).
async fn send(hub: &Hub, user: usize, chat_id: String, client_id: String, body: String) -> Option<ServerFrame> {
    let Some(chat) = hub.chats.get(&chat_id).filter(|c| c.members.contains(&user)) else {
        return Some(ServerFrame::Error { code: "not_found".into(), message: "Not found".into(), client_id: Some(client_id) });
    };
    let created_at = time::OffsetDateTime::now_utc().unix_timestamp();
    let mut seq = chat.seq.lock().await;
    *seq += 1;
    let mut message = MessageView {
        id: format!("{chat_id}-{}", *seq),
        chat_id: chat_id.clone(),
        seq: *seq,
        sender: Some(PersonView { user_id: format!("U{user}"), username: format!("user{user}"), display_name: format!("User {user}") }),
        body,
        system: None,
        created_at,
        edited_at: None,
        deleted: false,
        reply_to: None,
        reactions: Vec::new(),
        client_id: None,
        attachments: Vec::new(),
    };
    let id = message.id.clone();
    let for_others = encode(&ServerFrame::Message { message: message.clone() });
    message.client_id = Some(client_id.clone());
    let own_copy = encode(&ServerFrame::Message { message });
    hub.deliver(&chat.members, &for_others, Some((user, &own_copy)));
    let ack = ServerFrame::Ack { client_id, chat_id, id, seq: *seq, created_at };
    drop(seq);
    Some(ack)
}

fn encode(frame: &ServerFrame) -> Utf8Bytes {
    serde_json::to_string(frame).unwrap_or_default().into()
}
