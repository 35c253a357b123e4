//! Passkey ceremonies end to end against a software authenticator, on the store the tests run
//! on: what a person does, and what a hostile or broken client may try (replays, another site's
//! answer, a cloned key, late or reused challenges, someone else's ceremony or passkey).
use std::sync::Arc;

use super::{CEREMONY_TTL_SECS, RelyingParty, soft_key::SoftKey};
use crate::{
    backend::{
        accounts::{
            AccountsConfig, AccountsService, Client,
            delivery::{ConsoleSender, Senders},
            tokens::CONFIRMATION_TTL_SECS,
        },
        clock::ManualClock,
        hub::Hub,
        store::{Store, accounts::UserRow, scratch::ScratchDatabase},
    },
    error::AppError,
    ids::UserId,
};

const ORIGIN: &str = "http://localhost:3100";
const ADA: &str = "7KQ4M2XD";
const BOB: &str = "8ABCDEFG";
const PIXEL: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";

struct World {
    accounts: AccountsService,
    clock: Arc<ManualClock>,
    _database: ScratchDatabase,
}

fn service(store: Arc<dyn Store>, clock: Arc<ManualClock>) -> AccountsService {
    let senders = Senders { sms: Arc::new(ConsoleSender), email: Arc::new(ConsoleSender) };
    let config =
        AccountsConfig { secret: vec![7; 32], default_region: "GB".into(), code_sends_per_ip_hour: 5, code_checks_per_ip_10_min: 60 };
    AccountsService::new(store, Hub::local(), senders, config).with_clock(clock)
}

async fn world() -> World {
    let database = ScratchDatabase::new().await;
    let store = database.open().await.unwrap();
    for (id, username) in [(ADA, "ada"), (BOB, "bob")] {
        let user = UserRow {
            id: id.into(),
            username: username.into(),
            display_name: username.into(),
            phone: None,
            email: None,
            password_hash: None,
            created_at: 0,
        };
        store.user_insert(&user).await.unwrap();
    }
    let clock = Arc::new(ManualClock::default());
    let accounts = service(store, clock.clone()).with_passkeys(RelyingParty::for_site(ORIGIN).unwrap());
    World { accounts, clock, _database: database }
}

fn phone() -> Client {
    Client { ip: Some("203.0.113.9".into()), user_agent: Some(PIXEL.into()) }
}

fn code(result: Result<impl std::fmt::Debug, AppError>) -> String {
    result.expect_err("refused").code().to_owned()
}

impl World {
    async fn register(&self, user: &str, key: &mut SoftKey) -> Result<super::PasskeyView, AppError> {
        let ceremony = self.accounts.passkey_register_start(&user.into()).await?;
        let answer = key.register(&ceremony.options, ORIGIN);
        self.accounts.passkey_register_finish(&user.into(), &ceremony.ceremony_id, &answer, None, &phone()).await
    }

    async fn sign_in(&self, key: &mut SoftKey, origin: &str) -> Result<String, AppError> {
        let ceremony = self.accounts.passkey_sign_in_start(&phone()).await?;
        let answer = key.sign_in(&ceremony.options, origin);
        Ok(self.accounts.passkey_sign_in_finish(&ceremony.ceremony_id, &answer, &phone()).await?.id)
    }

    async fn confirm(&self, user: &str, key: &mut SoftKey) -> Result<String, AppError> {
        let ceremony = self.accounts.passkey_confirm_start(&user.into()).await?;
        let answer = key.sign_in(&ceremony.options, ORIGIN);
        self.accounts.passkey_confirm_finish(&user.into(), &ceremony.ceremony_id, &answer).await
    }
}

#[tokio::test]
async fn a_registered_passkey_signs_its_owner_in_without_a_name_and_shows_when_it_was_last_used() {
    let w = world().await;
    let mut key = SoftKey::new();
    let added = w.register(ADA, &mut key).await.unwrap();
    assert_eq!((added.name.as_str(), added.device.as_str()), ("Chrome on Android", "Chrome on Android"));
    assert_eq!(added.id, key.credential_id());
    assert_eq!(added.last_used_at, None);

    w.clock.advance_secs(60);
    assert_eq!(w.sign_in(&mut key, ORIGIN).await.unwrap(), ADA);
    let listed = w.accounts.passkeys(&ADA.into()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].last_used_at, Some(added.created_at + 60));
    assert!(w.accounts.passkeys(&BOB.into()).await.unwrap().is_empty(), "nobody else sees it");
}

