//! The devices connected to this process, each with a bounded queue of events. Delivering never
//! waits: a device whose queue is full is cut off, and resumes from its cursors on reconnect.
use std::{
    collections::HashMap,
    sync::{
        Arc, OnceLock, RwLock, Weak,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
};

use tokio::sync::mpsc;

use super::{Bus, HubEvent};

/// Outbound events a device may have queued before it counts as too slow to keep up.
pub const DEVICE_QUEUE: usize = 256;

/// A device's end of the hub. Dropping it detaches the device.
pub struct DeviceLink {
    pub id: u64,
    pub user: String,
    pub events: mpsc::Receiver<HubEvent>,
    /// True for the user's first device on this process (they may just have come online).
    pub first_device: bool,
    cut_off: Arc<AtomicBool>,
    devices: Arc<Devices>,
}

impl DeviceLink {
    /// Whether the hub dropped this device because its queue was full.
    pub fn was_cut_off(&self) -> bool {
        self.cut_off.load(Ordering::Acquire)
    }

    /// Detaches now; true when this was the user's last device on this process.
    pub fn detach(self) -> bool {
        self.devices.remove(&self.user, self.id)
    }
}

impl Drop for DeviceLink {
    fn drop(&mut self) {
        self.devices.remove(&self.user, self.id);
    }
}

struct Device {
    id: u64,
    sender: mpsc::Sender<HubEvent>,
    cut_off: Arc<AtomicBool>,
}

#[derive(Default)]
pub struct Devices {
    // A std lock: never held across an await, and delivering only does non-blocking sends.
    users: RwLock<HashMap<String, Vec<Device>>>,
    next_id: AtomicU64,
    /// Told when a user's first device here connects and their last one here goes (weak: the
    /// bus holds these devices to deliver into them).
    bus: OnceLock<Weak<dyn Bus>>,
}

impl Devices {
    pub fn report_to(&self, bus: &Arc<dyn Bus>) {
        let _ = self.bus.set(Arc::downgrade(bus));
    }

    fn presence_here(&self, user: &str, online: bool) {
        if let Some(bus) = self.bus.get().and_then(Weak::upgrade) {
            bus.presence_here(user, online);
        }
    }

    pub fn attach(self: &Arc<Self>, user: &str) -> DeviceLink {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed) + 1;
        let (sender, events) = mpsc::channel(DEVICE_QUEUE);
        let cut_off = Arc::new(AtomicBool::new(false));
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        let devices = users.entry(user.to_owned()).or_default();
        let first_device = devices.is_empty();
        devices.push(Device { id, sender, cut_off: cut_off.clone() });
        if first_device {
            self.presence_here(user, true);
        }
        drop(users);
        DeviceLink { id, user: user.to_owned(), events, first_device, cut_off, devices: self.clone() }
    }

    /// Queues `event` for every device of every user in `users` connected here (a pointer copy
    /// each), cutting off those whose queue is full.
    pub fn deliver(&self, users: &[&str], event: HubEvent) {
        let mut too_slow = Vec::new();
        {
            let registry = self.users.read().unwrap_or_else(|e| e.into_inner());
            for user in users {
                for device in registry.get(*user).into_iter().flatten() {
                    match device.sender.try_send(event.clone()) {
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

    /// Whether any device of `user` is connected to this process.
    pub fn is_connected(&self, user: &str) -> bool {
        self.users.read().unwrap_or_else(|e| e.into_inner()).contains_key(user)
    }

    pub fn count(&self) -> usize {
        self.users.read().unwrap_or_else(|e| e.into_inner()).values().map(Vec::len).sum()
    }

    /// Removes a device; true when the user has none left. Removing twice is harmless.
    fn remove(&self, user: &str, id: u64) -> bool {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        let Some(devices) = users.get_mut(user) else { return false };
        let before = devices.len();
        devices.retain(|d| d.id != id);
        let removed = devices.len() < before;
        if devices.is_empty() {
            users.remove(user);
            self.presence_here(user, false);
        }
        removed && !users.contains_key(user)
    }

    /// Drops a device's sender, so its socket task sees the end of its queue, learns it was cut
    /// off, and tells the client to reconnect and resume.
    fn cut_off(&self, user: &str, id: u64) {
        let mut users = self.users.write().unwrap_or_else(|e| e.into_inner());
        if let Some(devices) = users.get_mut(user) {
            if let Some(device) = devices.iter().find(|d| d.id == id) {
                device.cut_off.store(true, Ordering::Release);
            }
            devices.retain(|d| d.id != id);
            if devices.is_empty() {
                users.remove(user);
                self.presence_here(user, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;

    use super::super::{Hub, Payload};
    use super::*;

    /// A bus that only records who came and went on this process.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(String, bool)>>);

    #[async_trait]
    impl Bus for Recorder {
        fn publish(&self, _users: &[&str], _event: HubEvent) {}
        async fn is_online(&self, _user: &str) -> bool {
            false
        }
        fn presence_here(&self, user: &str, online: bool) {
            self.0.lock().unwrap().push((user.to_owned(), online));
        }
    }

    fn event(text: &str) -> HubEvent {
        HubEvent::Frame(Payload::text(text))
    }

    #[tokio::test]
    async fn an_event_reaches_every_device_of_each_recipient_and_no_one_else() {
        let hub = Hub::local();
        let mut alice_phone = hub.attach("alice");
        let mut alice_laptop = hub.attach("alice");
        let mut bob = hub.attach("bob");
        let mut carol = hub.attach("carol");
        hub.publish(&["alice", "bob"], event("hello"));
        assert_eq!(alice_phone.events.recv().await.unwrap().text(), "hello");
        assert_eq!(alice_laptop.events.recv().await.unwrap().text(), "hello");
        assert_eq!(bob.events.recv().await.unwrap().text(), "hello");
        assert!(carol.events.try_recv().is_err());
        hub.publish(&["bob"], HubEvent::RecheckDevice);
        assert_eq!(bob.events.recv().await, Some(HubEvent::RecheckDevice));
    }

    #[tokio::test]
    async fn presence_follows_the_first_and_last_device() {
        let hub = Hub::local();
        assert!(!hub.is_online("alice").await);
        let phone = hub.attach("alice");
        assert!(phone.first_device);
        let laptop = hub.attach("alice");
        assert!(!laptop.first_device);
        assert!(!phone.detach(), "the laptop is still connected");
        assert!(hub.is_online("alice").await);
        assert!(laptop.detach(), "last device gone");
        assert!(!hub.is_online("alice").await);
        assert_eq!(hub.device_count(), 0);
    }

    #[tokio::test]
    async fn a_dropped_link_detaches_its_device() {
        let hub = Hub::local();
        drop(hub.attach("alice"));
        assert!(!hub.is_online("alice").await);
        hub.publish(&["alice"], event("nobody home"));
    }

    #[tokio::test]
    async fn a_device_that_falls_behind_is_cut_off_without_holding_up_others() {
        let hub = Hub::local();
        let mut slow = hub.attach("slow");
        let mut fast = hub.attach("fast");
        for i in 0..=DEVICE_QUEUE {
            hub.publish(&["slow", "fast"], event(&i.to_string()));
            assert_eq!(fast.events.recv().await.unwrap().text(), i.to_string(), "fast keeps receiving");
        }
        assert!(slow.was_cut_off());
        assert!(!hub.is_online("slow").await);
        // The slow device drains what was queued before the cut, then sees the end of its queue.
        let mut drained = 0;
        while slow.events.recv().await.is_some() {
            drained += 1;
        }
        assert_eq!(drained, DEVICE_QUEUE);
        assert!(!fast.was_cut_off());
    }

    #[tokio::test]
    async fn the_bus_hears_of_the_first_device_here_and_of_the_last_leaving_or_cut_off() {
        let devices = Arc::new(Devices::default());
        let recorder = Arc::new(Recorder::default());
        let bus: Arc<dyn Bus> = recorder.clone();
        devices.report_to(&bus);
        let phone = devices.attach("alice");
        let laptop = devices.attach("alice");
        drop(phone);
        assert!(laptop.detach());
        let slow = devices.attach("bob");
        for _ in 0..=DEVICE_QUEUE {
            devices.deliver(&["bob"], HubEvent::RecheckDevice);
        }
        assert!(slow.was_cut_off());
        drop(slow);
        let heard = recorder.0.lock().unwrap().clone();
        let expected = [("alice", true), ("alice", false), ("bob", true), ("bob", false)];
        assert_eq!(heard, expected.map(|(user, online)| (user.to_owned(), online)));
    }
}
