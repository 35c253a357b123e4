//! Live fan-out: carries events to every connected device of a set of users. Two parts: this
//! process's registry of connected devices (`Devices`), and the `Bus` that carries events and
//! answers "is this user online anywhere". `LocalBus` serves a single process; a network bus
//! (Redis, NATS) implements the same trait so that several server instances can serve the same
//! conversations, delivering what reaches it into its own process's `Devices`.
mod devices;
mod local;

use std::sync::Arc;

use async_trait::async_trait;

use crate::realtime::protocol::ServerFrame;

pub use devices::{DEVICE_QUEUE, DeviceLink, Devices};
pub use local::LocalBus;

/// What the hub carries to a user's devices.
#[derive(Debug, Clone, PartialEq)]
pub enum HubEvent {
    /// A frame for the client, serialised once.
    Frame(Payload),
    /// One of the user's devices was signed out: each of their sockets checks whether it was
    /// its own sign-in. Never forwarded to a client.
    RecheckDevice,
    /// A frame for some of the user's devices only, each socket telling by its device key
    /// (calls: the device that answered, or every other one).
    Targeted { devices: DeviceFilter, payload: Payload },
}

/// Which of a user's devices a `Targeted` frame is for, by the key each socket makes for itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceFilter {
    Only(Arc<str>),
    AllBut(Arc<str>),
}

impl DeviceFilter {
    pub fn admits(&self, device: &str) -> bool {
        match self {
            DeviceFilter::Only(only) => **only == *device,
            DeviceFilter::AllBut(but) => **but != *device,
        }
    }
}

#[cfg(test)]
impl HubEvent {
    /// The frame's text; a test that expects a frame fails on anything else.
    pub fn text(&self) -> &str {
        match self {
            HubEvent::Frame(payload) | HubEvent::Targeted { payload, .. } => &payload.text,
            other => panic!("expected a frame, got {other:?}"),
        }
    }
}

/// One frame, serialised once and shared by every recipient (fan-out copies pointers, not text).
#[derive(Debug, Clone, PartialEq)]
pub struct Payload {
    pub text: Arc<str>,
    /// For a `message` frame, where it sits: each socket orders messages by it, and reading it
    /// here instead of from the text once per recipient spared a thousand-member group a
    /// thousand JSON parses per message.
    pub message: Option<Arc<MessageHeader>>,
}

#[derive(Debug, PartialEq, Eq)]
pub struct MessageHeader {
    pub chat_id: String,
    pub seq: i64,
    /// The sender's user ID as frames show it (`7KQ4-M2XD`); none for system messages.
    pub sender: Option<String>,
}

impl Payload {
    /// The frame as JSON, with its header when it is a `message`.
    pub fn of(frame: &ServerFrame) -> Result<Self, serde_json::Error> {
        let text = Arc::from(serde_json::to_string(frame)?);
        let message = match frame {
            ServerFrame::Message { message } => Some(Arc::new(MessageHeader {
                chat_id: message.chat_id.clone(),
                seq: message.seq,
                sender: message.sender.as_ref().map(|s| s.user_id.clone()),
            })),
            _ => None,
        };
        Ok(Self { text, message })
    }

    /// Text that is not a message frame (tests, and a frame that failed to serialise).
    pub fn text(text: &str) -> Self {
        Self { text: Arc::from(text), message: None }
    }
}

/// Carries events between the services and the devices, on this process or on every process
/// sharing the bus. An implementation delivers each published event to `Devices::deliver` of
/// every process where a recipient has a device, once, and in the order it was published.
#[async_trait]
pub trait Bus: Send + Sync + 'static {
    /// Sends `event` to every connected device of every user in `users`, without waiting: the
    /// services call it after a commit, and a slow subscriber must not hold them up.
    fn publish(&self, users: &[&str], event: HubEvent);
    /// Whether any device of `user` is connected, on any process.
    async fn is_online(&self, user: &str) -> bool;
    /// `user`'s first device on this process connected (`online`) or their last one here went
    /// away. Called in order, under the registry's lock, so it must not block: a network bus
    /// records it where every process's `is_online` looks. One process needs nothing.
    fn presence_here(&self, _user: &str, _online: bool) {}
}

/// The hub the services and the sockets share: this process's devices and the bus between
/// processes. Cheap to clone.
#[derive(Clone)]
pub struct Hub {
    devices: Arc<Devices>,
    bus: Arc<dyn Bus>,
}

impl Hub {
    /// A hub for one process: events go straight to its own devices.
    pub fn local() -> Self {
        let devices = Arc::new(Devices::default());
        Self::over(devices.clone(), Arc::new(LocalBus::new(devices)))
    }

    /// This process's devices, with `bus` (which delivers into them) told who comes and goes.
    fn over(devices: Arc<Devices>, bus: Arc<dyn Bus>) -> Self {
        devices.report_to(&bus);
        Self { devices, bus }
    }

    /// Registers a connected device of `user` on this process. Events for the user arrive on
    /// the link until it is dropped or the hub cuts it off for falling behind.
    pub fn attach(&self, user: &str) -> DeviceLink {
        self.devices.attach(user)
    }

    pub fn publish(&self, users: &[&str], event: HubEvent) {
        self.bus.publish(users, event);
    }

    /// Whether any device of `user` is connected, anywhere.
    pub async fn is_online(&self, user: &str) -> bool {
        self.bus.is_online(user).await
    }

    /// Devices connected to this process, for metrics and benchmarks.
    pub fn device_count(&self) -> usize {
        self.devices.count()
    }
}
