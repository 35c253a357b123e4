//! Calls against a real database (the kind `CONFAB_TEST_STORE` names) and the real hub: ringing
//! every device, answering on one, signals only between the two devices in the call, every way
//! a call ends and its record in the chat, and what a hostile client tries.
use std::sync::Arc;

use super::*;
use crate::backend::{
    chats::ChatsConfig,
    clock::ManualClock,
    hub::DeviceLink,
    store::{Store, accounts::UserRow, scratch::ScratchDatabase},
};
use crate::chats::types::{MySettings, SystemEvent, WhoCanMessage};

struct World {
    calls: Arc<CallService>,
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
    let config = CallConfig {
        ice: IceConfig {
            turn_urls: vec!["turn:127.0.0.1:3478".into()],
            turn_secret: Some("s3cret".into()),
            credential_secs: 600,
            ..IceConfig::default()
        },
        ..CallConfig::default()
    };
    let calls = CallService::new(chats.clone(), hub.clone(), config).with_clock(clock.clone());
    World { calls: Arc::new(calls), chats, store, hub, clock, _database: database }
}

/// A person and one connected device (its hub link, and its key in calls).
struct Device {
    link: DeviceLink,
    key: String,
}

struct Person {
    id: UserId,
    phone: Device,
}

impl World {
    async fn person(&self, n: u64) -> Person {
        let id = crate::accounts::validate::user_id_from_bits(0x30_0000 + n);
        let row = UserRow {
            id: id.clone(),
            username: format!("caller{n}"),
            display_name: format!("Caller {n}"),
            phone: Some(format!("+4915200000{n:03}")),
            email: None,
            password_hash: None,
            created_at: 0,
        };
        self.store.user_insert(&row).await.unwrap();
        let id = UserId::from(id);
        Person { phone: self.device(&id, "phone"), id }
    }

    fn device(&self, id: &UserId, key: &str) -> Device {
        Device { link: self.hub.attach(id.as_str()), key: format!("{key}-{id}") }
    }

    async fn direct(&self, a: &Person, b: &Person) -> ChatId {
        self.chats.start_direct(&a.id, &b.id).await.unwrap().0
    }

    /// The chat's call records, oldest first, as (outcome, seconds, placed by).
    async fn records(&self, chat: &ChatId, viewer: &Person) -> Vec<(CallOutcome, Option<u32>, String)> {
        let detail = self.chats.open_chat(&viewer.id, chat, None).await.unwrap();
        detail
            .messages
            .into_iter()
            .filter_map(|m| match m.system {
                Some(SystemEvent::Call { by, outcome, seconds, .. }) => Some((outcome, seconds, by.display_name)),
                _ => None,
            })
            .collect()
    }
}

impl Device {
    /// The frames that reached the device so far (targeted ones only if meant for it), parsed.
    fn heard(&mut self) -> Vec<ServerFrame> {
        let mut frames = Vec::new();
        while let Ok(event) = self.link.events.try_recv() {
            let text = match &event {
                HubEvent::Frame(payload) => payload.text.clone(),
                HubEvent::Targeted { devices, payload } if devices.admits(&self.key) => payload.text.clone(),
                _ => continue,
            };
            frames.push(ServerFrame::from_json(&text).unwrap());
        }
        frames
    }

    /// The call frames heard, without chat list and message updates.
    fn calls_heard(&mut self) -> Vec<ServerFrame> {
        self.heard()
            .into_iter()
            .filter(|f| matches!(f, ServerFrame::Call { .. } | ServerFrame::CallEnded { .. } | ServerFrame::CallSignal { .. } | ServerFrame::CallMedia { .. }))
            .collect()
    }
}

fn ended(call: &CallView, reason: CallEnd) -> ServerFrame {
    ServerFrame::CallEnded { call_id: call.id.clone(), reason }
}

fn code(e: AppError) -> String {
    e.code().to_owned()
}

