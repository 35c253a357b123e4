//! The bus of a single process: publishing is delivering to this process's devices, and a user
//! is online when one of their devices is connected here.
use std::sync::Arc;

use async_trait::async_trait;

use super::{Bus, Devices, HubEvent};

pub struct LocalBus {
    devices: Arc<Devices>,
}

impl LocalBus {
    pub fn new(devices: Arc<Devices>) -> Self {
        Self { devices }
    }
}

#[async_trait]
impl Bus for LocalBus {
    fn publish(&self, users: &[&str], event: HubEvent) {
        self.devices.deliver(users, event);
    }

    async fn is_online(&self, user: &str) -> bool {
        self.devices.is_connected(user)
    }
}
