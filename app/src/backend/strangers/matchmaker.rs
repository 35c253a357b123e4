//! Who is waiting, and who goes with whom. `Matchmaker` is the seam: `LocalMatchmaker` keeps
//! the queue in this process; one shared by several server instances would keep it where they
//! all see it (docs/architecture.md).
//!
//! The rules: first come, first served; people sharing an interest are matched first; someone
//! who gave interests waits `interest_window_ms` for such a match, then anyone will do. Nobody
//! is matched with themselves, or with someone either of the two must avoid.
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use async_trait::async_trait;

/// Someone waiting to be matched.
#[derive(Debug, Clone, PartialEq)]
pub struct Seeker {
    pub user: String,
    pub interests: Vec<String>,
    /// People this one must not be matched with (either side's reports and blocks).
    pub avoid: HashSet<String>,
    /// When they started waiting (ms).
    pub since: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    /// The one who waited longer.
    pub first: Seeker,
    pub second: Seeker,
    pub shared_interests: Vec<String>,
}

#[async_trait]
pub trait Matchmaker: Send + Sync {
    /// Adds `seeker` (replacing an entry of theirs), or matches them at once with someone
    /// waiting.
    async fn join(&self, seeker: Seeker, now_ms: i64) -> Option<Match>;
    /// Takes `user` out of the queue; false when they were not in it.
    async fn cancel(&self, user: &str) -> bool;
    /// Matches made possible by time passing (interest windows that ended by `now_ms`).
    async fn tick(&self, now_ms: i64) -> Vec<Match>;
    async fn waiting(&self) -> usize;
}

/// The queue in this process's memory.
pub struct LocalMatchmaker {
    queue: std::sync::Mutex<Queue>,
}

impl LocalMatchmaker {
    pub fn new(interest_window_ms: i64) -> Self {
        Self { queue: std::sync::Mutex::new(Queue { window: interest_window_ms, ..Queue::default() }) }
    }

