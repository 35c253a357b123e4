//! Stranger chat against a real database (the kind `CONFAB_TEST_STORE` names) and the real hub:
//! matching, anonymity, leaving, reports and bans, staying in touch, and what a hostile client
//! tries.
use std::sync::Arc;

use super::*;
use crate::strangers::types::{EndReason, StrangerChat};
use crate::backend::{
    chats::ChatsConfig,
    clock::ManualClock,
    hub::DeviceLink,
    store::{accounts::UserRow, scratch::ScratchDatabase},
};

struct World {
    strangers: Arc<StrangerService>,
    chats: Arc<ChatsService>,
    store: Arc<dyn Store>,
    hub: Hub,
    clock: Arc<ManualClock>,
    _database: ScratchDatabase,
}

async fn world() -> World {
    let database = ScratchDatabase::new().await;
    let store = database.open().await.unwrap();
    let hub = Hub::local();
    let clock = Arc::new(ManualClock::default());
    let chats = Arc::new(ChatsService::new(store.clone(), hub.clone(), ChatsConfig::default()).with_clock(clock.clone()));
    let strangers = StrangerService::new(store.clone(), hub.clone(), chats.clone(), StrangerConfig::default()).with_clock(clock.clone());
    World { strangers: Arc::new(strangers), chats, store, hub, clock, _database: database }
}

/// Someone who confirmed they are an adult, with a device listening.
struct Person {
    id: UserId,
    device: DeviceLink,
}

impl World {
    async fn person(&self, n: u64) -> Person {
        let id = crate::accounts::validate::user_id_from_bits(0x20_0000 + n);
        let row = UserRow {
            id: id.clone(),
            username: format!("person{n}"),
            display_name: format!("Person {n}"),
            phone: Some(format!("+4915100000{n:03}")),
            email: None,
            password_hash: None,
            created_at: 0,
        };
        self.store.user_insert(&row).await.unwrap();
        let id = UserId::from(id);
        self.strangers.confirm_adult(&id).await.unwrap();
        Person { device: self.hub.attach(id.as_str()), id }
    }

    async fn look(&self, p: &Person) -> StrangerView {
        self.strangers.look(&p.id, &[]).await.unwrap()
    }

    async fn chat_of(&self, p: &Person) -> Option<StrangerChat> {
        self.strangers.state(&p.id).await.unwrap().chat
    }

    /// Two people matched with each other; returns the chat id.
    async fn matched(&self, a: &Person, b: &Person) -> String {
        assert!(self.look(a).await.chat.is_none());
        let chat = self.look(b).await.chat.expect("b finds a waiting");
        assert_eq!(self.chat_of(a).await.unwrap().id, chat.id);
        chat.id
    }
}

impl Person {
    /// The frames that reached the device so far, as text.
    fn heard(&mut self) -> Vec<String> {
        let mut texts = Vec::new();
        while let Ok(event) = self.device.events.try_recv() {
            texts.push(event.text().to_owned());
        }
        texts
    }

    fn frames(&mut self) -> Vec<ServerFrame> {
        self.heard().iter().map(|t| ServerFrame::from_json(t).unwrap()).collect()
    }
}

fn ended(view: &StrangerView) -> Option<EndReason> {
    view.chat.as_ref().and_then(|c| c.ended)
}

#[tokio::test]
async fn two_people_looking_are_matched_and_know_each_other_only_as_a_stranger() {
    let w = world().await;
    let (mut a, mut b) = (w.person(1).await, w.person(2).await);
    let looking = w.look(&a).await;
    assert!(looking.looking.is_some() && looking.chat.is_none());
    let chat = w.matched_second(&a, &b).await;
    let sent = w.strangers.send(&a.id, &chat, "k1", "hi there").await.unwrap().0;
    assert!(sent.mine && sent.seq == 1 && sent.client_id.as_deref() == Some("k1"));

    let b_heard = b.heard();
    assert!(b_heard.iter().any(|t| t.contains("\"stranger\"")), "b hears of the match: {b_heard:?}");
    let message = b_heard.iter().map(|t| ServerFrame::from_json(t).unwrap()).find_map(|f| match f {
        ServerFrame::StrangerMessage { message, .. } => Some(message),
        _ => None,
    });
    assert_eq!(message.unwrap(), StrangerMessage { seq: 1, mine: false, body: "hi there".into(), created_at: w.clock.now(), client_id: None });
    // Nothing a's side says names a, and the other way round.
    let a_heard = a.heard().join("\n");
    for (texts, who) in [(b_heard.join("\n"), 1u64), (a_heard, 2)] {
        let id = crate::accounts::validate::user_id_from_bits(0x20_0000 + who);
        for secret in [id.clone(), crate::accounts::validate::display_user_id(&id), format!("person{who}"), format!("Person {who}"), format!("+4915100000{who:03}")] {
            assert!(!texts.contains(&secret), "{secret} leaked in {texts}");
        }
    }
    let b_view = serde_json::to_string(&w.strangers.state(&b.id).await.unwrap()).unwrap();
    assert!(!b_view.contains(a.id.as_str()) && !b_view.contains("person1") && !b_view.contains("k1"), "{b_view}");
}

