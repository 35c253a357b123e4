//! Uploads: files streamed to `POST /api/attachments` over plain HTTP/1.1, first one alone (its
//! throughput), then several at once from as many people (their total throughput, and how much
//! the server's resident memory grows while they stream: an upload must never be held whole).
//! Beside the server, the tool writes the same bytes to a file with SHA-256 and an fsync, what
//! the server does at the least, as the floor.
use std::{
    io::Write,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::{param, pick, report};
use crate::{
    Common,
    fixture::Needs,
    report::{Goal, Metric, Report, load_average},
    target::{Plan, Target, rss_of},
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Megabytes per file [default: 100; --quick: 4]
    #[arg(long)]
    pub megabytes: Option<u64>,
    /// Uploads streaming at once, one per person [default: 10; --quick: 3]
    #[arg(long)]
    pub concurrent: Option<usize>,
}

/// The target: ten 100 MB uploads at once grow the server's RSS by less than 64 MB.
const RSS_GROWTH_TARGET_MIB: f64 = 64.0;
const CHUNK: usize = 256 * 1024;
const MIB: f64 = 1024.0 * 1024.0;

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let megabytes = pick(args.megabytes, common.quick, 100, 4).max(1);
    let concurrent = pick(args.concurrent, common.quick, 10, 3).max(1);
    let size = megabytes * 1_000_000;
    let load_before = load_average();
    let plan = Plan {
        needs: Needs { users: concurrent, ..Needs::default() },
        server_env: vec![("CONFAB_FILE_MAX_MB", megabytes.to_string())],
        ..Plan::default()
    };
    let mut target = Target::confab(common, &plan).await?;
    let tokens: Vec<String> = target.fixture.users.iter().map(|u| u.token.clone()).collect();
    let addr = target.addr;

    let floor = tokio::task::spawn_blocking(move || write_and_hash(size)).await.map_err(|e| e.to_string())??;
    let alone = upload(addr, tokens[0].clone(), 0, size).await?;

    let rss_before = target.rss_bytes();
    let peak = Arc::new(AtomicU64::new(rss_before.unwrap_or(0)));
    let streaming = Arc::new(AtomicBool::new(true));
    let sampler = target.pid().map(|pid| {
        let (peak, streaming) = (peak.clone(), streaming.clone());
        tokio::spawn(async move {
            while streaming.load(Ordering::Relaxed) {
                if let Some(rss) = rss_of(pid) {
                    peak.fetch_max(rss, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    });
    let started = Instant::now();
    let uploads: Vec<_> = tokens.iter().enumerate().map(|(i, token)| tokio::spawn(upload(addr, token.clone(), 1 + i as u64, size))).collect();
    let mut failure = None;
    for task in uploads {
        if let Err(e) = task.await.map_err(|e| e.to_string()).and_then(|r| r) {
            failure.get_or_insert(e);
        }
    }
    let together = started.elapsed();
    streaming.store(false, Ordering::Relaxed);
    if let Some(sampler) = sampler {
        let _ = sampler.await;
    }
    target.stop();
    if let Some(e) = failure {
        return Err(e);
    }

    let params = vec![param("file", format!("{megabytes} MB of random bytes (stored as a file)")), param("at once", concurrent)];
    let command = format!("confab-bench uploads --megabytes {megabytes} --concurrent {concurrent}");
    let mut r = report("uploads", "Uploads", load_before, params, command);
    r.columns = Some(("server".into(), "write + SHA-256 + fsync in the tool".into()));
    let mb_per_sec = |bytes: u64, took: Duration| bytes as f64 / 1e6 / took.as_secs_f64();
    r.metrics.push(Metric::new("one upload", mb_per_sec(size, alone), "MB/s").baseline(Some(mb_per_sec(size, floor))));
    r.metrics.push(Metric::new(&format!("{concurrent} at once, in total"), mb_per_sec(size * concurrent as u64, together), "MB/s"));
    match rss_before {
        Some(before) => {
            let growth = peak.load(Ordering::Relaxed).saturating_sub(before) as f64 / MIB;
            let metric = Metric::new(&format!("RSS growth while {concurrent} stream"), growth, "MiB");
            r.metrics.push(if megabytes >= 100 && concurrent >= 10 { metric.target(Goal::AtMost(RSS_GROWTH_TARGET_MIB)) } else { metric });
            r.metrics.push(Metric::new("RSS before", before as f64 / MIB, "MiB"));
        }
        None => r.notes.push("The server was not started by the tool (--url): no memory figures.".into()),
    }
    r.notes.push(
        "Each upload is one HTTP/1.1 request over loopback with a `Content-Length`, its body written in 256 KiB \
         pieces of pseudo-random bytes (different for every upload, so nothing is deduplicated); it counts from \
         the first byte sent to the 201 that says the file is stored. The server streams each body to a scratch \
         file while hashing it, checks its type from the first bytes, then moves it into the blob store. The memory \
         figure is the highest resident set sampled every 20 ms while the uploads stream, less the one before."
            .into(),
    );
    Ok(r)
}

/// Pseudo-random bytes (xorshift), different for every `seed`; random enough that no file type
/// is recognised in them.
fn fill(state: &mut u64, buf: &mut [u8]) {
    for chunk in buf.chunks_mut(8) {
        *state ^= *state << 13;
        *state ^= *state >> 7;
        *state ^= *state << 17;
        chunk.copy_from_slice(&state.to_le_bytes()[..chunk.len()]);
    }
}

fn seed(n: u64) -> u64 {
    0x9e37_79b9_7f4a_7c15 ^ (n + 1).wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// Uploads `size` bytes as `bench-<n>.bin` for the person with `token`; the time until the
/// server's 201.
async fn upload(addr: SocketAddr, token: String, n: u64, size: u64) -> Result<Duration, String> {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
    let head = format!(
        "POST /api/attachments?name=bench-{n}.bin HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/octet-stream\r\nContent-Length: {size}\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.map_err(|e| format!("upload {n}: {e}"))?;
    let (mut state, mut buf, mut left) = (seed(n), vec![0u8; CHUNK], size);
    while left > 0 {
        let piece = &mut buf[..left.min(CHUNK as u64) as usize];
        fill(&mut state, piece);
        stream.write_all(piece).await.map_err(|e| format!("upload {n}: {e}"))?;
        left -= piece.len() as u64;
    }
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.map_err(|e| format!("upload {n}: reading the answer: {e}"))?;
    let took = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    if !answer.starts_with("HTTP/1.1 201") {
        return Err(format!("upload {n} was answered: {}", answer.chars().take(300).collect::<String>()));
    }
    Ok(took)
}

/// The same bytes as one upload, written to a scratch file while hashed, then synced.
fn write_and_hash(size: u64) -> Result<Duration, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut file = std::fs::File::create(dir.path().join("floor.bin")).map_err(|e| e.to_string())?;
    let (mut state, mut buf, mut left, mut hash) = (seed(0), vec![0u8; CHUNK], size, Sha256::new());
    while left > 0 {
        let piece = &mut buf[..left.min(CHUNK as u64) as usize];
        fill(&mut state, piece);
        hash.update(&*piece);
        file.write_all(piece).map_err(|e| e.to_string())?;
        left -= piece.len() as u64;
    }
    file.sync_all().map_err(|e| e.to_string())?;
    std::hint::black_box(hash.finalize());
    Ok(started.elapsed())
}
