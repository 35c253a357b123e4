//! `confab bench-setup --out FILE [--users N] [--direct P] [--group M] [--groups N --size M] [--session-phone PHONE]`:
//! the fast path that prepares a database for the load tool (`bench/`). Signing tens of thousands
//! of people up through one-time codes would take longer than the benchmark, so this writes them
//! straight through the store and signs their access tokens with the server's own secret.
//!
//! - `--users N`: people, each with a fresh 15-minute access token;
//! - `--direct P`: direct chats between users 0–1, 2–3, … (2P people);
//! - `--group M`: one group whose members are the first M people;
//! - `--groups N --size M`: N groups of M members each, sharing nobody: group g has people
//!   g·M … g·M + M − 1 (1,000 people for 100 groups of 10);
//! - `--session-phone PHONE`: a signed-in browser session for that (already existing) person,
//!   plus their biggest chat, for the page benchmarks on a `confab seed` database.
//!
//! The file it writes is the `Fixture` JSON below; the tool reads the same shape.
use std::{collections::HashMap, sync::Arc};

use app::accounts::validate::user_id_from_bits;
use app::chats::types::{PersonView, SystemEvent};
use app::ids::UserId;
use app::backend::{
    accounts::tokens,
    chats::{ChatsConfig, ChatsService},
    hub::Hub,
    sessions::{DbSessionStore, USER_KEY},
    store::{
        Store,
        accounts::UserRow,
        chats::{Change, ConvRow, NewMessage},
        states::{ChatKind, MemberState, Role},
    },
};
use rand::Rng;
use serde::Serialize;
use tower_sessions::{SessionStore, session::Id, session::Record};

use crate::config::Config;

/// Group size the store accepts (the same bound the groups service uses).
const GROUP_LIMIT: u32 = 1024;

#[derive(Debug, Serialize)]
struct Fixture {
    users: Vec<BenchUser>,
    direct: Vec<DirectChat>,
    group: Option<GroupChat>,
    groups: Vec<SmallGroup>,
    session: Option<BrowserSession>,
}

#[derive(Debug, Serialize)]
struct BenchUser {
    id: String,
    token: String,
}

/// A direct chat between `users[a]` and `users[b]`.
#[derive(Debug, Serialize)]
struct DirectChat {
    chat_id: String,
    a: usize,
    b: usize,
}

/// A group whose members are `users[0..members]`; `last_seq`: its messages so far (the
/// "created" notice).
#[derive(Debug, Serialize)]
struct GroupChat {
    chat_id: String,
    members: usize,
    last_seq: i64,
}

/// One of many small groups: its members are `users[i]` for each index in `members`.
#[derive(Debug, Serialize)]
struct SmallGroup {
    chat_id: String,
    members: Vec<usize>,
    last_seq: i64,
}

#[derive(Debug, Serialize)]
struct BrowserSession {
    /// The `Cookie` header value.
    cookie: String,
    /// The person's chat with the most messages.
    chat_id: String,
}

fn arg<'a>(args: &'a [String], name: &str) -> Option<&'a str> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).map(String::as_str)
}