#[tokio::test]
async fn a_call_rings_every_device_and_answering_on_one_stops_the_others() {
    let w = world().await;
    let (mut ada, mut bob) = (w.person(1).await, w.person(2).await);
    let mut bobs_laptop = w.device(&bob.id, "laptop");
    let chat = w.direct(&ada, &bob).await;

    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, true).await.unwrap();
    assert_eq!((call.outgoing, call.video, call.state), (true, true, CallState::Ringing));
    assert_eq!(call.peer.display_name, "Caller 2");
    // TURN credentials for the caller, in coturn's scheme.
    let turn = call.ice_servers.iter().find(|s| s.username.is_some()).expect("a TURN server");
    let username = turn.username.clone().unwrap();
    assert!(username.ends_with(&format!(":{}", ada.id)), "{username}");
    assert_eq!(turn.credential.as_deref(), Some(turn_password("s3cret", &username).as_str()));

    for device in [&mut bob.phone, &mut bobs_laptop] {
        let heard = device.calls_heard();
        let [ServerFrame::Call { call: incoming }] = heard.as_slice() else { panic!("{heard:?}") };
        assert_eq!((incoming.id.as_str(), incoming.outgoing, incoming.state), (call.id.as_str(), false, CallState::Ringing));
        assert_eq!(incoming.peer.display_name, "Caller 1");
    }
    // A device that connects during the ring rings too.
    assert!(matches!(w.calls.ringing_for(&bob.id), Some(ServerFrame::Call { .. })));
    assert!(w.calls.ringing_for(&ada.id).is_none());

    // Bob answers a video call with his camera off: Ada is told, so she shows his avatar.
    let answered = w.calls.accept(&bob.id, &bobs_laptop.key, &call.id, false).await.unwrap();
    assert_eq!(answered.state, CallState::Active);
    assert_eq!(bob.phone.calls_heard(), vec![ended(&call, CallEnd::AnsweredElsewhere)]);
    assert!(bobs_laptop.calls_heard().is_empty(), "the answering device gets its view as the answer");
    let heard = ada.phone.calls_heard();
    assert!(matches!(heard.as_slice(), [ServerFrame::Call { call: active }, ServerFrame::CallMedia { call_id, muted: false, camera: false }]
        if active.state == CallState::Active && *call_id == call.id), "{heard:?}");
    // Answering twice is refused.
    assert_eq!(code(w.calls.accept(&bob.id, &bob.phone.key, &call.id, true).await.unwrap_err()), "call_answered");

    // Signals go between the two devices in the call, and nowhere else.
    let offer = CallSignal::Offer { sdp: "v=0 offer".into() };
    w.calls.signal(&ada.id, &ada.phone.key, &call.id, offer.clone()).await.unwrap();
    assert_eq!(bobs_laptop.calls_heard(), vec![ServerFrame::CallSignal { call_id: call.id.clone(), signal: offer }]);
    assert!(bob.phone.calls_heard().is_empty());
    let answer = CallSignal::Answer { sdp: "v=0 answer".into() };
    w.calls.signal(&bob.id, &bobs_laptop.key, &call.id, answer.clone()).await.unwrap();
    assert_eq!(ada.phone.calls_heard(), vec![ServerFrame::CallSignal { call_id: call.id.clone(), signal: answer }]);
    w.calls.media(&ada.id, &ada.phone.key, &call.id, true, false).await.unwrap();
    assert_eq!(bobs_laptop.calls_heard(), vec![ServerFrame::CallMedia { call_id: call.id.clone(), muted: true, camera: false }]);
    // Bob's phone is not in the call: it can neither signal nor hang up.
    let stray = w.calls.signal(&bob.id, &bob.phone.key, &call.id, CallSignal::Offer { sdp: "x".into() }).await;
    assert_eq!(code(stray.unwrap_err()), "no_such_call");
    assert_eq!(code(w.calls.hang_up(&bob.id, &bob.phone.key, &call.id).await.unwrap_err()), "no_such_call");

    w.clock.advance_secs(201);
    w.calls.hang_up(&bob.id, &bobs_laptop.key, &call.id).await.unwrap();
    assert_eq!(ada.phone.calls_heard(), vec![ended(&call, CallEnd::HungUp)]);
    assert_eq!(bobs_laptop.calls_heard(), vec![ended(&call, CallEnd::HungUp)]);
    assert_eq!(w.records(&chat, &bob).await, vec![(CallOutcome::Answered, Some(201), "Caller 1".into())]);
    assert_eq!(w.calls.count(), 0);
    // Both are free to call again.
    w.calls.invite(&bob.id, &bob.phone.key, &chat, false).await.unwrap();
}

