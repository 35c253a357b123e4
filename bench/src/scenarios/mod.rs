//! One module per scenario: each prepares its servers, drives them and returns a `Report`.
pub mod calls;
pub mod direct;
pub mod group;
pub mod groups;
pub mod idle;
pub mod pages;
pub mod pictures;
pub mod reconnect;
pub mod stores;
pub mod strangers;
pub mod uploads;

use std::sync::Arc;

use crate::{
    Common,
    client::Dialer,
    report::{self, Report},
    target::Target,
    traffic,
};

/// Picks the full-size default or, with `--quick`, the smoke-test one; an explicit value wins.
pub fn pick<T: Copy>(value: Option<T>, quick: bool, full: T, small: T) -> T {
    value.unwrap_or(if quick { small } else { full })
}

/// Opens a socket per user; fails if any could not connect. `holding`, when not empty, is per
/// user the chat it takes part in and the last sequence it holds there, sent as its cursor in
/// `hello` the way a real client says where it stands. (Without one the server starts the chat
/// at whichever message it publishes first, and two messages committed together may be
/// published in either order.)
pub async fn connect(target: &Target, common: &Common, users: &[usize], holding: &[(String, i64)]) -> Result<Vec<crate::client::Ws>, String> {
    let limit = crate::open_files_limit();
    if users.len() as u64 + 200 > limit {
        return Err(format!(
            "{} sockets need more open files than the {limit} this process may have (the hard limit; \
             raising it needs CAP_SYS_RESOURCE, e.g. `ulimit -Hn 1048576` as root): use fewer",
            users.len()
        ));
    }
    let dialer = Arc::new(Dialer::new(target.addr, common.sources));
    let mut sockets = Vec::with_capacity(users.len());
    let mut failures = Vec::new();
    for (i, socket) in traffic::connect_all(target, &dialer, users, holding).await.into_iter().enumerate() {
        match socket {
            Ok(ws) => sockets.push(ws),
            Err(e) => failures.push(format!("user {}: {e}", users[i])),
        }
    }
    if let Some(first) = failures.first() {
        return Err(format!("{} of {} sockets failed to connect, e.g. {first}", failures.len(), users.len()));
    }
    Ok(sockets)
}

/// The parts every report shares.
pub fn report(scenario: &str, title: &str, load_before: f64, params: Vec<(String, String)>, command: String) -> Report {
    Report {
        scenario: scenario.into(),
        title: title.into(),
        date: report::now_utc(),
        machine: report::Machine::this(),
        commit: report::commit(),
        load_before,
        load_after: report::load_average(),
        params,
        metrics: Vec::new(),
        curves: Vec::new(),
        command,
        notes: Vec::new(),
        columns: None,
    }
}

pub fn param(name: &str, value: impl ToString) -> (String, String) {
    (name.into(), value.to_string())
}
