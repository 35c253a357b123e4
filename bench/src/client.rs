//! One WebSocket client as the benchmark sees it: dialled from one of several loopback source
//! addresses, authenticated like an API client, greeted with `hello`, and read with a lean view
//! of the server's frames.
use std::{
    net::{Ipv4Addr, SocketAddr},
    sync::{
        OnceLock,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use app::{
    calls::types::{CallEnd, CallSignal, CallState},
    realtime::protocol::{ClientFrame, Cursor, PROTOCOL_VERSION},
};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::{
    WebSocketStream, client_async_with_config,
    tungstenite::{Message, client::IntoClientRequest, http::HeaderValue, protocol::WebSocketConfig},
};

pub type Ws = WebSocketStream<TcpStream>;

/// How long a connection, its upgrade and its `hello` may take before the attempt counts as failed.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// Who a socket speaks for: Confab wants a bearer token; the baseline takes the user's index in
/// the query string, having no authentication.
#[derive(Debug, Clone)]
pub enum Auth {
    Bearer(String),
    UserIndex(usize),
}

/// Opens sockets to one server, spreading them over source addresses 127.0.0.2, 127.0.0.3, …:
/// each source address has its own ~28,000 ephemeral ports, so several of them allow more
/// connections than one.
pub struct Dialer {
    server: SocketAddr,
    sources: Vec<Ipv4Addr>,
    next: AtomicUsize,
}

impl Dialer {
    pub fn new(server: SocketAddr, sources: u8) -> Self {
        let sources = (0..sources.max(1)).map(|i| Ipv4Addr::new(127, 0, 0, 2 + i)).collect();
        Self { server, sources, next: AtomicUsize::new(0) }
    }

    /// A socket that has said `hello` and read everything up to `synced`; the replayed messages
    /// come back with it.
    pub async fn open(&self, auth: &Auth, cursors: Vec<Cursor>) -> Result<(Ws, Vec<Msg>), String> {
        tokio::time::timeout(HANDSHAKE_TIMEOUT, async {
            let mut ws = self.connect(auth).await?;
            let replayed = hello(&mut ws, cursors).await?;
            Ok((ws, replayed))
        })
        .await
        .map_err(|_| "connection and hello timed out".to_string())?
    }

    async fn connect(&self, auth: &Auth) -> Result<Ws, String> {
        let source = self.sources[self.next.fetch_add(1, Ordering::Relaxed) % self.sources.len()];
        let socket = TcpSocket::new_v4().map_err(|e| format!("socket: {e}"))?;
        socket.bind(SocketAddr::from((source, 0))).map_err(|e| format!("bind {source}: {e}"))?;
        let stream = socket.connect(self.server).await.map_err(|e| format!("connect from {source}: {e}"))?;
        stream.set_nodelay(true).map_err(|e| format!("nodelay: {e}"))?;
        let url = match *auth {
            Auth::Bearer(_) => format!("ws://{}/ws", self.server),
            Auth::UserIndex(i) => format!("ws://{}/ws?user={i}", self.server),
        };
        let mut request = url.into_client_request().map_err(|e| e.to_string())?;
        if let Auth::Bearer(token) = auth {
            let value = HeaderValue::from_str(&format!("Bearer {token}")).map_err(|e| e.to_string())?;
            request.headers_mut().insert("authorization", value);
        }
        // Small buffers: tens of thousands of mostly idle sockets live in this one process.
        let config = WebSocketConfig::default().read_buffer_size(4 * 1024).write_buffer_size(0);
        let (ws, _) = client_async_with_config(request, stream, Some(config)).await.map_err(|e| format!("upgrade: {e}"))?;
        Ok(ws)
    }
}

/// Sends `hello` and reads `welcome`, the replay and `synced`.
async fn hello(ws: &mut Ws, cursors: Vec<Cursor>) -> Result<Vec<Msg>, String> {
    send(ws, &ClientFrame::Hello { version: PROTOCOL_VERSION, cursors, since: None }).await?;
    let mut replayed = Vec::new();
    loop {
        match next_event(ws).await? {
            Some(Event::Synced) => return Ok(replayed),
            Some(Event::Message { message }) => replayed.push(message),
            Some(Event::Error { code, message }) => return Err(format!("{code}: {message}")),
            Some(Event::Reconnect { reason }) => return Err(format!("told to reconnect during hello: {reason}")),
            Some(_) => {}
            None => return Err("closed during hello".into()),
        }
    }
}

pub async fn send(ws: &mut Ws, frame: &ClientFrame) -> Result<(), String> {
    let text = serde_json::to_string(frame).map_err(|e| e.to_string())?;
    ws.send(Message::text(text)).await.map_err(|e| format!("send: {e}"))
}

/// The next server frame, `None` once the socket is closed.
pub async fn next_event(ws: &mut Ws) -> Result<Option<Event>, String> {
    while let Some(message) = ws.next().await {
        match message.map_err(|e| format!("read: {e}"))? {
            Message::Text(text) => return parse(&text).map(Some),
            Message::Close(_) => return Ok(None),
            _ => {}
        }
    }
    Ok(None)
}

pub fn parse(text: &str) -> Result<Event, String> {
    serde_json::from_str(text).map_err(|e| format!("unreadable frame ({e}): {}", text.chars().take(200).collect::<String>()))
}

/// The parts of `ServerFrame` the benchmark reads. A full `ServerFrame` would build every
/// field of every message (sender, reactions…) in the same process that has to keep up with a
/// quarter of a million of them per second, competing with the server for two cores.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    Synced,
    Message { message: Msg },
    Ack,
    Error { code: String, message: String },
    Reconnect { reason: String },
    /// The person's stranger chat changed (matched, left…).
    Stranger { view: app::strangers::types::StrangerView },
    /// A call this person is in changed (ringing, answered…).
    Call { call: CallInfo },
    CallEnded { reason: CallEnd },
    /// An offer, answer or ICE candidate from the other device in the call.
    CallSignal { call_id: String, signal: CallSignal },
    /// The other side's microphone and camera.
    CallMedia,
    #[serde(other)]
    Other,
}

/// The parts of a `call` frame's view the benchmark reads.
#[derive(Debug, Deserialize)]
pub struct CallInfo {
    pub id: String,
    pub state: CallState,
}

#[derive(Debug, Deserialize)]
pub struct Msg {
    pub chat_id: String,
    pub seq: i64,
    pub body: String,
    /// Set on the sender's own copies only.
    pub client_id: Option<String>,
}

/// Microseconds since the benchmark started: message bodies carry the send time this way, and
/// the receiver (in the same process) subtracts it from its own clock.
pub fn micros_now() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as u64
}

/// A client id made like the web app's: the wall-clock time in milliseconds as hex first, then
/// what makes it unique.
pub fn client_id(unique: &str) -> String {
    let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis());
    format!("{ms:012x}{unique}")
}

/// A message body that records when it was sent.
pub fn stamped_body() -> String {
    format!("t{}", micros_now())
}

/// Send → receive latency of a stamped body, in microseconds.
pub fn latency_of(body: &str) -> Option<u64> {
    let sent: u64 = body.strip_prefix('t')?.parse().ok()?;
    Some(micros_now().saturating_sub(sent))
}
