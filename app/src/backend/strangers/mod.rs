//! Talk to a stranger: a queue (the `matchmaker`), then a conversation between two people who
//! see each other only as "Stranger". The conversations live in this process's memory and are
//! forgotten when they end — once both have moved on, or at most `KEEP_ENDED_MS` later — except
//! when one is reported: then its transcript is stored for moderators. What is stored is only
//! who confirmed they are adults, who must never be matched again, and reports.
//!
//! Nothing sent to a client names the partner: messages say `mine` or not, and the chat id is
//! random. Only when both offer to stay in touch do they become contacts, with a direct chat
//! that carries the conversation on.
//!
//! Every page shows it is open by a heartbeat (`here`); someone silent for `away_after_ms` has
//! left. The state is behind one lock: each change is a few map operations, and the
//! matchmaker's decisions and the people's states then always agree.
mod matchmaker;
mod rooms;
#[cfg(test)]
mod tests;

pub use matchmaker::{LocalMatchmaker, Match, Matchmaker, Seeker};

use rooms::{Ending, Room, Said};

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use rand::Rng;
use tokio::sync::Mutex;

use crate::backend::{
    accounts::rate_limit::RateLimiter,
    chats::ChatsService,
    clock::{Clock, SystemClock},
    hub::{Hub, HubEvent, Payload},
    store::{Store, StoreError, strangers::StrangerReportRow},
};
use crate::chats::validate as chat_validate;
use crate::error::AppError;
use crate::ids::{ClientId, UserId};
use crate::realtime::protocol::ServerFrame;
use crate::strangers::{
    types::{Looking, ReportReason, StrangerMessage, StrangerView},
    validate,
};

/// What one conversation may hold (it lives in memory): past this, staying in touch is the way
/// to go on.
pub const MAX_MESSAGES: usize = 1000;
pub const MAX_CONVERSATION_BYTES: usize = 256 * 1024;
/// How long an ended conversation stays readable (and reportable) for the one left behind.
pub const KEEP_ENDED_MS: i64 = 10 * 60 * 1000;
/// Least time between two typing notices from one person.
const TYPING_EVERY_MS: i64 = 2000;
/// Offers to stay in touch (made or withdrawn) one person may change per minute: each one is
/// a frame to the stranger.
const OFFERS_PER_MINUTE: usize = 10;

#[derive(Debug, Clone)]
pub struct StrangerConfig {
    /// How long someone who gave interests waits for a partner sharing one before anyone will
    /// do (`CONFAB_STRANGER_INTEREST_WAIT_MS`).
    pub interest_window_ms: i64,
    /// A page silent this long has left (`CONFAB_STRANGER_AWAY_MS`).
    pub away_after_ms: i64,
    /// Reports from this many different people within `ban_secs` keep someone out of stranger
    /// chat for `ban_secs` after the latest (`CONFAB_STRANGER_BAN_REPORTS`).
    pub ban_reports: usize,
    pub ban_secs: i64,
    /// Searches one person may start per minute.
    pub looks_per_minute: usize,
    /// Messages one person may send per `MESSAGE_WINDOW_SECS` (normal chats allow 20 frames a second).
    pub messages_per_window: usize,
}

/// The window of `messages_per_window`.
pub const MESSAGE_WINDOW_SECS: i64 = 5;

impl Default for StrangerConfig {
    fn default() -> Self {
        Self { interest_window_ms: 5000, away_after_ms: 30_000, ban_reports: 3, ban_secs: 86_400, looks_per_minute: 12, messages_per_window: 5 }
    }
}

pub struct StrangerService {
    store: Arc<dyn Store>,
    hub: Hub,
    chats: Arc<ChatsService>,
    matchmaker: Box<dyn Matchmaker>,
    state: Mutex<State>,
    limits: RateLimiter,
    config: StrangerConfig,
    clock: Arc<dyn Clock>,
}

type R<T> = Result<T, AppError>;