#[tokio::test]
async fn registration_asks_for_a_discoverable_key_with_user_verification_and_excludes_keys_already_added() {
    let w = world().await;
    let mut key = SoftKey::new();
    w.register(ADA, &mut key).await.unwrap();
    let ceremony = w.accounts.passkey_register_start(&ADA.into()).await.unwrap();
    let selection = &ceremony.options["publicKey"]["authenticatorSelection"];
    assert_eq!(selection["residentKey"], "required");
    assert_eq!(selection["userVerification"], "required");
    assert_eq!(ceremony.options["publicKey"]["rp"]["id"], "localhost");
    let excluded = ceremony.options["publicKey"]["excludeCredentials"].as_array().unwrap();
    assert_eq!(excluded.len(), 1);
    assert_eq!(excluded[0]["id"], key.credential_id().as_str());
}

#[tokio::test]
async fn the_same_key_cannot_be_added_twice_to_one_account_or_to_another() {
    let w = world().await;
    let mut key = SoftKey::new();
    w.register(ADA, &mut key).await.unwrap();
    let again = w.register(ADA, &mut key).await.unwrap_err();
    assert_eq!((again.code(), again.to_string().as_str()), ("conflict", "This passkey is already on your account"));
    assert_eq!(code(w.register(BOB, &mut key).await), "conflict", "the store's unique id decides across accounts");
    // The key now answers with Bob's user handle, which its stored credential does not carry.
    assert_eq!(code(w.sign_in(&mut key, ORIGIN).await), "passkey_unknown", "a key claiming another account names nobody");
}

#[tokio::test]
async fn a_replayed_sign_in_answer_is_refused() {
    let w = world().await;
    let mut key = SoftKey::new();
    w.register(ADA, &mut key).await.unwrap();
    let ceremony = w.accounts.passkey_sign_in_start(&phone()).await.unwrap();
    let answer = key.sign_in(&ceremony.options, ORIGIN);
    w.accounts.passkey_sign_in_finish(&ceremony.ceremony_id, &answer, &phone()).await.unwrap();
    assert_eq!(code(w.accounts.passkey_sign_in_finish(&ceremony.ceremony_id, &answer, &phone()).await), "passkey_expired");
    let fresh = w.accounts.passkey_sign_in_start(&phone()).await.unwrap();
    assert_eq!(
        code(w.accounts.passkey_sign_in_finish(&fresh.ceremony_id, &answer, &phone()).await),
        "passkey_refused",
        "an old answer does not sign the new challenge"
    );
}

#[tokio::test]
async fn an_answer_made_for_another_site_or_relying_party_is_refused() {
    let w = world().await;
    let mut key = SoftKey::new();
    let ceremony = w.accounts.passkey_register_start(&ADA.into()).await.unwrap();
    let answer = key.register(&ceremony.options, "http://evil.test");
    let refused = w.accounts.passkey_register_finish(&ADA.into(), &ceremony.ceremony_id, &answer, None, &phone()).await;
    assert_eq!(code(refused), "passkey_refused");
    assert!(w.accounts.passkeys(&ADA.into()).await.unwrap().is_empty());

    w.register(ADA, &mut key).await.unwrap();
    assert_eq!(code(w.sign_in(&mut key, "http://evil.test").await), "passkey_refused");

    // Signed for another relying party, though sent from this site's page.
    let mut ceremony = w.accounts.passkey_sign_in_start(&phone()).await.unwrap();
    ceremony.options["publicKey"]["rpId"] = "evil.test".into();
    let answer = key.sign_in(&ceremony.options, ORIGIN);
    let refused = w.accounts.passkey_sign_in_finish(&ceremony.ceremony_id, &answer, &phone()).await.unwrap_err();
    assert_eq!((refused.code(), refused.to_string().as_str()), ("passkey_refused", "This passkey answer was made for another site"));
}

