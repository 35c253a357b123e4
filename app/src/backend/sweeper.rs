//! Periodic upkeep of an in-memory service (ending what timed out), for as long as it lives.
use std::{future::Future, sync::Arc, time::Duration};

/// Runs `sweep` on `service` every second until the service is dropped. Holds it weakly, so the
/// task never keeps a service alive; a sweep that runs late is not made up for.
pub fn every_second<S, F, Fut>(service: &Arc<S>, sweep: F)
where
    S: Send + Sync + 'static,
    F: Fn(Arc<S>) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let service = Arc::downgrade(service);
    tokio::spawn(async move {
        let mut every_second = tokio::time::interval(Duration::from_secs(1));
        every_second.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every_second.tick().await;
            let Some(service) = service.upgrade() else { return };
            sweep(service).await;
        }
    });
}
