//! `confab seed [--messages N] [--users N]`: fills the configured database with people, direct
//! chats, groups and messages, for trying the app and for benchmarks. Everything goes through the
//! store (messages in batched transactions, sequences and the search index as usual). The first
//! person has the phone +4915100000001 and the username `demo`, so anyone can log in as them with
//! a console code. Prints the people it made.
use std::time::Instant;

use app::accounts::validate::{display_user_id, user_id_from_bits};
use app::chats::types::{PersonView, SystemEvent};
use app::ids::{ChatId, UserId};
use app::backend::{
    chats::{ChatsConfig, ChatsService},
    hub::Hub,
    store::{
        accounts::UserRow,
        chats::{Change, ConvRow, NewMessage},
        states::{ChatKind, MemberState, Role},
    },
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::IndexedRandom};

use crate::config::Config;

const FIRST: [&str; 40] = [
    "Ada", "Ben", "Chloe", "Daniel", "Elif", "Farid", "Grace", "Hiro", "Ines", "Jonas", "Kemi", "Liam", "Mara", "Nils",
    "Olga", "Pablo", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Ximena", "Yusuf", "Zoe", "Anil", "Bea",
    "Carlos", "Dana", "Emil", "Fatima", "Goran", "Hana", "Ivan", "Jana", "Kofi", "Lena", "Milo", "Nora",
];
const LAST: [&str; 20] = [
    "Lovelace", "Hopper", "Okafor", "Schmidt", "Yilmaz", "Tanaka", "Novak", "Garcia", "Rossi", "Berg", "Haddad", "Kowalski",
    "Nguyen", "Silva", "Moreau", "Jensen", "Petrov", "Mensah", "Costa", "Weber",
];
const GROUPS: [&str; 12] = [
    "Climbing crew", "Book club", "Flat 4B", "Team Falcon", "Sunday football", "Family", "Jazz nights", "Rust learners",
    "Trip to Lisbon", "Garden allotment", "Board games", "Photography walks",
];
const OPENERS: [&str; 16] = [
    "Hey", "Morning", "So", "Quick question", "Honestly", "By the way", "Okay", "Ha", "Listen", "Right", "Well", "Hmm",
    "Good news", "Update", "Sorry", "Thanks",
];
const MIDDLES: [&str; 24] = [
    "are we still on for tomorrow", "I found the recipe you asked about", "the train is running late again",
    "did you see the match last night", "can you send me the photos", "I booked the table for eight",
    "the meeting moved to Thursday", "let's try the new place near the station", "I left my umbrella at yours",
    "the tickets sold out in minutes", "who is bringing the snacks", "I'll be there in ten minutes",
    "the build finally passes", "my cat knocked over the plant", "shall we split the bill",
    "the weather looks great for a hike", "I finished the book, what an ending", "remind me to call the landlord",
    "the concert starts at nine", "I'm out of coffee beans", "that granite route was brutal",
    "let's meet at the usual spot", "can you water the tomatoes", "the slides are in the shared folder",
];
const ENDINGS: [&str; 10] = ["?", "!", ".", " 😄", " 👍", "…", " — thoughts?", " 🙏", "!!", " :)"];

fn arg(args: &[String], name: &str, default: usize) -> Result<usize, String> {
    match args.iter().position(|a| a == name) {
        Some(i) => args.get(i + 1).and_then(|v| v.replace('_', "").parse().ok()).ok_or_else(|| format!("{name} needs a number")),
        None => Ok(default),
    }
}

fn body(rng: &mut StdRng) -> String {
    let opener = OPENERS.choose(rng).copied().unwrap_or("Hey");
    let middle = MIDDLES.choose(rng).copied().unwrap_or("hello");
    let ending = ENDINGS.choose(rng).copied().unwrap_or(".");
    format!("{opener}, {middle}{ending}")
}

fn fail(e: impl std::fmt::Display) -> String {
    e.to_string()
}