#[tokio::test]
async fn a_signature_counter_that_goes_backwards_is_refused_as_a_possible_clone() {
    let w = world().await;
    let mut key = SoftKey::new();
    w.register(ADA, &mut key).await.unwrap();
    w.sign_in(&mut key, ORIGIN).await.unwrap();
    w.sign_in(&mut key, ORIGIN).await.unwrap();
    key.set_counter(0);
    let refused = w.sign_in(&mut key, ORIGIN).await.unwrap_err();
    assert_eq!(refused.code(), "passkey_refused");
    assert!(refused.to_string().contains("can’t be trusted"), "{refused}");
}

#[tokio::test]
async fn an_unverified_person_is_refused_with_a_clear_reason() {
    let w = world().await;
    let mut key = SoftKey::new();
    w.register(ADA, &mut key).await.unwrap();
    key.set_user_verified(false);
    let refused = w.sign_in(&mut key, ORIGIN).await.unwrap_err();
    assert_eq!(refused.code(), "passkey_refused");
    assert!(refused.to_string().contains("fingerprint, face or screen lock"), "{refused}");
}

#[tokio::test]
async fn a_challenge_expires_after_five_minutes_and_is_answered_once() {
    let w = world().await;
    let mut key = SoftKey::new();
    let ceremony = w.accounts.passkey_register_start(&ADA.into()).await.unwrap();
    let answer = key.register(&ceremony.options, ORIGIN);
    w.clock.advance_secs(CEREMONY_TTL_SECS);
    let late = w.accounts.passkey_register_finish(&ADA.into(), &ceremony.ceremony_id, &answer, None, &phone()).await;
    assert_eq!(code(late), "passkey_expired");

    let ceremony = w.accounts.passkey_register_start(&ADA.into()).await.unwrap();
    let answer = key.register(&ceremony.options, ORIGIN);
    w.accounts.passkey_register_finish(&ADA.into(), &ceremony.ceremony_id, &answer, None, &phone()).await.unwrap();
    let again = w.accounts.passkey_register_finish(&ADA.into(), &ceremony.ceremony_id, &answer, None, &phone()).await;
    assert_eq!(code(again), "passkey_expired");
}

#[tokio::test]
async fn someone_elses_ceremony_cannot_be_finished_and_a_garbage_answer_spends_nothing() {
    let w = world().await;
    let mut key = SoftKey::new();
    let bobs = w.accounts.passkey_register_start(&BOB.into()).await.unwrap();
    let answer = key.register(&bobs.options, ORIGIN);
    let stolen = w.accounts.passkey_register_finish(&ADA.into(), &bobs.ceremony_id, &answer, None, &phone()).await;
    assert_eq!(code(stolen), "passkey_expired");

    let ceremony = w.accounts.passkey_register_start(&ADA.into()).await.unwrap();
    let garbage = serde_json::json!({"id": "x", "response": 7});
    let refused = w.accounts.passkey_register_finish(&ADA.into(), &ceremony.ceremony_id, &garbage, None, &phone()).await;
    assert_eq!(code(refused), "invalid_credential");
    let answer = key.register(&ceremony.options, ORIGIN);
    w.accounts.passkey_register_finish(&ADA.into(), &ceremony.ceremony_id, &answer, None, &phone()).await.unwrap();
}

