//! The server under test: a Confab the tool starts on a fresh data directory (or one already
//! running, given by `--url` and `--data-dir`), or the bare fan-out baseline. Either way, the
//! people and chats a scenario needs are prepared first and handed over as a `Fixture`.
use std::{
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use app::backend::store::scratch::{ScratchDatabase, TestStoreKind};

use crate::{
    Common,
    fixture::{Fixture, Needs},
};

/// How long a started server may take to answer `/readyz`.
const START_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Confab,
    Baseline,
}

/// The store a started Confab runs on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Database {
    /// The embedded default, in the run's fresh data directory.
    #[default]
    Sqlite,
    /// A fresh database on the PostgreSQL server `CONFAB_TEST_POSTGRES` names (by default the
    /// role `scripts/setup.sh --postgres` makes), dropped after the run.
    Postgres,
}

/// What a Confab run needs before the server starts.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub database: Database,
    pub needs: Needs,
    /// `confab seed --messages N` first (the page benchmarks).
    pub seed_messages: Option<usize>,
    /// A browser session for the seeded person with this phone.
    pub session_phone: Option<&'static str>,
    /// More environment for the started server (not for one given by `--url`).
    pub server_env: Vec<(&'static str, String)>,
}

pub struct Target {
    pub kind: Kind,
    pub addr: SocketAddr,
    pub fixture: Fixture,
    /// Set when this tool started the server: its process, for RSS and for stopping it.
    child: Option<Child>,
    /// From spawning the process to its first successful `/readyz`.
    pub ready_after: Option<Duration>,
    _scratch: tempfile::TempDir,
    /// Dropped after the server stops (`Drop` stops it first).
    _database: Option<ScratchDatabase>,
}