impl World {
    async fn matched_second(&self, a: &Person, b: &Person) -> String {
        let chat = self.look(b).await.chat.expect("b finds a waiting");
        assert_eq!(self.chat_of(a).await.unwrap().id, chat.id);
        chat.id
    }
}

#[tokio::test]
async fn a_message_sent_twice_with_one_client_id_is_added_once() {
    let w = world().await;
    let (a, mut b) = (w.person(1).await, w.person(2).await);
    let chat = w.matched(&a, &b).await;
    b.heard();
    let (first, new) = w.strangers.send(&a.id, &chat, "same", "once").await.unwrap();
    let again = w.strangers.send(&a.id, &chat, "same", "once").await.unwrap();
    assert!(new);
    assert_eq!(again, (first, false));
    assert_eq!(w.chat_of(&b).await.unwrap().messages.len(), 1);
    assert_eq!(b.frames().len(), 1, "the partner hears it once");
}

#[tokio::test]
async fn next_ends_the_chat_for_the_partner_and_finds_someone_new() {
    let w = world().await;
    let (mut a, mut b, c) = (w.person(1).await, w.person(2).await, w.person(3).await);
    let first = w.matched(&a, &b).await;
    b.heard();
    a.heard();
    let next = w.look(&a).await;
    assert!(next.chat.is_none() && next.looking.is_some(), "a is looking again");
    assert!(a.heard().is_empty(), "the answer says it all: no frame about the old chat for a");
    let b_view = w.strangers.state(&b.id).await.unwrap();
    assert_eq!(ended(&b_view), Some(EndReason::StrangerLeft));
    assert!(b.frames().iter().any(|f| matches!(f, ServerFrame::Stranger { view } if ended(view) == Some(EndReason::StrangerLeft))));
    let err = w.strangers.send(&b.id, &first, "late", "still there?").await.unwrap_err();
    assert_eq!(err.code(), "stranger_left");
    let second = w.matched_second(&a, &c).await;
    assert_ne!(first, second);
    // a's old chat is no longer theirs: neither readable nor writable.
    assert_eq!(w.strangers.send(&a.id, &first, "x", "hello?").await.unwrap_err(), AppError::NotFound);
}

#[tokio::test]
async fn stop_leaves_then_puts_the_chat_away_and_both_moving_on_forgets_it() {
    let w = world().await;
    let (a, b) = (w.person(1).await, w.person(2).await);
    w.matched(&a, &b).await;
    let stopped = w.strangers.leave(&a.id).await.unwrap();
    assert_eq!(ended(&stopped), Some(EndReason::YouLeft), "a still sees the chat, to report it if need be");
    assert!(w.strangers.leave(&a.id).await.unwrap().chat.is_none());
    assert_eq!(w.strangers.counts().await, (0, 1), "b still holds it");
    w.strangers.leave(&b.id).await.unwrap();
    assert_eq!(w.strangers.counts().await, (0, 0), "nobody holds it: forgotten");
}

#[tokio::test]
async fn leaving_the_queue_means_nobody_is_matched_with_you() {
    let w = world().await;
    let (a, b) = (w.person(1).await, w.person(2).await);
    w.look(&a).await;
    assert!(w.strangers.leave(&a.id).await.unwrap().looking.is_none());
    assert!(w.look(&b).await.chat.is_none(), "a left the queue");
    assert_eq!(w.strangers.counts().await, (1, 0));
}