/// Runs the seed; `args` are the words after `seed`.
pub async fn run(config: Config, args: &[String]) -> Result<(), String> {
    let messages = arg(args, "--messages", 100_000)?;
    let people = arg(args, "--users", 60)?.clamp(2, FIRST.len() * LAST.len());
    let started = Instant::now();
    let store = crate::backends::open_for_bulk_load(&config.database_url).await.map_err(fail)?;
    if store.user_by_phone("+4915100000001").await.map_err(fail)?.is_some() {
        return Err("this database was seeded already (+4915100000001 exists); use a fresh CONFAB_DATA_DIR".into());
    }
    let mut rng = StdRng::seed_from_u64(7);
    let now = time::OffsetDateTime::now_utc().unix_timestamp();

    let mut users = Vec::with_capacity(people);
    for i in 0..people {
        let (first, last) = (FIRST[i % FIRST.len()], LAST[(i / FIRST.len() + i * 7) % LAST.len()]);
        let username = if i == 0 { "demo".to_owned() } else { format!("{}.{}{}", first, last, i).to_lowercase() };
        let row = UserRow {
            id: user_id_from_bits(rng.random::<u64>() & 0xFF_FFFF_FFFF),
            username,
            display_name: format!("{first} {last}"),
            phone: Some(format!("+49151{:08}", i + 1)),
            email: None,
            password_hash: None,
            created_at: now - 90 * 86_400,
        };
        store.user_insert(&row).await.map_err(fail)?;
        users.push(row);
    }

    // Chats: the demo person talks with most people; others pair up at random; a dozen groups.
    let mut chats: Vec<(String, Vec<String>)> = Vec::new();
    let start = now - 90 * 86_400;
    for (i, other) in users.iter().enumerate().skip(1) {
        let partner = if i % 4 == 0 { &users[rng.random_range(1..people)] } else { &users[0] };
        if partner.id == other.id {
            continue;
        }
        let id = hex_id(&mut rng);
        let (id, created) = store.create_direct(&id, &partner.id, MemberState::Active, &other.id, MemberState::Active, start).await.map_err(fail)?;
        if created {
            chats.push((id, vec![partner.id.clone(), other.id.clone()]));
        }
    }
    for (g, name) in GROUPS.iter().enumerate() {
        let owner = &users[if g % 2 == 0 { 0 } else { g % people }];
        let conv = ConvRow {
            id: hex_id(&mut rng),
            kind: ChatKind::Group,
            group_id: Some(user_id_from_bits(rng.random::<u64>() & 0xFF_FFFF_FFFF)),
            name: (*name).into(),
            description: String::new(),
            public: g % 3 == 0,
            created_by: owner.id.clone(),
            created_at: start,
            last_seq: 0,
            last_activity_at: start,
        };
        let created = NewMessage {
            id: hex_id(&mut rng),
            chat_id: conv.id.clone(),
            system: Some(
                serde_json::to_string(&SystemEvent::Created {
                    by: PersonView {
                        user_id: display_user_id(&owner.id),
                        username: owner.username.clone(),
                        display_name: owner.display_name.clone(),
                    },
                })
                .map_err(fail)?,
            ),
            created_at: start,
            ..NewMessage::default()
        };
        store.create_group(&conv, &created).await.map_err(fail)?;
        let mut members = vec![owner.id.clone()];
        let size = rng.random_range(4..=people.min(40));
        for u in users.choose_multiple(&mut rng, size) {
            if members.contains(&u.id) {
                continue;
            }
            let join = Change::Join { user_id: u.id.clone(), role: Role::Member, limit: 1024 };
            store.apply(&conv.id, &[join], None, start).await.map_err(fail)?;
            members.push(u.id.clone());
        }
        chats.push((conv.id, members));
    }

    // Messages: a few busy chats take most of them, like real life; batches of up to 2,000.
    let weights: Vec<f64> = (0..chats.len()).map(|i| 1.0 / (1.0 + i as f64 % 17.0)).collect();
    let total: f64 = weights.iter().sum();
    let mut written = 0;
    for (i, (chat_id, members)) in chats.iter().enumerate() {
        let share = if i + 1 == chats.len() { messages - written } else { ((weights[i] / total) * messages as f64) as usize };
        let share = share.min(messages - written);
        let step = (90 * 86_400 / share.max(1) as i64).max(1);
        let mut at = start;
        let mut batch = Vec::with_capacity(2_000);
        for n in 0..share {
            at += rng.random_range(0..=step * 2).max(1);
            let sender = members.choose(&mut rng).cloned().unwrap_or_default();
            batch.push(NewMessage {
                id: hex_id(&mut rng),
                chat_id: chat_id.clone(),
                sender_id: Some(sender),
                body: body(&mut rng),
                created_at: at.min(now),
                client_id: Some(format!("seed-{i}-{n}")),
                ..NewMessage::default()
            });
            if batch.len() == 2_000 {
                store.send_batch(&batch).await.map_err(fail)?;
                batch.clear();
            }
        }
        store.send_batch(&batch).await.map_err(fail)?;
        written += share;
        // Everyone has read their chats, except the demo person's last few messages.
        let last = store.conv(chat_id).await.map_err(fail)?.map_or(0, |c| c.last_seq);
        for m in members {
            let unread = if *m == users[0].id { rng.random_range(0..4) } else { 0 };
            store.mark_read(chat_id, m, last - unread).await.map_err(fail)?;
        }
    }
    let seeded = started.elapsed();

    // How long the two pages' data take for the demo person, straight from the service.
    let service = ChatsService::new(store.clone(), Hub::local(), ChatsConfig::default());
    let timer = Instant::now();
    let demo = UserId::from(users[0].id.as_str());
    let list = service.list_chats(&demo).await.map_err(fail)?;
    let list_time = timer.elapsed();
    let busiest = list.iter().find(|c| c.last_message.is_some()).map(|c| c.id.clone()).unwrap_or_default();
    let timer = Instant::now();
    service.open_chat(&demo, &ChatId::from(busiest.as_str()), None).await.map_err(fail)?;
    let open_time = timer.elapsed();

    println!("Seeded {} people, {} chats and {written} messages in {:.1} s.", users.len(), chats.len(), seeded.as_secs_f64());
    println!("list_chats for demo: {} rows in {:.1} ms; open_chat {busiest}: {:.1} ms", list.len(), ms(list_time), ms(open_time));
    println!("Log in with one of these (phone, user ID, username):");
    for u in users.iter().take(10) {
        println!("  {}  {}  {}", u.phone.as_deref().unwrap_or(""), display_user_id(&u.id), u.username);
    }
    if users.len() > 10 {
        println!("  … and {} more, phones +4915100000011 onwards", users.len() - 10);
    }
    Ok(())
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn hex_id(rng: &mut StdRng) -> String {
    format!("{:032x}", rng.random::<u128>())
}
