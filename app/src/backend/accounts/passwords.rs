//! Password hashing with argon2id (the crate's defaults follow OWASP's advice: 19 MiB, 2 passes).
//! Hashing is slow on purpose, so it runs on the blocking pool, never on the async runtime, and
//! at most one hash per core runs at a time: each holds 19 MiB, so hundreds at once would take
//! gigabytes. A hash that cannot start within `HASH_WAIT` is refused with a 429.
use std::{
    sync::{
        Arc, OnceLock,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use tokio::sync::Semaphore;

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng},
};

use crate::error::AppError;

fn hash_now(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default().hash_password(password.as_bytes(), &salt)?.to_string())
}

fn verify_now(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

/// A hash of nothing anyone knows: checked when there is no account, so a wrong email takes as
/// long to refuse as a wrong password and timing does not tell which emails have accounts.
fn decoy() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_now(&format!("{:x}", rand::random::<u128>())).unwrap_or_default())
}

/// How long a hash may wait for a free core before the request is refused.
pub const HASH_WAIT: Duration = Duration::from_secs(3);

/// Runs argon2 work on the blocking pool, a bounded number at a time.
pub struct HashingGate {
    permits: Arc<Semaphore>,
    wait: Duration,
    /// Hashes and checks run so far.
    runs: AtomicU64,
}

impl HashingGate {
    pub fn new(at_once: usize, wait: Duration) -> Self {
        Self { permits: Arc::new(Semaphore::new(at_once.max(1))), wait, runs: AtomicU64::new(0) }
    }

    /// One hash at a time per core.
    pub fn sized_to_cores() -> Self {
        Self::new(std::thread::available_parallelism().map_or(2, |n| n.get()), HASH_WAIT)
    }

    pub fn runs(&self) -> u64 {
        self.runs.load(Ordering::Relaxed)
    }

    /// Runs `work` once a permit is free; `RateLimited` when none frees up within the wait.
    pub async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
        let busy = || {
            tracing::warn!("password hashing is saturated; a request was refused");
            AppError::RateLimited { retry_after_secs: 1 }
        };
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| busy())?
            .map_err(|_| AppError::Internal)?;
        self.runs.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            work()
        })
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "a password hashing task failed");
            AppError::Internal
        })
    }

    pub async fn hash(&self, password: String) -> Result<String, AppError> {
        self.run(move || hash_now(&password)).await?.map_err(|e| {
            tracing::error!(error = %e, "hashing a password failed");
            AppError::Internal
        })
    }

    /// Whether `password` matches `hash`; with no hash, does the same work and says no.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, AppError> {
        self.run(move || match hash {
            Some(hash) => verify_now(&password, &hash),
            None => {
                verify_now(&password, decoy());
                false
            }
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let gate = HashingGate::sized_to_cores();
        let hash = gate.hash("correct horse battery".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(!hash.contains("correct horse"));
        assert!(gate.verify("correct horse battery".into(), Some(hash.clone())).await.unwrap());
        assert!(!gate.verify("correct horse batterY".into(), Some(hash.clone())).await.unwrap());
        assert!(!gate.verify("anything".into(), None).await.unwrap());
        assert!(!gate.verify("anything".into(), Some("not a hash".into())).await.unwrap());
        let again = hash_now("correct horse battery").unwrap();
        assert_ne!(hash, again, "each hash has its own salt");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn hundreds_of_hashes_at_once_run_a_few_at_a_time_and_the_late_ones_are_refused() {
        use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
        let gate = Arc::new(HashingGate::new(2, Duration::from_millis(300)));
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let tasks: Vec<_> = (0..300)
            .map(|_| {
                let (gate, running, most) = (gate.clone(), running.clone(), most.clone());
                tokio::spawn(async move {
                    gate.run(move || {
                        most.fetch_max(running.fetch_add(1, SeqCst) + 1, SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        running.fetch_sub(1, SeqCst);
                    })
                    .await
                })
            })
            .collect();
        let mut refused = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(()) => {}
                Err(AppError::RateLimited { retry_after_secs: 1 }) => refused += 1,
                Err(other) => panic!("{other:?}"),
            }
        }
        assert!(most.load(SeqCst) <= 2, "at most two at once, saw {}", most.load(SeqCst));
        assert!(refused > 0, "300 jobs of 20 ms on 2 permits cannot all start within 300 ms");
        assert!(refused < 300, "the first ones ran");
    }
}
