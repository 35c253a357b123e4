//! The people and chats a run uses, as `confab bench-setup` writes them (see
//! `server/src/bench_setup.rs`), or made up for the baseline server, which has no database.
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Fixture {
    pub users: Vec<BenchUser>,
    pub direct: Vec<DirectChat>,
    pub group: Option<GroupChat>,
    /// Many small groups (`--groups N --size M`), each with its own members.
    #[serde(default)]
    pub groups: Vec<SmallGroup>,
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

/// One of many small groups: its members are `users[i]` for each index in `members` (the
/// groups of one run share nobody), with `last_seq` messages before the run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmallGroup {
    pub chat_id: String,
    pub members: Vec<usize>,
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
    /// `groups` groups of `group_size` members each.
    pub groups: usize,
    pub group_size: usize,
}

impl Needs {
    pub fn setup_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut flags = vec![("--users", self.users), ("--direct", self.direct), ("--group", self.group)];
        if self.group_size > 0 {
            flags.extend([("--groups", self.groups), ("--size", self.group_size)]);
        }
        for (flag, n) in flags {
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
        let people = needs.users.max(2 * needs.direct).max(needs.group).max(needs.groups * needs.group_size);
        Self {
            users: (0..people).map(|i| BenchUser { id: format!("U{i}"), token: String::new() }).collect(),
            direct: (0..needs.direct).map(|p| DirectChat { chat_id: format!("d{p}"), a: 2 * p, b: 2 * p + 1 }).collect(),
            group: (needs.group > 0).then(|| GroupChat { chat_id: "g".into(), members: needs.group, last_seq: 0 }),
            groups: (0..needs.groups)
                .map(|g| SmallGroup { chat_id: format!("s{g}"), members: small_group_members(g, needs.group_size), last_seq: 0 })
                .collect(),
            session: None,
        }
    }

    /// Member indexes of every chat, by chat id.
    pub fn chats(&self) -> Vec<(String, Vec<usize>)> {
        let mut chats: Vec<(String, Vec<usize>)> = self.direct.iter().map(|d| (d.chat_id.clone(), vec![d.a, d.b])).collect();
        if let Some(g) = &self.group {
            chats.push((g.chat_id.clone(), (0..g.members).collect()));
        }
        chats.extend(self.groups.iter().map(|g| (g.chat_id.clone(), g.members.clone())));
        chats
    }
}

/// The members of small group `g` when every group has `size`: the next `size` people, so
/// groups share nobody (bench-setup numbers them the same way).
pub fn small_group_members(g: usize, size: usize) -> Vec<usize> {
    (g * size..(g + 1) * size).collect()
}