#[tokio::test]
async fn a_reported_stranger_is_never_matched_again_and_the_report_keeps_the_chat() {
    let w = world().await;
    let (a, b) = (w.person(1).await, w.person(2).await);
    let chat = w.matched(&a, &b).await;
    w.strangers.send(&a.id, &chat, "m1", "rude words").await.unwrap();
    w.strangers.send(&b.id, &chat, "m2", "please stop").await.unwrap();
    w.look(&a).await; // Next: a left before b reported
    let view = w.strangers.report(&b.id, &chat, ReportReason::Harassment, "kept on").await.unwrap();
    assert!(view.chat.as_ref().unwrap().reported);
    let reports = w.strangers.reports(10).await.unwrap();
    assert_eq!(reports.len(), 1);
    let r = &reports[0];
    assert_eq!((r.reporter_id.as_str(), r.reported_id.as_str(), r.reason.as_str(), r.note.as_str()), (b.id.as_str(), a.id.as_str(), "harassment", "kept on"));
    let transcript: serde_json::Value = serde_json::from_str(&r.transcript).unwrap();
    assert_eq!(transcript[0]["from"], "reported");
    assert_eq!(transcript[0]["body"], "rude words");
    assert_eq!(transcript[1]["from"], "reporter");
    // Reporting twice stores nothing more.
    w.strangers.report(&b.id, &chat, ReportReason::Spam, "").await.unwrap();
    assert_eq!(w.strangers.reports(10).await.unwrap().len(), 1);
    // a is waiting; b looks: they are not matched, whatever the wait.
    let b_looks = w.look(&b).await;
    assert!(b_looks.chat.is_none());
    w.clock.advance_secs(10);
    w.strangers.sweep().await;
    assert_eq!(w.strangers.counts().await, (2, 0), "both still wait");
}

#[tokio::test]
async fn a_blocked_stranger_is_never_matched_again() {
    let w = world().await;
    let (a, b) = (w.person(1).await, w.person(2).await);
    let chat = w.matched(&a, &b).await;
    let view = w.strangers.block(&a.id, &chat).await.unwrap();
    assert_eq!(ended(&view), Some(EndReason::YouLeft));
    assert!(view.chat.unwrap().blocked);
    assert_eq!(ended(&w.strangers.state(&b.id).await.unwrap()), Some(EndReason::StrangerLeft));
    w.look(&a).await;
    assert!(w.look(&b).await.chat.is_none());
    assert!(w.strangers.reports(10).await.unwrap().is_empty(), "a block keeps no transcript");
}

#[tokio::test]
async fn people_blocked_elsewhere_in_confab_are_not_matched() {
    let w = world().await;
    let (a, b) = (w.person(1).await, w.person(2).await);
    w.chats.set_blocked(&a.id, &b.id, true).await.unwrap();
    w.look(&b).await;
    assert!(w.look(&a).await.chat.is_none());
}

#[tokio::test]
async fn reports_from_enough_different_people_keep_someone_out_for_a_day() {
    let w = world().await;
    let target = w.person(1).await;
    let now = w.clock.now();
    for n in 0..3u64 {
        let reporter = w.person(10 + n).await;
        // The same reporter twice counts once.
        for i in 0..2 {
            let row = StrangerReportRow {
                id: format!("r{n}{i}"),
                reporter_id: reporter.id.to_string(),
                reported_id: target.id.to_string(),
                reason: "spam".into(),
                note: String::new(),
                transcript: "[]".into(),
                created_at: now - 60,
            };
            w.store.stranger_report_insert(&row).await.unwrap();
        }
        let refused = w.strangers.look(&target.id, &[]).await;
        assert_eq!(refused.is_err(), n == 2, "banned at the third person, not before ({n})");
        if n < 2 {
            w.strangers.leave(&target.id).await.unwrap();
        }
    }
    let err = w.strangers.look(&target.id, &[]).await.unwrap_err();
    assert_eq!(err.code(), "stranger_ban");
    assert_eq!(w.strangers.state(&target.id).await.unwrap().banned_until, Some(now - 60 + 86_400));
    w.clock.advance_secs(86_400);
    assert!(w.strangers.look(&target.id, &[]).await.is_ok(), "the ban ends");
}