#[tokio::test]
async fn declined_cancelled_and_unanswered_calls_end_for_both_and_are_recorded() {
    let w = world().await;
    let (mut ada, mut bob) = (w.person(1).await, w.person(2).await);
    let chat = w.direct(&ada, &bob).await;

    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, false).await.unwrap();
    w.calls.decline(&bob.id, &call.id).await.unwrap();
    assert!(ada.phone.calls_heard().contains(&ended(&call, CallEnd::Declined)));
    assert!(bob.phone.calls_heard().contains(&ended(&call, CallEnd::Declined)));

    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, false).await.unwrap();
    // Only the callee declines; the caller cancels.
    assert_eq!(code(w.calls.decline(&ada.id, &call.id).await.unwrap_err()), "no_such_call");
    w.calls.hang_up(&ada.id, &ada.phone.key, &call.id).await.unwrap();
    assert!(bob.phone.calls_heard().contains(&ended(&call, CallEnd::Cancelled)));

    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, true).await.unwrap();
    w.clock.advance_secs(44);
    w.calls.sweep().await;
    assert_eq!(w.calls.count(), 1, "still ringing at 44 s");
    w.clock.advance_secs(1);
    w.calls.sweep().await;
    assert_eq!(w.calls.count(), 0);
    assert!(ada.phone.calls_heard().contains(&ended(&call, CallEnd::Missed)));
    assert!(bob.phone.calls_heard().contains(&ended(&call, CallEnd::Missed)));

    let records = w.records(&chat, &bob).await;
    let outcomes: Vec<CallOutcome> = records.iter().map(|r| r.0).collect();
    assert_eq!(outcomes, vec![CallOutcome::Declined, CallOutcome::Missed, CallOutcome::Missed]);
    // The last one shows in the chat list.
    let list = w.chats.list_chats(&bob.id).await.unwrap();
    assert_eq!(list[0].last_message.as_ref().map(|m| m.excerpt.as_str()), Some("Missed video call"));
}

#[tokio::test]
async fn someone_in_a_call_is_busy() {
    let w = world().await;
    let (ada, bob, cy) = (w.person(1).await, w.person(2).await, w.person(3).await);
    let ada_bob = w.direct(&ada, &bob).await;
    let cy_bob = w.direct(&cy, &bob).await;
    let call = w.calls.invite(&ada.id, &ada.phone.key, &ada_bob, false).await.unwrap();
    w.calls.accept(&bob.id, &bob.phone.key, &call.id, true).await.unwrap();

    let busy = w.calls.invite(&cy.id, &cy.phone.key, &cy_bob, false).await.unwrap_err();
    assert_eq!((busy.code(), busy.to_string()), ("busy", "Caller 2 is on another call".to_string()));
    assert_eq!(w.records(&cy_bob, &bob).await, vec![(CallOutcome::Missed, None, "Caller 3".into())]);
    // A caller in a call cannot place another.
    let again = w.calls.invite(&ada.id, &ada.phone.key, &ada_bob, false).await.unwrap_err();
    assert_eq!(again.code(), "already_in_call");
    assert_eq!(w.calls.count(), 1);
}

