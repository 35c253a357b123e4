//! Live fan-out: hands one serialised event to every connected device of a set of users.
//! `LocalHub` serves a single process; a Redis (or NATS) hub will implement the same trait so
//! that several server instances can serve the same conversations.
use std::{
    collections::HashMap,
    sync::{
        Arc, RwLock,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use tokio::sync::mpsc;

use crate::realtime::protocol::ServerFrame;

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

/// An event for the hub's own connections, never forwarded to a client: "one of your devices was
/// signed out — check whether it is you". Going through the hub, it reaches the user's sockets on
/// every server instance.
pub const RECHECK_DEVICE: &str = r#"{"type":"recheck_device"}"#;

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

    /// Text that is not a message frame (hub events, tests).
    pub fn text(text: &str) -> Self {
        Self { text: Arc::from(text), message: None }
    }

    pub fn is_recheck_device(&self) -> bool {
        &*self.text == RECHECK_DEVICE
    }
}

/// Outbound frames a device may have queued before it counts as too slow to keep up.
pub const DEVICE_QUEUE: usize = 256;

pub trait Hub: Send + Sync + 'static {
    /// Registers a connected device of `user`. Events for the user arrive on the link until it is
    /// dropped or the hub cuts it off for falling behind.
    fn attach(&self, user: &str) -> DeviceLink;
    /// Queues `payload` for every connected device of every user in `users`, never waiting on a
    /// slow device: one whose queue is full is cut off (it resumes from its cursors on reconnect).
    fn publish(&self, users: &[&str], payload: Payload);
    /// Whether any device of `user` is connected.
    fn is_online(&self, user: &str) -> bool;
}

/// A device's end of the hub. Dropping it detaches the device.
pub struct DeviceLink {
    pub id: u64,
    pub user: String,
    pub events: mpsc::Receiver<Payload>,
    /// True for the user's first device (they just came online).
    pub first_device: bool,
    cut_off: Arc<AtomicBool>,
    registry: Arc<Registry>,
}

impl DeviceLink {
    /// Whether the hub dropped this device because its queue was full.
    pub fn was_cut_off(&self) -> bool {
        self.cut_off.load(Ordering::Acquire)
    }

    /// Detaches now; true when this was the user's last device (they just went offline).
    pub fn detach(self) -> bool {
        self.registry.remove(&self.user, self.id)
    }
}

impl Drop for DeviceLink {
    fn drop(&mut self) {
        self.registry.remove(&self.user, self.id);
    }
}

struct Device {
    id: u64,
    sender: mpsc::Sender<Payload>,
    cut_off: Arc<AtomicBool>,
}

#[derive(Default)]
struct Registry {
    // A std lock: never held across an await, and publishing only does non-blocking sends.
    users: RwLock<HashMap<String, Vec<Device>>>,
}

impl Registry {
    /// Removes a device; true when the user has none left. Removing twice is harmless.
    fn remove(&self, user: &str, id: u64) -> bool {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        let Some(devices) = users.get_mut(user) else { return false };
        let before = devices.len();
        devices.retain(|d| d.id != id);
        let removed = devices.len() < before;
        if devices.is_empty() {
            users.remove(user);
        }
        removed && !users.contains_key(user)
    }
}

#[derive(Default, Clone)]
pub struct LocalHub {
    registry: Arc<Registry>,
    next_id: Arc<AtomicU64>,
}

impl LocalHub {
    pub fn new() -> Self {
        Self::default()
    }

    /// Connected devices, for metrics and benchmarks.
    pub fn device_count(&self) -> usize {
        self.registry.users.read().unwrap_or_else(|e| e.into_inner()).values().map(Vec::len).sum()
    }
}

impl Hub for LocalHub {
    fn attach(&self, user: &str) -> DeviceLink {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (sender, events) = mpsc::channel(DEVICE_QUEUE);
        let cut_off = Arc::new(AtomicBool::new(false));
        let mut users = self.registry.users.write().unwrap_or_else(|e| e.into_inner());
        let devices = users.entry(user.to_owned()).or_default();
        let first_device = devices.is_empty();
        devices.push(Device { id, sender, cut_off: cut_off.clone() });
        DeviceLink { id, user: user.to_owned(), events, first_device, cut_off, registry: self.registry.clone() }
    }