impl Target {
    /// A Confab server with the plan's people and chats.
    pub async fn confab(common: &Common, plan: &Plan) -> Result<Self, String> {
        let scratch = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let data_dir = match &common.data_dir {
            Some(dir) => dir.clone(),
            None => scratch.path().join("data"),
        };
        let bin = &common.server_bin;
        if !bin.exists() {
            return Err(format!("no server binary at {} (build it: cargo leptos build --release)", bin.display()));
        }
        let database = match plan.database {
            Database::Sqlite => None,
            Database::Postgres if common.url.is_some() => return Err("--url drives a running server: it cannot also be started on PostgreSQL".into()),
            Database::Postgres => Some(ScratchDatabase::create(TestStoreKind::Postgres).await?),
        };
        let env = Env { data_dir: &data_dir, database_url: database.as_ref().map(|d| d.url.as_str()) };
        if let Some(messages) = plan.seed_messages.filter(|_| common.url.is_none()) {
            run_command(bin, &env, &["seed".into(), "--messages".into(), messages.to_string()])?;
        }
        let fixture_path = scratch.path().join("fixture.json");
        let mut args = vec!["bench-setup".to_owned(), "--out".into(), fixture_path.display().to_string()];
        args.extend(plan.needs.setup_args());
        if let Some(phone) = plan.session_phone {
            args.extend(["--session-phone".into(), phone.into()]);
        }
        run_command(bin, &env, &args)?;
        let fixture: Fixture = serde_json::from_slice(&std::fs::read(&fixture_path).map_err(|e| e.to_string())?)
            .map_err(|e| format!("bench-setup wrote an unreadable fixture: {e}"))?;

        if let Some(url) = &common.url {
            let addr = socket_addr_of(url)?;
            return Ok(Self { kind: Kind::Confab, addr, fixture, child: None, ready_after: None, _scratch: scratch, _database: None });
        }
        let addr = free_port()?;
        let log = std::fs::File::create(scratch.path().join("server.log")).map_err(|e| e.to_string())?;
        let mut command = Command::new(bin);
        env.apply(&mut command);
        command
            .env_remove("CONFAB_SECRET_KEY")
            .env_remove("CONFAB_PUBLIC_URL")
            .env("CONFAB_LISTEN", addr.to_string())
            .env("CONFAB_CODE_DELIVERY", "outbox")
            // One socket carries a whole sender's traffic here; the per-device flood limit is not
            // what is being measured.
            .env("CONFAB_WS_FRAMES_PER_SEC", "1000000")
            .envs(plan.server_env.iter().cloned())
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log);
        if let Some(site) = bin.parent().and_then(Path::parent).map(|t| t.join("site")).filter(|s| s.exists()) {
            command.env("LEPTOS_SITE_ROOT", site);
        }
        Self::spawn(Kind::Confab, command, addr, fixture, scratch, database).await
    }

    /// The bare fan-out server (this binary's `serve-baseline`), knowing the same chats.
    pub async fn baseline(needs: Needs) -> Result<Self, String> {
        let scratch = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let fixture = Fixture::synthetic(needs);
        let path = scratch.path().join("fixture.json");
        std::fs::write(&path, serde_json::to_vec(&fixture).map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
        let addr = free_port()?;
        let mut command = Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
        command
            .args(["serve-baseline", "--listen", &addr.to_string(), "--fixture"])
            .arg(&path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        Self::spawn(Kind::Baseline, command, addr, fixture, scratch, None).await
    }

    async fn spawn(
        kind: Kind,
        mut command: Command,
        addr: SocketAddr,
        fixture: Fixture,
        scratch: tempfile::TempDir,
        database: Option<ScratchDatabase>,
    ) -> Result<Self, String> {
        let started = Instant::now();
        let child = command.spawn().map_err(|e| format!("cannot start the {kind:?} server: {e}"))?;
        let mut target = Self { kind, addr, fixture, child: Some(child), ready_after: None, _scratch: scratch, _database: database };
        let client = reqwest::Client::new();
        let url = format!("http://{addr}/readyz");
        loop {
            if client.get(&url).send().await.is_ok_and(|r| r.status().is_success()) {
                target.ready_after = Some(started.elapsed());
                return Ok(target);
            }
            if let Some(status) = target.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                let log = target._scratch.path().join("server.log");
                let tail = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(format!("the {kind:?} server exited with {status}: {}", tail.lines().rev().take(5).collect::<Vec<_>>().join(" | ")));
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(format!("the {kind:?} server was not ready within {START_TIMEOUT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    pub fn http_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's resident memory, when this tool started it.
    pub fn rss_bytes(&self) -> Option<u64> {
        rss_of(self.pid()?)
    }

    /// The server's process id, when this tool started it.
    pub fn pid(&self) -> Option<u32> {
        Some(self.child.as_ref()?.id())
    }

    /// CPU time (user + system) the server process has used so far, in seconds, when this tool
    /// started it. Read at the start and the end of a window, the difference is what the
    /// window cost, whatever else the machine was doing.
    pub fn cpu_seconds(&self) -> Option<f64> {
        let pid = self.child.as_ref()?.id();
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        cpu_seconds_of(&stat)
    }

    /// Stops a started server: SIGTERM, then SIGKILL if it lingers.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else { return };
        // SAFETY: kill(2) with a pid we spawned and still own (not yet reaped).
        unsafe {
            libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        self.stop();
    }
}

/// utime + stime from a `/proc/<pid>/stat` line, in seconds. The command name (field 2, in
/// parentheses) may hold spaces, so the fields are counted from the last `)`: utime and
/// stime are the 14th and 15th fields, the 12th and 13th after it.
fn cpu_seconds_of(stat: &str) -> Option<f64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (ticks > 0).then(|| (utime + stime) as f64 / ticks as f64)
}

/// Where the server and its set-up commands keep their data.
struct Env<'a> {
    data_dir: &'a PathBuf,
    /// PostgreSQL's URL; without one, SQLite in the data directory.
    database_url: Option<&'a str>,
}

impl Env<'_> {
    fn apply(&self, command: &mut Command) {
        command.env("CONFAB_DATA_DIR", self.data_dir);
        match self.database_url {
            Some(url) => command.env("CONFAB_DATABASE_URL", url),
            None => command.env_remove("CONFAB_DATABASE_URL"),
        };
    }
}

fn run_command(bin: &Path, env: &Env, args: &[String]) -> Result<(), String> {
    let mut command = Command::new(bin);
    env.apply(&mut command);
    let output = command
        .args(args)
        .env("CONFAB_LOG", "warn")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !output.status.success() {
        return Err(format!("`confab {}` failed: {}", args[0], String::from_utf8_lossy(&output.stderr).trim()));
    }
    Ok(())
}

fn free_port() -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map_err(|e| e.to_string())
}

fn socket_addr_of(url: &str) -> Result<SocketAddr, String> {
    let host = url.trim_end_matches('/').rsplit("://").next().unwrap_or(url);
    use std::net::ToSocketAddrs;
    host.to_socket_addrs().ok().and_then(|mut a| a.next()).ok_or_else(|| format!("--url {url}: not an http://host:port URL"))
}

/// A process's resident memory, from /proc.
pub fn rss_of(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[cfg(test)]
mod tests {
    use super::cpu_seconds_of;

    #[test]
    fn cpu_time_is_read_past_a_command_name_with_spaces_and_parentheses() {
        // SAFETY: sysconf only reads a configuration value.
        let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        let stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 3 0 12345 1000 10";
        assert_eq!(cpu_seconds_of(stat), Some(300.0 / ticks));
    }

    #[test]
    fn a_truncated_stat_line_gives_nothing() {
        assert_eq!(cpu_seconds_of("4242 (confab) S 1 4242"), None);
        assert_eq!(cpu_seconds_of("no parenthesis"), None);
    }

    #[test]
    fn this_process_stat_line_is_read() {
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
        assert!(cpu_seconds_of(&stat).is_some_and(|s| s >= 0.0));
    }
}