#[tokio::test]
async fn a_device_that_drops_may_rejoin_else_the_call_ends() {
    let w = world().await;
    let (mut ada, mut bob) = (w.person(1).await, w.person(2).await);
    let chat = w.direct(&ada, &bob).await;
    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, false).await.unwrap();
    w.calls.accept(&bob.id, &bob.phone.key, &call.id, true).await.unwrap();
    ada.phone.calls_heard();

    // Ada's socket drops and comes back within the grace time on a new socket.
    w.calls.device_gone(&ada.id, &ada.phone.key);
    w.clock.advance_secs(5);
    w.calls.sweep().await;
    let back = w.device(&ada.id, "phone-again");
    let view = w.calls.rejoin(&ada.id, &back.key, &call.id).await.unwrap();
    assert_eq!(view.state, CallState::Active);
    w.clock.advance_secs(30);
    w.calls.sweep().await;
    assert_eq!(w.calls.count(), 1, "rejoined: the call goes on");
    let offer = CallSignal::Offer { sdp: "v=0 restart".into() };
    w.calls.signal(&bob.id, &bob.phone.key, &call.id, offer.clone()).await.unwrap();
    let mut back = back;
    assert_eq!(back.calls_heard(), vec![ServerFrame::CallSignal { call_id: call.id.clone(), signal: offer }]);
    // The old socket's key no longer speaks for Ada.
    let old = w.calls.media(&ada.id, &ada.phone.key, &call.id, false, false).await;
    assert_eq!(code(old.unwrap_err()), "no_such_call");

    // Bob's device vanishes for good: the call ends within the grace time and is recorded.
    w.calls.device_gone(&bob.id, &bob.phone.key);
    w.clock.advance_secs(10);
    w.calls.sweep().await;
    assert_eq!(w.calls.count(), 0);
    assert!(back.calls_heard().contains(&ended(&call, CallEnd::ConnectionLost)));
    assert!(bob.phone.calls_heard().contains(&ended(&call, CallEnd::ConnectionLost)));
    assert_eq!(w.records(&chat, &ada).await, vec![(CallOutcome::Answered, Some(45), "Caller 1".into())]);
    // Someone else cannot rejoin, even with the call's id.
    let cy = w.person(3).await;
    assert_eq!(code(w.calls.rejoin(&cy.id, &cy.phone.key, &call.id).await.unwrap_err()), "no_such_call");
}

#[tokio::test]
async fn calls_follow_the_rules_of_messages() {
    let w = world().await;
    let (ada, bob, cy, dee) = (w.person(1).await, w.person(2).await, w.person(3).await, w.person(4).await);
    let ada_bob = w.direct(&ada, &bob).await;

    // Blocked, either way.
    w.chats.set_blocked(&bob.id, &ada.id, true).await.unwrap();
    let refused = w.calls.invite(&ada.id, &ada.phone.key, &ada_bob, false).await.unwrap_err();
    assert_eq!(refused.code(), "cannot_call");
    let refused = w.calls.invite(&bob.id, &bob.phone.key, &ada_bob, false).await.unwrap_err();
    assert_eq!(refused.code(), "blocked");

    // Someone who takes messages from contacts only, before accepting the request.
    let settings = MySettings { who_can_message: WhoCanMessage::Contacts, ..w.chats.my_settings(&dee.id).await.unwrap() };
    w.chats.save_settings(&dee.id, settings).await.unwrap();
    let cy_dee = w.direct(&cy, &dee).await;
    let refused = w.calls.invite(&cy.id, &cy.phone.key, &cy_dee, false).await.unwrap_err();
    assert_eq!(refused.code(), "call_not_allowed");
    w.chats.answer_request(&dee.id, &cy_dee, true).await.unwrap();
    w.calls.invite(&cy.id, &cy.phone.key, &cy_dee, false).await.unwrap();

    // A chat one is not in, a group, nonsense ids.
    assert_eq!(w.calls.invite(&ada.id, &ada.phone.key, &cy_dee, false).await.unwrap_err(), AppError::NotFound);
    let group = w.chats.create_group(&ada.id, "Team", "", false).await.unwrap();
    assert_eq!(w.calls.invite(&ada.id, &ada.phone.key, &group, false).await.unwrap_err().code(), "group_call");
    for id in ["", "x", &"9".repeat(10_000), "\0"] {
        assert_eq!(w.calls.invite(&ada.id, &ada.phone.key, &ChatId::from(id), false).await.unwrap_err(), AppError::NotFound);
        assert_eq!(code(w.calls.accept(&ada.id, &ada.phone.key, id, true).await.unwrap_err()), "no_such_call");
        assert_eq!(code(w.calls.hang_up(&ada.id, &ada.phone.key, id).await.unwrap_err()), "no_such_call");
    }
    assert_eq!(w.calls.count(), 1);
}