    fn publish(&self, users: &[&str], payload: Payload) {
        let mut too_slow = Vec::new();
        {
            let registry = self.registry.users.read().unwrap_or_else(|e| e.into_inner());
            for user in users {
                for device in registry.get(*user).into_iter().flatten() {
                    match device.sender.try_send(payload.clone()) {
                        Ok(()) => {}
                        Err(mpsc::error::TrySendError::Full(_)) => too_slow.push((*user, device.id)),
                        // The socket task has ended; its link's drop removes the device.
                        Err(mpsc::error::TrySendError::Closed(_)) => {}
                    }
                }
            }
        }
        for (user, id) in too_slow {
            self.cut_off(user, id);
        }
    }

    fn is_online(&self, user: &str) -> bool {
        self.registry.users.read().unwrap_or_else(|e| e.into_inner()).contains_key(user)
    }
}

impl LocalHub {
    /// Drops a device's sender, so its socket task sees the end of its queue, learns it was cut
    /// off, and tells the client to reconnect and resume.
    fn cut_off(&self, user: &str, id: u64) {
        let mut users = self.registry.users.write().unwrap_or_else(|e| e.into_inner());
        if let Some(devices) = users.get_mut(user) {
            if let Some(device) = devices.iter().find(|d| d.id == id) {
                device.cut_off.store(true, Ordering::Release);
            }
            devices.retain(|d| d.id != id);
            if devices.is_empty() {
                users.remove(user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload(text: &str) -> Payload {
        Payload::text(text)
    }

    #[tokio::test]
    async fn an_event_reaches_every_device_of_each_recipient_and_no_one_else() {
        let hub = LocalHub::new();
        let mut alice_phone = hub.attach("alice");
        let mut alice_laptop = hub.attach("alice");
        let mut bob = hub.attach("bob");
        let mut carol = hub.attach("carol");
        hub.publish(&["alice", "bob"], payload("hello"));
        assert_eq!(&*alice_phone.events.recv().await.unwrap().text, "hello");
        assert_eq!(&*alice_laptop.events.recv().await.unwrap().text, "hello");
        assert_eq!(&*bob.events.recv().await.unwrap().text, "hello");
        assert!(carol.events.try_recv().is_err());
    }

    #[tokio::test]
    async fn presence_follows_the_first_and_last_device() {
        let hub = LocalHub::new();
        assert!(!hub.is_online("alice"));
        let phone = hub.attach("alice");
        assert!(phone.first_device);
        let laptop = hub.attach("alice");
        assert!(!laptop.first_device);
        assert!(!phone.detach(), "the laptop is still connected");
        assert!(hub.is_online("alice"));
        assert!(laptop.detach(), "last device gone");
        assert!(!hub.is_online("alice"));
        assert_eq!(hub.device_count(), 0);
    }

    #[tokio::test]
    async fn a_dropped_link_detaches_its_device() {
        let hub = LocalHub::new();
        drop(hub.attach("alice"));
        assert!(!hub.is_online("alice"));
        hub.publish(&["alice"], payload("nobody home"));
    }

    #[tokio::test]
    async fn a_device_that_falls_behind_is_cut_off_without_holding_up_others() {
        let hub = LocalHub::new();
        let mut slow = hub.attach("slow");
        let mut fast = hub.attach("fast");
        for i in 0..=DEVICE_QUEUE {
            hub.publish(&["slow", "fast"], payload(&i.to_string()));
            assert_eq!(&*fast.events.recv().await.unwrap().text, i.to_string(), "fast keeps receiving");
        }
        assert!(slow.was_cut_off());
        assert!(!hub.is_online("slow"));
        // The slow device drains what was queued before the cut, then sees the end of its queue.
        let mut drained = 0;
        while slow.events.recv().await.is_some() {
            drained += 1;
        }
        assert_eq!(drained, DEVICE_QUEUE);
        assert!(!fast.was_cut_off());
    }
}