    fn queue(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Matchmaker for LocalMatchmaker {
    async fn join(&self, seeker: Seeker, now_ms: i64) -> Option<Match> {
        self.queue().join(seeker, now_ms)
    }

    async fn cancel(&self, user: &str) -> bool {
        self.queue().remove(user).is_some()
    }

    async fn tick(&self, now_ms: i64) -> Vec<Match> {
        self.queue().tick(now_ms)
    }

    async fn waiting(&self) -> usize {
        self.queue().entries.len()
    }
}

/// Tickets give the order of arrival; each interest indexes the tickets that gave it, and the
/// tickets of people who take anyone are kept apart, so neither kind of search walks people
/// who cannot be its match (a queue full of people waiting for their interest costs nothing).
#[derive(Default)]
struct Queue {
    window: i64,
    next_ticket: u64,
    entries: BTreeMap<u64, Seeker>,
    ticket_of: HashMap<String, u64>,
    by_interest: HashMap<String, BTreeSet<u64>>,
    /// Tickets of people who take anyone (no interests, or their window ended).
    anyone: BTreeSet<u64>,
    /// Tickets of people whose interest window is still open, by when it ends.
    windows: BTreeSet<(i64, u64)>,
}

impl Queue {
    fn join(&mut self, seeker: Seeker, now: i64) -> Option<Match> {
        self.remove(&seeker.user);
        match self.partner_for(&seeker, now) {
            Some(ticket) => {
                let waiting = self.take(ticket);
                Some(pair(waiting, seeker))
            }
            None => {
                self.insert(seeker);
                None
            }
        }
    }

    /// The earliest-waiting fit for `seeker`: someone sharing an interest, or else (if the
    /// seeker takes anyone now) the first who takes anyone.
    fn partner_for(&self, seeker: &Seeker, now: i64) -> Option<u64> {
        let shared = seeker
            .interests
            .iter()
            .filter_map(|tag| self.by_interest.get(tag))
            .filter_map(|tickets| tickets.iter().copied().find(|t| self.fits(seeker, *t)))
            .min();
        if shared.is_some() {
            return shared;
        }
        let takes_anyone = seeker.interests.is_empty() || now - seeker.since >= self.window;
        if !takes_anyone {
            return None;
        }
        self.anyone.iter().copied().find(|t| self.fits(seeker, *t))
    }

    fn fits(&self, seeker: &Seeker, ticket: u64) -> bool {
        let other = &self.entries[&ticket];
        other.user != seeker.user && !seeker.avoid.contains(&other.user) && !other.avoid.contains(&seeker.user)
    }

    fn insert(&mut self, seeker: Seeker) {
        let ticket = self.next_ticket;
        self.next_ticket += 1;
        for tag in &seeker.interests {
            self.by_interest.entry(tag.clone()).or_default().insert(ticket);
        }
        if seeker.interests.is_empty() {
            self.anyone.insert(ticket);
        } else {
            self.windows.insert((seeker.since + self.window, ticket));
        }
        self.ticket_of.insert(seeker.user.clone(), ticket);
        self.entries.insert(ticket, seeker);
    }

    fn remove(&mut self, user: &str) -> Option<Seeker> {
        let ticket = self.ticket_of.get(user).copied()?;
        Some(self.take(ticket))
    }

    fn take(&mut self, ticket: u64) -> Seeker {
        let seeker = self.entries.remove(&ticket).expect("a ticket in the index is in the queue");
        self.ticket_of.remove(&seeker.user);
        for tag in &seeker.interests {
            if let Some(tickets) = self.by_interest.get_mut(tag) {
                tickets.remove(&ticket);
                if tickets.is_empty() {
                    self.by_interest.remove(tag);
                }
            }
        }
        self.windows.remove(&(seeker.since + self.window, ticket));
        self.anyone.remove(&ticket);
        seeker
    }

    /// Each person whose interest window ended is matched with anyone who takes anyone.
    fn tick(&mut self, now: i64) -> Vec<Match> {
        let mut matches = Vec::new();
        while let Some(&(ends, ticket)) = self.windows.first() {
            if ends > now {
                break;
            }
            self.windows.pop_first();
            let seeker = self.take(ticket);
            match self.partner_for(&seeker, now) {
                Some(partner) => {
                    let waiting = self.take(partner);
                    matches.push(pair(waiting, seeker));
                }
                // Back in line at their place, now open to anyone.
                None => {
                    self.ticket_of.insert(seeker.user.clone(), ticket);
                    for tag in &seeker.interests {
                        self.by_interest.entry(tag.clone()).or_default().insert(ticket);
                    }
                    self.anyone.insert(ticket);
                    self.entries.insert(ticket, seeker);
                }
            }
        }
        matches
    }
}

fn pair(a: Seeker, b: Seeker) -> Match {
    let (first, second) = if a.since <= b.since { (a, b) } else { (b, a) };
    let shared_interests = first.interests.iter().filter(|t| second.interests.contains(t)).cloned().collect();
    Match { first, second, shared_interests }
}

#[cfg(test)]
mod tests {
    use super::*;

    const WINDOW: i64 = 5000;

    fn seeker(user: &str, interests: &[&str], since: i64) -> Seeker {
        Seeker { user: user.into(), interests: interests.iter().map(|s| s.to_string()).collect(), avoid: HashSet::new(), since }
    }

    fn users(m: &Match) -> (String, String) {
        (m.first.user.clone(), m.second.user.clone())
    }

    #[tokio::test]
    async fn the_first_to_wait_is_matched_first_and_never_with_themselves() {
        let q = LocalMatchmaker::new(WINDOW);
        assert_eq!(q.join(seeker("a", &[], 0), 0).await, None);
        assert_eq!(q.join(seeker("a", &[], 1), 1).await, None, "joining twice replaces the entry");
        assert_eq!(q.waiting().await, 1);
        let m = q.join(seeker("b", &[], 2), 2).await.unwrap();
        assert_eq!(users(&m), ("a".into(), "b".into()));
    }

    #[tokio::test]
    async fn people_are_paired_in_order_of_arrival() {
        let q = LocalMatchmaker::new(WINDOW);
        q.join(seeker("a", &[], 0), 0).await;
        q.join(seeker("b", &[], 1), 1).await.map(|m| assert_eq!(users(&m), ("a".into(), "b".into()))).unwrap();
        assert!(q.join(seeker("c", &[], 2), 2).await.is_none());
        let m = q.join(seeker("d", &[], 3), 3).await.unwrap();
        assert_eq!(users(&m), ("c".into(), "d".into()));
        assert_eq!(q.waiting().await, 0);
    }

    #[tokio::test]
    async fn a_shared_interest_comes_before_the_queue_order() {
        let q = LocalMatchmaker::new(WINDOW);
        q.join(seeker("plain", &[], 0), 0).await;
        let m = q.join(seeker("chess1", &["chess"], 1), 1).await;
        assert!(m.is_none(), "someone with interests waits for a like-minded partner first");
        let m = q.join(seeker("chess2", &["go", "chess"], 2), 2).await.unwrap();
        assert_eq!(users(&m), ("chess1".into(), "chess2".into()));
        assert_eq!(m.shared_interests, ["chess"]);
        assert_eq!(q.waiting().await, 1, "the plain one still waits");
    }

    #[tokio::test]
    async fn after_the_interest_window_anyone_will_do() {
        let q = LocalMatchmaker::new(WINDOW);
        q.join(seeker("plain", &[], 0), 0).await;
        assert!(q.join(seeker("chess", &["chess"], 100), 100).await.is_none());
        assert!(q.tick(WINDOW).await.is_empty(), "not yet");
        let matches = q.tick(WINDOW + 100).await;
        assert_eq!(matches.iter().map(users).collect::<Vec<_>>(), [("plain".into(), "chess".into())]);
        assert!(matches[0].shared_interests.is_empty());
        // A newcomer without interests takes someone whose window ended.
        q.join(seeker("late", &["knitting"], 0), 0).await;
        q.tick(WINDOW).await;
        let m = q.join(seeker("newcomer", &[], WINDOW + 1), WINDOW + 1).await.unwrap();
        assert_eq!(users(&m), ("late".into(), "newcomer".into()));
    }

    #[tokio::test]
    async fn people_who_avoid_each_other_are_never_paired_either_way() {
        let q = LocalMatchmaker::new(WINDOW);
        let mut a = seeker("a", &[], 0);
        a.avoid.insert("b".into());
        q.join(a, 0).await;
        assert!(q.join(seeker("b", &[], 1), 1).await.is_none(), "a avoids b");
        let m = q.join(seeker("c", &[], 2), 2).await.unwrap();
        assert_eq!(users(&m), ("a".into(), "c".into()));
        let mut d = seeker("d", &[], 3);
        d.avoid.insert("b".into());
        assert!(q.join(d, 3).await.is_none(), "d avoids b, who waits");
        assert_eq!(q.waiting().await, 2);
    }

    #[tokio::test]
    async fn cancelling_leaves_no_trace() {
        let q = LocalMatchmaker::new(WINDOW);
        q.join(seeker("a", &["x"], 0), 0).await;
        assert!(q.cancel("a").await);
        assert!(!q.cancel("a").await);
        assert!(q.tick(WINDOW * 2).await.is_empty());
        assert!(q.join(seeker("b", &["x"], 1), 1).await.is_none(), "a's interest entry went with them");
        assert_eq!(q.waiting().await, 1);
    }
}