#[tokio::test]
async fn a_hostile_client_cannot_join_flood_or_oversize_a_call() {
    let w = world().await;
    let (mut ada, mut bob, eve) = (w.person(1).await, w.person(2).await, w.person(3).await);
    let chat = w.direct(&ada, &bob).await;
    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, false).await.unwrap();

    // Someone else's call, by its id: Eve can neither answer, decline, hang up nor signal.
    assert_eq!(code(w.calls.accept(&eve.id, &eve.phone.key, &call.id, true).await.unwrap_err()), "no_such_call");
    assert_eq!(code(w.calls.decline(&eve.id, &call.id).await.unwrap_err()), "no_such_call");
    assert_eq!(code(w.calls.hang_up(&eve.id, &eve.phone.key, &call.id).await.unwrap_err()), "no_such_call");
    let offer = CallSignal::Offer { sdp: "v=0".into() };
    assert_eq!(code(w.calls.signal(&eve.id, &eve.phone.key, &call.id, offer.clone()).await.unwrap_err()), "no_such_call");
    // The caller answering their own call, or signalling before an answer.
    assert_eq!(code(w.calls.accept(&ada.id, &ada.phone.key, &call.id, true).await.unwrap_err()), "no_such_call");
    assert_eq!(code(w.calls.signal(&ada.id, &ada.phone.key, &call.id, offer.clone()).await.unwrap_err()), "no_such_call");

    w.calls.accept(&bob.id, &bob.phone.key, &call.id, true).await.unwrap();
    bob.phone.calls_heard();
    let huge = CallSignal::Offer { sdp: "a".repeat(crate::calls::types::MAX_SDP_BYTES + 1) };
    assert_eq!(code(w.calls.signal(&ada.id, &ada.phone.key, &call.id, huge).await.unwrap_err()), "signal_too_large");
    assert!(bob.phone.calls_heard().is_empty());

    // A flood of signals is cut at the limit (the refused one before the answer counted too),
    // and nothing past it is relayed.
    let limit = w.calls.config().signals_per_minute;
    let (mut relayed, mut sent) = (0, 0);
    let refused = loop {
        match w.calls.signal(&ada.id, &ada.phone.key, &call.id, offer.clone()).await {
            Ok(()) => sent += 1,
            Err(e) => break e,
        }
        relayed += bob.phone.calls_heard().len();
        assert!(sent <= limit, "never refused");
    };
    assert!(matches!(refused, AppError::RateLimited { .. }), "{refused:?}");
    assert_eq!(sent, limit - 1);
    assert_eq!(relayed + bob.phone.calls_heard().len(), sent);
    ada.phone.calls_heard();

    // Placing calls over and over is limited too.
    w.calls.hang_up(&ada.id, &ada.phone.key, &call.id).await.unwrap();
    let mut refused = None;
    for _ in 0..=w.calls.config().invites_per_minute {
        match w.calls.invite(&ada.id, &ada.phone.key, &chat, false).await {
            Ok(call) => w.calls.hang_up(&ada.id, &ada.phone.key, &call.id).await.unwrap(),
            Err(e) => refused = Some(e),
        }
    }
    assert!(matches!(refused, Some(AppError::RateLimited { .. })), "{refused:?}");
}