#[tokio::test]
async fn only_people_who_confirmed_they_are_adults_can_look() {
    let w = world().await;
    let id = crate::accounts::validate::user_id_from_bits(0x30_0000);
    let row = UserRow {
        id: id.clone(),
        username: "young".into(),
        display_name: "Young".into(),
        phone: None,
        email: None,
        password_hash: None,
        created_at: 0,
    };
    w.store.user_insert(&row).await.unwrap();
    let id = UserId::from(id);
    assert!(!w.strangers.state(&id).await.unwrap().adult_confirmed);
    assert_eq!(w.strangers.look(&id, &[]).await.unwrap_err().code(), "adult_required");
    assert!(w.strangers.confirm_adult(&id).await.unwrap().adult_confirmed);
    assert!(w.strangers.look(&id, &[]).await.is_ok());
}

#[tokio::test]
async fn a_page_silent_for_too_long_has_left() {
    let w = world().await;
    let (a, mut b) = (w.person(1).await, w.person(2).await);
    w.matched(&a, &b).await;
    b.heard();
    w.clock.advance_secs(20);
    w.strangers.here(&b.id).await.unwrap();
    w.strangers.sweep().await;
    assert!(ended(&w.strangers.state(&b.id).await.unwrap()).is_none(), "20 s is not long");
    w.clock.advance_secs(15);
    w.strangers.here(&b.id).await.unwrap();
    w.strangers.sweep().await;
    assert_eq!(ended(&w.strangers.state(&b.id).await.unwrap()), Some(EndReason::StrangerDisconnected));
    assert_eq!(ended(&w.strangers.state(&a.id).await.unwrap()), Some(EndReason::YouDisconnected));
    // Someone who stops answering while waiting leaves the queue too.
    let c = w.person(3).await;
    w.look(&c).await;
    w.clock.advance_secs(31);
    w.strangers.sweep().await;
    assert_eq!(w.strangers.counts().await.0, 0);
}

#[tokio::test]
async fn people_sharing_an_interest_are_matched_first_then_anyone_after_the_wait() {
    let w = world().await;
    let (a, b, c) = (w.person(1).await, w.person(2).await, w.person(3).await);
    w.strangers.look(&a.id, &[]).await.unwrap();
    assert!(w.strangers.look(&b.id, &["Chess".into()]).await.unwrap().chat.is_none(), "b waits for chess first");
    let chat = w.strangers.look(&c.id, &["#chess".into(), "go".into()]).await.unwrap().chat.unwrap();
    assert_eq!(chat.shared_interests, ["chess"]);
    assert_eq!(w.chat_of(&b).await.unwrap().id, chat.id);
    let d = w.person(4).await;
    assert!(w.strangers.look(&d.id, &["knitting".into()]).await.unwrap().chat.is_none());
    w.clock.advance_secs(6);
    w.strangers.sweep().await;
    assert_eq!(w.chat_of(&a).await.unwrap().id, w.chat_of(&d).await.unwrap().id, "after the wait, anyone will do");
}

#[tokio::test]
async fn staying_in_touch_needs_both_and_then_carries_the_chat_on_as_a_direct_chat() {
    let w = world().await;
    let (a, mut b) = (w.person(1).await, w.person(2).await);
    let chat = w.matched(&a, &b).await;
    w.strangers.send(&a.id, &chat, "m1", "nice talking").await.unwrap();
    w.strangers.send(&b.id, &chat, "m2", "likewise").await.unwrap();
    b.heard();
    let offered = w.strangers.stay_in_touch(&a.id, &chat, true).await.unwrap().chat.unwrap();
    assert!(offered.i_offered_contact && offered.direct_chat.is_none());
    assert_eq!(offered.messages.len(), 2, "the answer holds the whole conversation");
    let told: Vec<ServerFrame> = b.frames();
    let [ServerFrame::Stranger { view }] = told.as_slice() else { panic!("one frame: {told:?}") };
    assert!(view.chat.as_ref().unwrap().messages.is_empty(), "a change of state does not send every message again");
    let b_chat = w.chat_of(&b).await.unwrap();
    assert!(b_chat.stranger_offered_contact && !b_chat.i_offered_contact);
    assert!(serde_json::to_string(&told).unwrap().find(a.id.as_str()).is_none(), "an offer reveals nothing");
    assert!(w.chats.list_chats(&a.id).await.unwrap().is_empty());

    let done = w.strangers.stay_in_touch(&b.id, &chat, true).await.unwrap().chat.unwrap();
    assert_eq!(done.ended, Some(EndReason::StayedInTouch));
    let direct = done.direct_chat.expect("a direct chat");
    assert_eq!(w.chat_of(&a).await.unwrap().direct_chat.as_deref(), Some(direct.as_str()));
    let listed = w.chats.list_chats(&a.id).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].id, direct);
    assert_eq!(listed[0].title, "Person 2", "now they know each other");
    let opened = w.chats.open_chat(&b.id, &direct.as_str().into(), None).await.unwrap();
    let bodies: Vec<&str> = opened.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["nice talking", "likewise"]);
    assert_eq!(w.strangers.send(&a.id, &chat, "m3", "more").await.unwrap_err().code(), "stranger_left");
}