#[tokio::test]
async fn removing_a_passkey_needs_a_fresh_confirmation_and_then_it_no_longer_signs_in() {
    let w = world().await;
    let (mut first, mut second) = (SoftKey::new(), SoftKey::new());
    let first_id = w.register(ADA, &mut first).await.unwrap().id;
    w.register(ADA, &mut second).await.unwrap();
    let ada = UserId::from(ADA);

    assert_eq!(code(w.accounts.passkey_remove(&ada, &first_id, None).await), "confirmation_required");
    assert_eq!(code(w.accounts.passkey_remove(&ada, &first_id, Some("forged")).await), "confirmation_required");
    let confirmation = w.confirm(ADA, &mut second).await.unwrap();
    let bob = UserId::from(BOB);
    assert_eq!(code(w.accounts.passkey_remove(&bob, &first_id, Some(&confirmation)).await), "confirmation_required", "Ada's is not Bob's");
    let bobs = w.accounts.confirmation_for(&bob).unwrap();
    assert_eq!(code(w.accounts.passkey_remove(&bob, &first_id, Some(&bobs)).await), "not_found", "not Bob's passkey");
    w.clock.advance_secs(CONFIRMATION_TTL_SECS);
    assert_eq!(code(w.accounts.passkey_remove(&ada, &first_id, Some(&confirmation)).await), "confirmation_required", "stale");

    let confirmation = w.confirm(ADA, &mut second).await.unwrap();
    w.accounts.passkey_remove(&ada, &first_id, Some(&confirmation)).await.unwrap();
    let refused = w.sign_in(&mut first, ORIGIN).await.unwrap_err();
    assert_eq!(refused.code(), "passkey_unknown");
    assert!(refused.to_string().contains("sign in another way"), "{refused}");
    assert_eq!(w.sign_in(&mut second, ORIGIN).await.unwrap(), ADA);
}

#[tokio::test]
async fn only_ones_own_passkey_confirms_it_is_you() {
    let w = world().await;
    let (mut adas, mut bobs) = (SoftKey::new(), SoftKey::new());
    w.register(ADA, &mut adas).await.unwrap();
    w.register(BOB, &mut bobs).await.unwrap();
    assert_eq!(code(w.confirm(ADA, &mut bobs).await), "passkey_unknown");
    assert_eq!(code(w.accounts.passkey_confirm_start(&"9ZZZZZZZ".into()).await), "passkey_none");
    assert!(w.confirm(ADA, &mut adas).await.is_ok());
}

#[tokio::test]
async fn adding_an_email_needs_a_confirmation_which_a_passkey_gives() {
    let w = world().await;
    let mut key = SoftKey::new();
    let add = |user: &'static str, confirmation: Option<String>| {
        let accounts = &w.accounts;
        async move {
            accounts.start_add_email(&user.into(), &format!("{user}@example.com"), "a long new passphrase", confirmation.as_deref(), &phone()).await
        }
    };
    assert_eq!(code(add(BOB, None).await), "confirmation_required", "a code confirms someone without a passkey");
    w.register(ADA, &mut key).await.unwrap();
    assert_eq!(code(add(ADA, None).await), "confirmation_required");
    let confirmation = w.confirm(ADA, &mut key).await.unwrap();
    assert_eq!(code(add(BOB, Some(confirmation.clone())).await), "confirmation_required", "Ada's is not Bob's");
    assert!(add(ADA, Some(confirmation)).await.is_ok());
    let weak = w.accounts.start_add_email(&BOB.into(), "bob@example.com", "password", None, &phone()).await;
    assert_eq!(code(weak), "invalid_password", "what the person can fix is said before asking them to confirm");
}

#[tokio::test]
async fn names_are_checked_and_only_the_owner_renames() {
    let w = world().await;
    let mut key = SoftKey::new();
    let id = w.register(ADA, &mut key).await.unwrap().id;
    w.accounts.passkey_rename(&ADA.into(), &id, "  Work laptop ").await.unwrap();
    assert_eq!(w.accounts.passkeys(&ADA.into()).await.unwrap()[0].name, "Work laptop");
    assert_eq!(code(w.accounts.passkey_rename(&ADA.into(), &id, "\u{1b}[31mred").await), "invalid_name");
    assert_eq!(code(w.accounts.passkey_rename(&ADA.into(), &id, &"x".repeat(65)).await), "invalid_name");
    assert_eq!(code(w.accounts.passkey_rename(&BOB.into(), &id, "mine now").await), "not_found");
}

#[tokio::test]
async fn with_passkeys_off_every_call_says_so() {
    let database = ScratchDatabase::new().await;
    let accounts = service(database.open().await.unwrap(), Arc::new(ManualClock::default()));
    assert!(!accounts.passkeys_enabled());
    assert_eq!(code(accounts.passkey_sign_in_start(&phone()).await), "passkeys_off");
    assert_eq!(code(accounts.passkey_register_start(&ADA.into()).await), "passkeys_off");
}
