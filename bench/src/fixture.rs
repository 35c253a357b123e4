//! The people and chats a run uses, as `confab bench-setup` writes them (see
//! `server/src/bench_setup.rs`), or made up for the baseline server, which has no database.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Fixture {
    pub users: Vec<BenchUser>,
    pub direct: Vec<DirectChat>,
    pub group: Option<GroupChat>,
    pub session: Option<BrowserSession>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchUser {
    pub id: String,
    pub token: String,
}

/// A direct chat between `users[a]` and `users[b]`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DirectChat {
    pub chat_id: String,
    pub a: usize,
    pub b: usize,
}

/// A group whose members are `users[0..members]`, with `last_seq` messages before the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupChat {
    pub chat_id: String,
    pub members: usize,
    pub last_seq: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BrowserSession {
    pub cookie: String,
    pub chat_id: String,
}

/// What a scenario asks `bench-setup` for.
#[derive(Debug, Clone, Copy, Default)]
pub struct Needs {
    pub users: usize,
    pub direct: usize,
    pub group: usize,
}

impl Needs {
    pub fn setup_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        for (flag, n) in [("--users", self.users), ("--direct", self.direct), ("--group", self.group)] {
            if n > 0 {
                args.extend([flag.to_owned(), n.to_string()]);
            }
        }
        args
    }
}

impl Fixture {
    /// The same shape, for the baseline: users are known by index, chats by made-up ids.
    pub fn synthetic(needs: Needs) -> Self {
        let people = needs.users.max(2 * needs.direct).max(needs.group);
        Self {
            users: (0..people).map(|i| BenchUser { id: format!("U{i}"), token: String::new() }).collect(),
            direct: (0..needs.direct).map(|p| DirectChat { chat_id: format!("d{p}"), a: 2 * p, b: 2 * p + 1 }).collect(),
            group: (needs.group > 0).then(|| GroupChat { chat_id: "g".into(), members: needs.group, last_seq: 0 }),
            session: None,
        }
    }

    /// Member indexes of every chat, by chat id.
    pub fn chats(&self) -> Vec<(String, Vec<usize>)> {
        let mut chats: Vec<(String, Vec<usize>)> = self.direct.iter().map(|d| (d.chat_id.clone(), vec![d.a, d.b])).collect();
        if let Some(g) = &self.group {
            chats.push((g.chat_id.clone(), (0..g.members).collect()));
        }
        chats
    }
}
