//! Live delivery: the loop that waits on the hub, the timers and the client at once, and what it
//! does with hub events (forward them, in order, a few per flush) and with the receipts it
//! gathers on the way.
use app::backend::hub::{DeviceLink, HubEvent};
use app::ids::ChatId;
use axum::extract::ws::Message;
use tokio::{
    sync::mpsc::error::TryRecvError,
    task::JoinHandle,
    time::{Instant, MissedTickBehavior, interval, interval_at, sleep_until},
};
use tracing::Instrument;

use super::{Connection, End, Incoming, Step, instant_at};
use crate::ws::{limits::*, replay::peek_message};

impl Connection {
    pub(super) async fn live(&mut self, link: &mut DeviceLink) -> Step {
        let mut ping = interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut receipts = interval(DELIVERED_EVERY);
        receipts.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut stopping = self.cx.stopping.clone();
        // Spread over the period, so sockets opened together do not all check at once.
        let first_check = Instant::now() + DEVICE_CHECK_EVERY.mul_f64(rand::random_range(0.5..1.5));
        let mut device_check = interval_at(first_check, DEVICE_CHECK_EVERY);
        device_check.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let token_expiry = self.cx.device.expires_at.map(instant_at);
        loop {
            if *stopping.borrow_and_update() {
                return Err(End::Reconnect("restart"));
            }
            let reorder = self.sequencer.next_deadline();
            let idle_at = self.last_heard + IDLE_TIMEOUT;
            // Biased: queued events go out before more input is read, so a client that sends
            // fast (and hears its own messages back) cannot fill its own queue and be cut off.
            tokio::select! {
                biased;
                event = link.events.recv() => match event {
                    Some(event) => self.forward_queued(Some(event), link).await?,
                    // The hub dropped this device's queue: it fell too far behind.
                    None => return Err(End::Reconnect("slow")),
                },
                () = sleep_until(reorder.unwrap_or(idle_at)), if reorder.is_some() => self.fill_gaps().await?,
                _ = receipts.tick() => {
                    if self.receipts_in_flight.as_ref().is_none_or(JoinHandle::is_finished) {
                        self.store_receipts();
                    }
                }
                _ = device_check.tick() => self.check_device().await?,
                () = sleep_until(token_expiry.unwrap_or(idle_at)), if token_expiry.is_some() => {
                    return Err(End::SignedOut("token_expired"));
                }
                _ = ping.tick() => self.raw(Message::Ping(Default::default())).await?,
                () = sleep_until(idle_at) => return Err(End::Close(close::IDLE, "idle")),
                changed = stopping.changed() => if changed.is_err() {
                    return Err(End::Reconnect("restart"));
                },
                incoming = self.read() => match incoming? {
                    Incoming::Frame(frame) => {
                        self.hold_flush = true;
                        let handled = self.handle(frame).await;
                        self.hold_flush = false;
                        handled?;
                        self.forward_queued(None, link).await?
                    }
                    Incoming::Bad { code, message } => self.error(code, message, None).await?,
                    Incoming::Control => {}
                },
            }
        }
    }

    /// Live events already queued (after `first`, when a hub event woke the socket), written
    /// with one flush together with anything written unflushed before (an ack, which then
    /// leaves with the sender's own copy of its message): under load, a busy group's frames
    /// leave in a few writes instead of one system call each.
    async fn forward_queued(&mut self, first: Option<HubEvent>, link: &mut DeviceLink) -> Step {
        self.hold_flush = true;
        let mut next = first;
        let mut result = Ok(());
        for _ in 0..MAX_FRAMES_PER_FLUSH {
            let event = match next.take().map_or_else(|| link.events.try_recv(), Ok) {
                Ok(event) => event,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    result = Err(End::Reconnect("slow"));
                    break;
                }
            };
            result = self.forward(event).await;
            if result.is_err() {
                break;
            }
        }
        self.hold_flush = false;
        result?;
        self.flush().await
    }

    /// A live event from the hub: message frames go through the sequencer, the hub's own
    /// device check is acted on here, the rest goes straight on.
    pub(super) async fn forward(&mut self, event: HubEvent) -> Step {
        let payload = match event {
            HubEvent::Frame(payload) => payload,
            HubEvent::RecheckDevice => return self.check_device().await,
            HubEvent::Targeted { devices, payload } if devices.admits(&self.call_device) => return self.text(&payload.text).await,
            HubEvent::Targeted { .. } => return Ok(()),
        };
        match peek_message(&payload, &self.me_shown) {
            Some(message) => {
                for outgoing in self.sequencer.live(message, Instant::now()) {
                    self.send_message(outgoing).await?;
                }
                Ok(())
            }
            None => self.text(&payload.text).await,
        }
    }

    /// Ends the connection when the session or token family it was opened with has been signed
    /// out. A store that cannot answer keeps the socket (the next check asks again).
    async fn check_device(&mut self) -> Step {
        let Some(device) = self.cx.device.id.clone() else { return Ok(()) };
        match self.cx.services.accounts.device_active(&device).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(End::SignedOut("signed_out")),
            Err(e) => {
                tracing::warn!(error = %e, "checking the device's sign-in failed");
                Ok(())
            }
        }
    }

    /// Stores the delivery receipts gathered since the last tick, off the socket's path.
    pub(super) fn store_receipts(&mut self) {
        if self.delivered.is_empty() {
            return;
        }
        let mut batch = Vec::new();
        for (chat_id, seq) in self.delivered.drain() {
            let stored = self.delivered_stored.entry(chat_id.clone()).or_insert(0);
            if seq > *stored {
                *stored = seq;
                batch.push((chat_id, seq));
            }
        }
        let services = self.cx.services.clone();
        let me = self.cx.user.clone();
        self.receipts_in_flight = Some(tokio::spawn(
            async move {
                for (chat_id, seq) in batch {
                    if let Err(e) = services.chats.mark_delivered(&me, &ChatId::from(chat_id), seq).await {
                        tracing::debug!(error = %e, "storing a delivery receipt failed");
                    }
                }
            }
            .in_current_span(),
        ));
    }
}