fn number(args: &[String], name: &str) -> Result<usize, String> {
    match arg(args, name) {
        None => Ok(0),
        Some(v) => v.replace('_', "").parse().map_err(|_| format!("{name} needs a number, not `{v}`")),
    }
}

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs the set-up; `args` are the words after `bench-setup`.
pub async fn run(config: Config, args: &[String]) -> Result<(), String> {
    let out = arg(args, "--out").ok_or("--out FILE is required")?;
    let direct = number(args, "--direct")?;
    let group = number(args, "--group")?;
    if group > GROUP_LIMIT as usize {
        return Err(format!("--group can be at most {GROUP_LIMIT}"));
    }
    let (groups, size) = (number(args, "--groups")?, number(args, "--size")?);
    if groups > 0 && !(2..=GROUP_LIMIT as usize).contains(&size) {
        return Err(format!("--groups needs --size between 2 and {GROUP_LIMIT}"));
    }
    let people = number(args, "--users")?.max(2 * direct).max(group).max(groups * size);
    let started = std::time::Instant::now();
    let store = crate::backends::open_for_bulk_load(&config.database_url).await.map_err(fail)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let secret = config.secret_key.expose();

    // Consecutive ids from a random start: unique within the run, and runs rarely meet.
    let base: u64 = rand::rng().random_range(0..(1u64 << 39));
    let run_tag: u32 = rand::rng().random();
    let mut users = Vec::with_capacity(people);
    for i in 0..people {
        let row = UserRow {
            id: user_id_from_bits(base + i as u64),
            username: format!("bench{run_tag:08x}n{i}"),
            display_name: format!("Bench {i}"),
            phone: None,
            email: None,
            password_hash: None,
            created_at: now,
        };
        store.user_insert(&row).await.map_err(fail)?;
        let token = tokens::access_token(secret, &row.id, now).map_err(fail)?;
        users.push((row, token));
    }

    let mut direct_chats = Vec::with_capacity(direct);
    for pair in 0..direct {
        let (a, b) = (2 * pair, 2 * pair + 1);
        let (chat_id, _) =
            store.create_direct(&hex_id(), &users[a].0.id, MemberState::Active, &users[b].0.id, MemberState::Active, now).await.map_err(fail)?;
        direct_chats.push(DirectChat { chat_id, a, b });
    }

    let group_chat = match group {
        0 => None,
        members => {
            let chat_id = create_group(&store, &users[..members], now).await?;
            let last_seq = store.conv(&chat_id).await.map_err(fail)?.map_or(0, |c| c.last_seq);
            Some(GroupChat { chat_id, members, last_seq })
        }
    };

    let mut small_groups = Vec::with_capacity(groups);
    for g in 0..groups {
        let members: Vec<usize> = (g * size..(g + 1) * size).collect();
        let chat_id = create_group(&store, &users[g * size..(g + 1) * size], now).await?;
        let last_seq = store.conv(&chat_id).await.map_err(fail)?.map_or(0, |c| c.last_seq);
        small_groups.push(SmallGroup { chat_id, members, last_seq });
    }

    let session = match arg(args, "--session-phone") {
        None => None,
        Some(phone) => Some(browser_session(&store, phone).await?),
    };

    let fixture = Fixture {
        users: users.into_iter().map(|(row, token)| BenchUser { id: row.id, token }).collect(),
        direct: direct_chats,
        group: group_chat,
        groups: small_groups,
        session,
    };
    let json = serde_json::to_vec(&fixture).map_err(fail)?;
    std::fs::write(out, json).map_err(|e| format!("cannot write {out}: {e}"))?;
    println!(
        "bench-setup: {} people, {} direct chats, group of {}, {} groups of {} in {:.1} s -> {out}",
        fixture.users.len(),
        fixture.direct.len(),
        group,
        fixture.groups.len(),
        size,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

async fn create_group(store: &Arc<dyn Store>, members: &[(UserRow, String)], now: i64) -> Result<String, String> {
    let owner = &members[0].0;
    let conv = ConvRow {
        id: hex_id(),
        kind: ChatKind::Group,
        group_id: Some(user_id_from_bits(rand::rng().random::<u64>() & 0xFF_FFFF_FFFF)),
        name: format!("Bench group of {}", members.len()),
        description: String::new(),
        public: false,
        created_by: owner.id.clone(),
        created_at: now,
        last_seq: 0,
        last_activity_at: now,
    };
    let by = PersonView { user_id: owner.id.clone(), username: owner.username.clone(), display_name: owner.display_name.clone() };
    let created = NewMessage {
        id: hex_id(),
        chat_id: conv.id.clone(),
        system: Some(serde_json::to_string(&SystemEvent::Created { by }).map_err(fail)?),
        created_at: now,
        ..NewMessage::default()
    };
    store.create_group(&conv, &created).await.map_err(fail)?;
    let joins: Vec<Change> = members[1..]
        .iter()
        .map(|(u, _)| Change::Join { user_id: u.id.clone(), role: Role::Member, limit: GROUP_LIMIT })
        .collect();
    store.apply(&conv.id, &joins, None, now).await.map_err(fail)?;
    Ok(conv.id)
}

/// A session row as a browser sign-in leaves it, and the person's biggest chat.
async fn browser_session(store: &Arc<dyn Store>, phone: &str) -> Result<BrowserSession, String> {
    let user = store.user_by_phone(phone).await.map_err(fail)?.ok_or_else(|| format!("nobody has the phone {phone}; run `confab seed` first"))?;
    let mut record = Record {
        id: Id::default(),
        data: HashMap::from([(USER_KEY.to_owned(), serde_json::Value::String(user.id.clone()))]),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::days(1),
    };
    DbSessionStore::new(store.clone()).create(&mut record).await.map_err(fail)?;

    let service = ChatsService::new(store.clone(), Hub::local(), ChatsConfig::default());
    let mut biggest = (String::new(), -1);
    for chat in service.list_chats(&UserId::from(user.id.as_str())).await.map_err(fail)? {
        let last_seq = store.conv(&chat.id).await.map_err(fail)?.map_or(0, |c| c.last_seq);
        if last_seq > biggest.1 {
            biggest = (chat.id, last_seq);
        }
    }
    if biggest.1 < 0 {
        return Err(format!("{phone} has no chats"));
    }
    Ok(BrowserSession { cookie: format!("confab_session={}", record.id), chat_id: biggest.0 })
}

fn hex_id() -> String {
    format!("{:032x}", rand::rng().random::<u128>())
}