#[tokio::test]
async fn withdrawing_an_offer_before_the_other_agrees_keeps_both_anonymous() {
    let w = world().await;
    let (a, b) = (w.person(1).await, w.person(2).await);
    let chat = w.matched(&a, &b).await;
    w.strangers.stay_in_touch(&a.id, &chat, true).await.unwrap();
    w.strangers.stay_in_touch(&a.id, &chat, false).await.unwrap();
    let view = w.strangers.stay_in_touch(&b.id, &chat, true).await.unwrap().chat.unwrap();
    assert!(view.ended.is_none() && view.direct_chat.is_none());
}

#[tokio::test]
async fn typing_reaches_only_the_partner_at_most_every_two_seconds() {
    let w = world().await;
    let (mut a, mut b, mut c) = (w.person(1).await, w.person(2).await, w.person(3).await);
    let chat = w.matched(&a, &b).await;
    (a.heard(), b.heard(), c.heard());
    for _ in 0..3 {
        w.strangers.typing(&a.id, &chat).await.unwrap();
    }
    assert_eq!(b.frames(), [ServerFrame::StrangerTyping { chat_id: chat.clone() }]);
    assert!(a.heard().is_empty() && c.heard().is_empty());
    w.clock.advance_secs(2);
    w.strangers.typing(&a.id, &chat).await.unwrap();
    assert_eq!(b.frames().len(), 1);
    // A message ends the typing; typing again at once is passed on.
    w.strangers.send(&a.id, &chat, "t1", "done").await.unwrap();
    w.strangers.typing(&a.id, &chat).await.unwrap();
    assert_eq!(b.frames().len(), 2, "the message and the new typing notice");
    assert_eq!(w.strangers.typing(&c.id, &chat).await.unwrap_err(), AppError::NotFound, "an outsider cannot type there");
}