#[derive(Default)]
struct State {
    people: HashMap<String, Person>,
    rooms: HashMap<String, Room>,
}

#[derive(Default)]
struct Person {
    seen_ms: i64,
    looking: Option<Looking>,
    /// The live conversation, or the one that just ended (until they look again or stop).
    room: Option<String>,
    typing_ms: i64,
}

/// Frames to send once the lock is released: (user, frame).
type Outbox = Vec<(String, ServerFrame)>;

impl StrangerService {
    pub fn new(store: Arc<dyn Store>, hub: Hub, chats: Arc<ChatsService>, config: StrangerConfig) -> Self {
        let matchmaker = Box::new(LocalMatchmaker::new(config.interest_window_ms));
        Self { store, hub, chats, matchmaker, state: Mutex::default(), limits: RateLimiter::default(), config, clock: Arc::new(SystemClock) }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Runs `sweep` every second until the process ends.
    pub fn spawn_sweeper(self: &Arc<Self>) {
        crate::backend::sweeper::every_second(self, |service| async move { service.sweep().await });
    }

    pub async fn state(&self, me: &UserId) -> R<StrangerView> {
        let (adult, banned_until) = self.standing(me.as_str()).await?;
        let mut state = self.state.lock().await;
        let now = self.clock.now_ms();
        if let Some(person) = state.people.get_mut(me.as_str()) {
            person.seen_ms = now;
        }
        Ok(view_of(&state, me.as_str(), adult, banned_until))
    }

    pub async fn confirm_adult(&self, me: &UserId) -> R<StrangerView> {
        self.store.stranger_confirm_adult(me.as_str(), self.clock.now()).await.map_err(internal)?;
        self.state(me).await
    }

    /// Starts looking for someone, leaving the current conversation first ("Next").
    pub async fn look(&self, me: &UserId, interests: &[String]) -> R<StrangerView> {
        let me = me.as_str();
        let interests = validate::interests(interests)?;
        let (adult, banned_until) = self.standing(me).await?;
        if !adult {
            return Err(AppError::invalid_with_code("adult_required", "adult", "Confirm that you are 18 or older first"));
        }
        if let Some(until) = banned_until {
            return Err(banned(until, self.clock.now()));
        }
        self.limits
            .hit(&format!("look:{me}"), self.config.looks_per_minute, 60, self.clock.now())
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        let avoid: HashSet<String> = self.store.stranger_avoided(me).await.map_err(internal)?.into_iter().collect();

        let mut outbox = Outbox::new();
        let mut state = self.state.lock().await;
        let now = self.clock.now_ms();
        self.leave_room(&mut state, me, Ending::Left, now, &mut outbox);
        // The answer tells the caller where they are now; the old chat's end is for the partner.
        outbox.retain(|(user, _)| user != me);
        self.matchmaker.cancel(me).await;
        release(&mut state, me);
        let person = state.people.entry(me.to_owned()).or_default();
        person.seen_ms = now;
        person.looking = Some(Looking { since: now / 1000, interests: interests.clone() });
        let seeker = Seeker { user: me.to_owned(), interests, avoid, since: now };
        if let Some(found) = self.matchmaker.join(seeker, now).await {
            self.start_room(&mut state, found, now, &mut outbox);
        }
        let view = view_of(&state, me, true, None);
        drop(state);
        self.send_all(outbox);
        Ok(view)
    }

    /// Stops looking, or leaves the live conversation ("Stop"); with an ended one, puts it away.
    pub async fn leave(&self, me: &UserId) -> R<StrangerView> {
        let (adult, banned_until) = self.standing(me.as_str()).await?;
        let me = me.as_str();
        let mut outbox = Outbox::new();
        let mut state = self.state.lock().await;
        let now = self.clock.now_ms();
        let was_live = self.leave_room(&mut state, me, Ending::Left, now, &mut outbox);
        if self.matchmaker.cancel(me).await || !was_live {
            release(&mut state, me);
        }
        if let Some(person) = state.people.get_mut(me) {
            person.looking = None;
            person.seen_ms = now;
        }
        let view = view_of(&state, me, adult, banned_until);
        drop(state);
        self.send_all(outbox);
        Ok(view)
    }

    /// Adds a message to the caller's live conversation `chat_id`. The same `client_id` again
    /// returns the message already added (also after the conversation ended) and `false`.
    pub async fn send(&self, me: &UserId, chat_id: &str, client_id: &str, body: &str) -> R<(StrangerMessage, bool)> {
        let me = me.as_str();
        let client_id = chat_validate::client_id(client_id)?;
        let body = chat_validate::message_body(body)?;
        let mut state = self.state.lock().await;
        let now = self.clock.now_ms();
        let (room, side) = room_of(&mut state, me, chat_id, now)?;
        if let Some(i) = room.said.iter().position(|s| s.side == side && s.client_id == client_id) {
            return Ok((room.message(i + 1, side), false));
        }
        if !room.live() {
            return Err(AppError::invalid_with_code("stranger_left", "chat_id", "This conversation has ended"));
        }
        if room.said.len() >= MAX_MESSAGES || room.bytes + body.len() > MAX_CONVERSATION_BYTES {
            return Err(AppError::invalid_with_code(
                "conversation_full",
                "body",
                "This chat with a stranger is as long as one can be — stay in touch to keep talking",
            ));
        }
        self.limits
            .hit(&format!("say:{me}"), self.config.messages_per_window, MESSAGE_WINDOW_SECS, now / 1000)
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        room.bytes += body.len();
        room.said.push(Said { side, body, created_at: now / 1000, client_id });
        let seq = room.said.len();
        let outbox: Outbox = (0..2)
            .map(|s| (room.people[s].clone(), ServerFrame::StrangerMessage { chat_id: chat_id.to_owned(), message: room.message(seq, s) }))
            .collect();
        let mine = room.message(seq, side);
        // The partner's "typing" ends with the message, so the next keystroke may say so again.
        if let Some(person) = state.people.get_mut(me) {
            person.typing_ms = 0;
        }
        drop(state);
        self.send_all(outbox);
        Ok((mine, true))
    }

    /// Tells the stranger the caller is typing (at most every 2 s).
    pub async fn typing(&self, me: &UserId, chat_id: &str) -> R<()> {
        let me = me.as_str();
        let mut state = self.state.lock().await;
        let now = self.clock.now_ms();
        let (room, side) = room_of(&mut state, me, chat_id, now)?;
        if !room.live() {
            return Ok(());
        }
        let partner = room.people[1 - side].clone();
        let person = state.people.get_mut(me).expect("room_of found the person");
        if now - person.typing_ms < TYPING_EVERY_MS {
            return Ok(());
        }
        person.typing_ms = now;
        drop(state);
        self.send_all(vec![(partner, ServerFrame::StrangerTyping { chat_id: chat_id.to_owned() })]);
        Ok(())
    }

    /// The caller's page is still open.
    pub async fn here(&self, me: &UserId) -> R<()> {
        let mut state = self.state.lock().await;
        if let Some(person) = state.people.get_mut(me.as_str()) {
            person.seen_ms = self.clock.now_ms();
        }
        Ok(())
    }

    /// Reports the stranger of `chat_id` (live, or ended and still kept): stores the report with
    /// the transcript, leaves the conversation, and the two are never matched again.
    pub async fn report(&self, me: &UserId, chat_id: &str, reason: ReportReason, note: &str) -> R<StrangerView> {
        let note = validate::report_note(note)?;
        let me = me.as_str();
        let now = self.clock.now();
        let (other, transcript, already) = {
            let mut state = self.state.lock().await;
            let (room, side) = room_of(&mut state, me, chat_id, now * 1000)?;
            (room.people[1 - side].clone(), room.transcript(side), room.reported[side])
        };
        if !already {
            let row = StrangerReportRow {
                id: new_id(),
                reporter_id: me.to_owned(),
                reported_id: other.clone(),
                reason: reason.as_str().to_owned(),
                note,
                transcript,
                created_at: now,
            };
            self.store.stranger_report_insert(&row).await.map_err(internal)?;
            self.store.stranger_avoid(me, &other, now).await.map_err(internal)?;
            tracing::info!(report = %row.id, reason = row.reason, "stranger reported");
        }
        self.mark(me, chat_id, |room, side| room.reported[side] = true).await
    }

    /// Blocks the stranger of `chat_id`: leaves the conversation, and the two are never matched
    /// again.
    pub async fn block(&self, me: &UserId, chat_id: &str) -> R<StrangerView> {
        let me = me.as_str();
        let other = {
            let mut state = self.state.lock().await;
            let now = self.clock.now_ms();
            let (room, side) = room_of(&mut state, me, chat_id, now)?;
            room.people[1 - side].clone()
        };
        self.store.stranger_avoid(me, &other, self.clock.now()).await.map_err(internal)?;
        self.mark(me, chat_id, |room, side| room.blocked[side] = true).await
    }

    /// Offers (or withdraws the offer) to stay in touch. When both have offered, they become
    /// contacts and the conversation goes on in a direct chat between them.
    pub async fn stay_in_touch(&self, me: &UserId, chat_id: &str, offer: bool) -> R<StrangerView> {
        let me = me.as_str();
        let mut state = self.state.lock().await;
        let now = self.clock.now_ms();
        let (room, side) = room_of(&mut state, me, chat_id, now)?;
        if !room.live() {
            return Err(AppError::invalid_with_code("stranger_left", "chat_id", "This conversation has ended"));
        }
        if room.offered[side] != offer {
            self.limits
                .hit(&format!("offer:{me}"), OFFERS_PER_MINUTE, 60, now / 1000)
                .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        }
        room.offered[side] = offer;
        let both = room.offered == [true, true];
        if both {
            // No more messages here: what is said next is said in the direct chat.
            room.ended = Some((Ending::StayedInTouch, now));
        }
        let people = room.people.clone();
        let said: Vec<(String, String, usize)> =
            if both { room.said.iter().enumerate().map(|(i, s)| (people[s.side].clone(), s.body.clone(), i + 1)).collect() } else { Vec::new() };
        let outbox = views_for(&state, chat_id);
        drop(state);
        if !both {
            self.send_all(outbox);
            return self.state(&UserId::from(me)).await;
        }
        match self.carry_on(chat_id, &people, said).await {
            Ok(direct) => {
                let mut state = self.state.lock().await;
                if let Some(room) = state.rooms.get_mut(chat_id) {
                    room.direct_chat = Some(direct);
                }
                let outbox = views_for(&state, chat_id);
                drop(state);
                self.send_all(outbox);
            }
            Err(e) => {
                // Back to where they were: both may try again.
                let mut state = self.state.lock().await;
                if let Some(room) = state.rooms.get_mut(chat_id) {
                    room.ended = None;
                    room.offered = [false, false];
                }
                let outbox = views_for(&state, chat_id);
                drop(state);
                self.send_all(outbox);
                return Err(e);
            }
        }
        self.state(&UserId::from(me)).await
    }

    /// Ends conversations whose people went silent, drops searches of people who went away,
    /// forgets conversations ended long enough ago, and makes the matches that time allows.
    pub async fn sweep(&self) {
        let mut outbox = Outbox::new();
        let mut state = self.state.lock().await;
        let now = self.clock.now_ms();
        let away: Vec<String> =
            state.people.iter().filter(|(_, p)| now - p.seen_ms > self.config.away_after_ms).map(|(u, _)| u.clone()).collect();
        for user in &away {
            self.leave_room(&mut state, user, Ending::Away, now, &mut outbox);
            self.matchmaker.cancel(user).await;
            if let Some(person) = state.people.get_mut(user) {
                person.looking = None;
            }
        }
        let stale: Vec<String> = state
            .rooms
            .iter()
            .filter(|(_, r)| r.ended.is_some_and(|(_, at)| now - at > KEEP_ENDED_MS))
            .map(|(id, _)| id.clone())
            .collect();
        for id in stale {
            if let Some(room) = state.rooms.remove(&id) {
                for user in &room.people {
                    if let Some(person) = state.people.get_mut(user) {
                        if person.room.as_deref() == Some(id.as_str()) {
                            person.room = None;
                        }
                    }
                }
            }
        }
        state.people.retain(|_, p| p.looking.is_some() || p.room.is_some() || now - p.seen_ms <= self.config.away_after_ms);
        for found in self.matchmaker.tick(now).await {
            self.start_room(&mut state, found, now, &mut outbox);
        }
        drop(state);
        self.send_all(outbox);
    }

    /// People waiting and conversations held, for metrics and benchmarks.
    pub async fn counts(&self) -> (usize, usize) {
        let state = self.state.lock().await;
        (self.matchmaker.waiting().await, state.rooms.len())
    }

    /// The moderators' queue: stored reports, newest first.
    pub async fn reports(&self, limit: u32) -> R<Vec<StrangerReportRow>> {
        self.store.stranger_reports(limit).await.map_err(internal)
    }

    /// Whether the person confirmed they are adults, and until when reports keep them out.
    async fn standing(&self, me: &str) -> R<(bool, Option<i64>)> {
        let adult = self.store.stranger_adult_at(me).await.map_err(internal)?.is_some();
        let now = self.clock.now();
        let reporters = self.store.stranger_reporters_since(me, now - self.config.ban_secs).await.map_err(internal)?;
        let banned_until = (reporters.len() >= self.config.ban_reports.max(1))
            .then(|| reporters.iter().map(|(_, at)| at).max().copied().unwrap_or(now) + self.config.ban_secs);
        Ok((adult, banned_until))
    }

    /// Ends `me`'s live conversation, if any, as `how(side)`; true when there was one.
    fn leave_room(&self, state: &mut State, me: &str, how: fn(usize) -> Ending, now: i64, outbox: &mut Outbox) -> bool {
        let Some(id) = state.people.get(me).and_then(|p| p.room.clone()) else { return false };
        let Some(room) = state.rooms.get_mut(&id) else { return false };
        if !room.live() {
            return false;
        }
        let side = room.side_of(me).expect("a person's room has them in it");
        room.ended = Some((how(side), now));
        outbox.extend(views_for(state, &id));
        true
    }

    fn start_room(&self, state: &mut State, found: Match, now: i64, outbox: &mut Outbox) {
        let id = new_id();
        let people = [found.first.user, found.second.user];
        for user in &people {
            release(state, user);
            let person = state.people.entry(user.clone()).or_default();
            person.looking = None;
            person.room = Some(id.clone());
        }
        let room = Room::new(people, found.shared_interests, now / 1000);
        state.rooms.insert(id.clone(), room);
        outbox.extend(views_for(state, &id));
    }

    /// After a report or block: records it on the conversation and leaves it if it is live.
    async fn mark(&self, me: &str, chat_id: &str, set: impl FnOnce(&mut Room, usize)) -> R<StrangerView> {
        let mut outbox = Outbox::new();
        let mut state = self.state.lock().await;
        let now = self.clock.now_ms();
        let (room, side) = room_of(&mut state, me, chat_id, now)?;
        set(room, side);
        if !self.leave_room(&mut state, me, Ending::Left, now, &mut outbox) {
            outbox.extend(views_for(&state, chat_id).into_iter().filter(|(user, _)| user == me));
        }
        drop(state);
        self.send_all(outbox);
        self.state(&UserId::from(me)).await
    }

    /// Makes the two contacts, opens their direct chat and copies the conversation into it
    /// (each message from its sender, with a client id that makes a retry add nothing twice).
    async fn carry_on(&self, chat_id: &str, people: &[String; 2], said: Vec<(String, String, usize)>) -> R<String> {
        let (a, b) = (UserId::from(people[0].as_str()), UserId::from(people[1].as_str()));
        self.chats.invite_contact(&a, &b).await?;
        self.chats.invite_contact(&b, &a).await?;
        let (direct, _) = self.chats.start_direct(&a, &b).await?;
        for (sender, body, seq) in said {
            let client_id = ClientId::from(format!("s-{chat_id}-{seq}").as_str());
            self.chats.send_message(&UserId::from(sender.as_str()), &direct, &client_id, &body, None).await?;
        }
        Ok(direct.to_string())
    }

    fn send_all(&self, outbox: Outbox) {
        for (user, frame) in outbox {
            match Payload::of(&frame) {
                Ok(payload) => self.hub.publish(&[user.as_str()], HubEvent::Frame(payload)),
                Err(e) => tracing::error!(error = %e, "a stranger frame did not serialise"),
            }
        }
    }
}

/// The person's view: their standing, search and conversation (with its messages when asked).
fn view_of(state: &State, me: &str, adult_confirmed: bool, banned_until: Option<i64>) -> StrangerView {
    view_with(state, me, adult_confirmed, banned_until, true)
}

fn view_with(state: &State, me: &str, adult_confirmed: bool, banned_until: Option<i64>, with_messages: bool) -> StrangerView {
    let person = state.people.get(me);
    let chat = person.and_then(|p| p.room.as_ref()).and_then(|id| {
        let room = state.rooms.get(id)?;
        Some(room.view(id, room.side_of(me)?, with_messages))
    });
    StrangerView { adult_confirmed, banned_until, looking: person.and_then(|p| p.looking.clone()), chat }
}

/// The `Stranger` frame for each person still holding the conversation. It leaves the messages
/// out: they went out one by one as they came (a client missing some reads the state after it
/// reconnects).
fn views_for(state: &State, id: &str) -> Outbox {
    let Some(room) = state.rooms.get(id) else { return Vec::new() };
    room.people
        .iter()
        .filter(|user| state.people.get(*user).is_some_and(|p| p.room.as_deref() == Some(id)))
        .map(|user| (user.clone(), ServerFrame::Stranger { view: view_with(state, user, true, None, false) }))
        .collect()
}

/// The conversation `chat_id` if it is the caller's (live, or ended and not yet put away), and
/// their side in it; marks them seen.
fn room_of<'a>(state: &'a mut State, me: &str, chat_id: &str, now: i64) -> R<(&'a mut Room, usize)> {
    let person = state.people.get_mut(me).ok_or(AppError::NotFound)?;
    person.seen_ms = now;
    if person.room.as_deref() != Some(chat_id) {
        return Err(AppError::NotFound);
    }
    let room = state.rooms.get_mut(chat_id).ok_or(AppError::NotFound)?;
    let side = room.side_of(me).ok_or(AppError::NotFound)?;
    Ok((room, side))
}

/// `me` puts their ended conversation away; it is forgotten once neither holds it.
fn release(state: &mut State, me: &str) {
    let Some(id) = state.people.get_mut(me).and_then(|p| p.room.take()) else { return };
    let held = state.rooms.get(&id).is_some_and(|room| {
        room.people.iter().any(|user| state.people.get(user).is_some_and(|p| p.room.as_deref() == Some(id.as_str())))
    });
    if !held {
        state.rooms.remove(&id);
    }
}

fn banned(until: i64, now: i64) -> AppError {
    let hours = ((until - now).max(0) + 3599) / 3600;
    AppError::invalid_with_code(
        "stranger_ban",
        "strangers",
        format!("Several people reported you, so you can’t talk to strangers for about {hours} h"),
    )
}

fn new_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill(&mut bytes);
    hex::encode(bytes)
}

fn internal(e: StoreError) -> AppError {
    tracing::error!(error = %e, "stranger chat store error");
    AppError::Internal
}