#[tokio::test]
async fn someone_who_turned_calls_off_in_a_chat_is_not_rung_and_finds_a_missed_call() {
    let w = world().await;
    let (mut ada, mut bob, cy) = (w.person(1).await, w.person(2).await, w.person(3).await);
    let ada_bob = w.direct(&ada, &bob).await;
    let cy_bob = w.direct(&cy, &bob).await;

    // Muting the chat leaves its calls ringing.
    w.chats.set_muted(&bob.id, &ada_bob, true).await.unwrap();
    let call = w.calls.invite(&ada.id, &ada.phone.key, &ada_bob, false).await.unwrap();
    assert!(matches!(bob.phone.calls_heard().as_slice(), [ServerFrame::Call { .. }]));
    w.calls.hang_up(&ada.id, &ada.phone.key, &call.id).await.unwrap();
    bob.phone.calls_heard();

    // Bob turns calls off in his chat with Ada: it is his setting alone.
    w.chats.set_calls_off(&bob.id, &ada_bob, true).await.unwrap();
    assert!(w.chats.open_chat(&bob.id, &ada_bob, None).await.unwrap().calls_off);
    assert!(!w.chats.open_chat(&ada.id, &ada_bob, None).await.unwrap().calls_off);
    assert!(!w.chats.open_chat(&bob.id, &cy_bob, None).await.unwrap().calls_off);

    // Ada's call does not ring: she is told, and Bob finds a missed call.
    let refused = w.calls.invite(&ada.id, &ada.phone.key, &ada_bob, true).await.unwrap_err();
    assert_eq!((refused.code(), refused.to_string()), ("calls_off", "Caller 2 isn’t taking calls in this chat".to_string()));
    assert!(bob.phone.calls_heard().is_empty(), "nothing rang");
    assert!(w.calls.ringing_for(&bob.id).is_none());
    assert_eq!(w.calls.count(), 0);
    let records = w.records(&ada_bob, &bob).await;
    assert_eq!(records.last(), Some(&(CallOutcome::Missed, None, "Caller 1".to_string())));
    assert_eq!(records.len(), 2);

    // Only that chat, and only calls to Bob: Cy's call rings, and Bob may still call Ada.
    let from_cy = w.calls.invite(&cy.id, &cy.phone.key, &cy_bob, false).await.unwrap();
    assert!(matches!(bob.phone.calls_heard().as_slice(), [ServerFrame::Call { .. }]));
    w.calls.hang_up(&cy.id, &cy.phone.key, &from_cy.id).await.unwrap();
    ada.phone.calls_heard();
    let to_ada = w.calls.invite(&bob.id, &bob.phone.key, &ada_bob, false).await.unwrap();
    assert!(matches!(ada.phone.calls_heard().as_slice(), [ServerFrame::Call { .. }]));
    w.calls.hang_up(&bob.id, &bob.phone.key, &to_ada.id).await.unwrap();

    // While Bob is on a call with Cy, Ada still hears "calls off", which says nothing of it.
    let from_cy = w.calls.invite(&cy.id, &cy.phone.key, &cy_bob, false).await.unwrap();
    w.calls.accept(&bob.id, &bob.phone.key, &from_cy.id, false).await.unwrap();
    assert_eq!(w.calls.invite(&ada.id, &ada.phone.key, &ada_bob, false).await.unwrap_err().code(), "calls_off");
    w.calls.hang_up(&bob.id, &bob.phone.key, &from_cy.id).await.unwrap();

    // Calls back on: Ada's call rings again.
    w.chats.set_calls_off(&bob.id, &ada_bob, false).await.unwrap();
    bob.phone.calls_heard();
    let call = w.calls.invite(&ada.id, &ada.phone.key, &ada_bob, false).await.unwrap();
    assert!(matches!(bob.phone.calls_heard().as_slice(), [ServerFrame::Call { .. }]));
    w.calls.hang_up(&ada.id, &ada.phone.key, &call.id).await.unwrap();

    // A group has no calls to turn off; someone else's chat is not found.
    let group = w.chats.create_group(&bob.id, "Team", "", false).await.unwrap();
    assert_eq!(w.chats.set_calls_off(&bob.id, &group, true).await.unwrap_err().code(), "group_call");
    assert_eq!(w.chats.set_calls_off(&cy.id, &ada_bob, true).await.unwrap_err(), AppError::NotFound);
    assert!(!w.chats.open_chat(&ada.id, &ada_bob, None).await.unwrap().calls_off);
}