#[tokio::test]
async fn what_a_hostile_client_tries_is_refused_and_changes_nothing() {
    let w = world().await;
    let (a, b, c) = (w.person(1).await, w.person(2).await, w.person(3).await);
    let chat = w.matched(&a, &b).await;
    // Someone else's conversation, by its id: as if it did not exist.
    for attempt in [
        w.strangers.send(&c.id, &chat, "x", "hi").await.map(|_| ()),
        w.strangers.report(&c.id, &chat, ReportReason::Spam, "").await.map(|_| ()),
        w.strangers.block(&c.id, &chat).await.map(|_| ()),
        w.strangers.stay_in_touch(&c.id, &chat, true).await.map(|_| ()),
    ] {
        assert_eq!(attempt.unwrap_err(), AppError::NotFound);
    }
    assert_eq!(w.strangers.send(&a.id, "nope", "x", "hi").await.unwrap_err(), AppError::NotFound);
    // Bad input, each with a reason, nothing added.
    assert_eq!(w.strangers.send(&a.id, &chat, "", "hi").await.unwrap_err().code(), "invalid_client_id");
    assert!(w.strangers.send(&a.id, &chat, "big", &"x".repeat(5000)).await.is_err());
    assert!(w.strangers.send(&a.id, &chat, "ctl", "bell\u{7}").await.is_err());
    assert!(w.strangers.report(&a.id, &chat, ReportReason::Other, &"n".repeat(501)).await.is_err());
    assert!(w.strangers.look(&c.id, &vec!["tag".to_string(); 1].into_iter().chain((0..6).map(|i| format!("t{i}"))).collect::<Vec<_>>()).await.is_err());
    assert!(w.chat_of(&a).await.unwrap().messages.is_empty());
    // A flood: five messages in five seconds, then a wait.
    for i in 0..5 {
        w.strangers.send(&a.id, &chat, &format!("f{i}"), "flood").await.unwrap();
    }
    let err = w.strangers.send(&a.id, &chat, "f5", "flood").await.unwrap_err();
    assert!(matches!(err, AppError::RateLimited { .. }), "{err:?}");
    assert_eq!(w.chat_of(&b).await.unwrap().messages.len(), 5);
    // Re-sending a stored one is not a new message, so it is answered even now.
    assert_eq!(w.strangers.send(&a.id, &chat, "f0", "flood").await.unwrap().0.seq, 1);
    // Searching in a loop is limited too.
    for _ in 0..20 {
        if let Err(e) = w.strangers.look(&c.id, &[]).await {
            assert!(matches!(e, AppError::RateLimited { .. }), "{e:?}");
            return;
        }
    }
    panic!("twenty searches in a minute were all allowed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hundreds_looking_at_once_are_each_matched_once_and_never_with_themselves() {
    let w = world().await;
    let mut people = Vec::new();
    for n in 0..300 {
        people.push(w.person(100 + n).await.id);
    }
    let tasks: Vec<_> = people
        .iter()
        .cloned()
        .map(|id| {
            let strangers = w.strangers.clone();
            tokio::spawn(async move {
                // Some change their mind and look again at once.
                strangers.look(&id, &[]).await.unwrap();
                if id.as_str().ends_with('7') {
                    strangers.leave(&id).await.unwrap();
                    strangers.look(&id, &[]).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let mut partner_of: HashMap<String, String> = HashMap::new();
    let mut rooms: HashMap<String, Vec<String>> = HashMap::new();
    let (mut waiting, mut left_behind) = (0, 0);
    for id in &people {
        let view = w.strangers.state(id).await.unwrap();
        match view.chat {
            Some(chat) if chat.ended.is_none() => rooms.entry(chat.id).or_default().push(id.to_string()),
            // Their partner changed their mind.
            Some(chat) if chat.ended == Some(EndReason::StrangerLeft) => left_behind += 1,
            _ => waiting += usize::from(view.looking.is_some()),
        }
    }
    for members in rooms.values() {
        assert_eq!(members.len(), 2, "a live chat has exactly two people: {members:?}");
        assert_ne!(members[0], members[1]);
        assert!(partner_of.insert(members[0].clone(), members[1].clone()).is_none());
        assert!(partner_of.insert(members[1].clone(), members[0].clone()).is_none());
    }
    assert_eq!(partner_of.len() + waiting + left_behind, people.len(), "everyone is in one chat, waiting, or was left");
    assert!(waiting <= 1, "nobody waits while someone else does: {waiting}");
    assert_eq!(w.strangers.counts().await.0, waiting);
}

#[tokio::test]
async fn a_conversation_in_memory_is_bounded_and_offers_cannot_be_flipped_in_a_loop() {
    let w = world().await;
    let (a, b) = (w.person(1).await, w.person(2).await);
    let chat = w.matched(&a, &b).await;
    let long = "x".repeat(4000);
    let mut sent = 0;
    let refused = loop {
        match w.strangers.send(&a.id, &chat, &format!("l{sent}"), &long).await {
            Ok(_) => sent += 1,
            Err(AppError::RateLimited { .. }) => w.clock.advance_secs(MESSAGE_WINDOW_SECS),
            Err(e) => break e,
        }
        assert!(sent <= MAX_MESSAGES, "never refused");
    };
    assert_eq!(refused.code(), "conversation_full");
    assert_eq!(sent, MAX_CONVERSATION_BYTES / 4000);
    // Each change of offer is a frame to the stranger: ten a minute.
    let flips = flip_offers(&w, &a, &chat).await;
    // The eleventh change is refused; the twelfth, a withdrawal of an offer that was never
    // made, changes nothing and is not counted.
    assert_eq!(flips, [true, true, true, true, true, true, true, true, true, true, false, true]);
    assert!(!w.chat_of(&b).await.unwrap().stranger_offered_contact);
    w.clock.advance_secs(60);
    assert!(w.strangers.stay_in_touch(&a.id, &chat, true).await.is_ok(), "a minute later");
}

/// Offers and withdraws twelve times in a row; whether each was allowed.
async fn flip_offers(w: &World, p: &Person, chat: &str) -> Vec<bool> {
    let mut allowed = Vec::new();
    for i in 0..12 {
        allowed.push(w.strangers.stay_in_touch(&p.id, chat, i % 2 == 0).await.is_ok());
    }
    allowed
}