#[tokio::test]
async fn a_missed_call_counts_as_unread_for_the_callee_only() {
    let w = world().await;
    let (ada, mut bob) = (w.person(1).await, w.person(2).await);
    let chat = w.direct(&ada, &bob).await;
    let unread = |who: UserId| {
        let chats = w.chats.clone();
        let chat = chat.clone();
        async move { chats.list_chats(&who).await.unwrap().iter().find(|c| c.id == chat.as_str()).map_or(0, |c| c.unread) }
    };

    // Unanswered: missed, for Bob; the caller has nothing unread.
    w.calls.invite(&ada.id, &ada.phone.key, &chat, false).await.unwrap();
    w.clock.advance_secs(45);
    w.calls.sweep().await;
    assert_eq!((unread(bob.id.clone()).await, unread(ada.id.clone()).await), (1, 0));
    // Bob's chat list hears it as a message that counts as unread for him, not for Ada.
    let heard = bob.phone.heard();
    let missed = heard.iter().find_map(|f| match f {
        ServerFrame::Message { message } if message.chat_id == chat.as_str() => message.system.clone(),
        _ => None,
    });
    let missed = missed.unwrap_or_else(|| panic!("no call record heard: {heard:?}"));
    let shown = |p: &Person| crate::accounts::validate::display_user_id(p.id.as_str());
    assert!(missed.unread_for(&shown(&bob)) && !missed.unread_for(&shown(&ada)), "{missed:?}");

    // Cancelled by the caller: missed too. Declined and answered calls are not unread.
    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, false).await.unwrap();
    w.calls.hang_up(&ada.id, &ada.phone.key, &call.id).await.unwrap();
    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, false).await.unwrap();
    w.calls.decline(&bob.id, &call.id).await.unwrap();
    let call = w.calls.invite(&ada.id, &ada.phone.key, &chat, true).await.unwrap();
    w.calls.accept(&bob.id, &bob.phone.key, &call.id, true).await.unwrap();
    w.calls.hang_up(&bob.id, &bob.phone.key, &call.id).await.unwrap();
    assert_eq!((unread(bob.id.clone()).await, unread(ada.id.clone()).await), (2, 0));

    // Reading the chat reads them; Bob's own missed call is Ada's to read.
    let last = w.chats.open_chat(&bob.id, &chat, None).await.unwrap().messages.last().unwrap().seq;
    w.chats.mark_read(&bob.id, &chat, last).await.unwrap();
    let call = w.calls.invite(&bob.id, &bob.phone.key, &chat, false).await.unwrap();
    w.calls.hang_up(&bob.id, &bob.phone.key, &call.id).await.unwrap();
    assert_eq!((unread(bob.id.clone()).await, unread(ada.id.clone()).await), (0, 1));
}

#[tokio::test]
async fn a_name_that_spells_a_missed_call_does_not_make_one_unread() {
    let w = world().await;
    let bob = w.person(2).await;
    // A caller whose name holds the words the unread count looks for.
    let id = crate::accounts::validate::user_id_from_bits(0x30_0099);
    let name = r#"x","outcome":"missed","by":{"user_id":""#;
    let row = UserRow { id: id.clone(), username: "trick".into(), display_name: name.into(), phone: None, email: None, password_hash: None, created_at: 0 };
    w.store.user_insert(&row).await.unwrap();
    let trick = Person { phone: w.device(&UserId::from(id.clone()), "phone"), id: UserId::from(id) };
    let chat = w.direct(&trick, &bob).await;

    let call = w.calls.invite(&trick.id, &trick.phone.key, &chat, false).await.unwrap();
    w.calls.decline(&bob.id, &call.id).await.unwrap();
    let list = w.chats.list_chats(&bob.id).await.unwrap();
    assert_eq!(list[0].last_message.as_ref().map(|m| m.excerpt.as_str()), Some("Declined voice call"));
    assert_eq!(list[0].unread, 0);
}
