//! A software passkey for tests: it answers the server's WebAuthn options with the JSON a browser
//! would post, signed with a real P-256 key, so tests can exercise replay, wrong origins, counter
//! regression and stale challenges against the real verifier. Test-only: it panics on options it
//! cannot read, which is a broken test, not user input.
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use p256::ecdsa::{Signature, SigningKey, signature::Signer};
use rand::Rng;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const FLAG_UP: u8 = 0x01;
const FLAG_UV: u8 = 0x04;
const FLAG_BE: u8 = 0x08;
const FLAG_BS: u8 = 0x10;
const FLAG_AT: u8 = 0x40;

/// A software passkey (ES256, P-256) for tests: what a phone's platform authenticator answers.
pub(crate) struct SoftKey {
    signing_key: SigningKey,
    credential_id: Vec<u8>,
    counter: u32,
    user_verified: bool,
    backup_eligible: bool,
    backup_state: bool,
    /// The user id the server gave at registration; returned as `userHandle` on sign-in.
    user_handle: Option<Vec<u8>>,
    /// The relying party the key was made for; sign-in options without `rpId` use it.
    rp_id: Option<String>,
}

impl SoftKey {
    pub fn new() -> Self {
        let mut rng = rand::rng();
        // Drawn by hand: p256 wants rand_core 0.6, the app uses rand 0.9. A zero or
        // out-of-range scalar is refused by `from_bytes`; draw again (astronomically rare).
        let signing_key = loop {
            let mut secret = [0u8; 32];
            rng.fill(&mut secret);
            if let Ok(key) = SigningKey::from_bytes(&secret.into()) {
                break key;
            }
        };
        let mut credential_id = vec![0u8; rng.random_range(16..=32)];
        rng.fill(credential_id.as_mut_slice());
        Self {
            signing_key,
            credential_id,
            counter: 0,
            user_verified: true,
            backup_eligible: false,
            backup_state: false,
            user_handle: None,
            rp_id: None,
        }
    }

    /// Answers `CreationChallengeResponse` JSON as the page at `origin` would, with the
    /// `PublicKeyCredential.toJSON()` of a new credential (attestation "none").
    pub fn register(&mut self, options: &Value, origin: &str) -> Value {
        let public_key = &options["publicKey"];
        let rp_id = text(&public_key["rp"]["id"], "publicKey.rp.id");
        let user_id = bytes(&public_key["user"]["id"], "publicKey.user.id");
        let challenge = text(&public_key["challenge"], "publicKey.challenge");
        self.rp_id = Some(rp_id.to_owned());
        self.user_handle = Some(user_id);

        let client_data = client_data_json("webauthn.create", challenge, origin);
        let cose_key = self.cose_key();
        let mut auth_data = self.auth_data_head(rp_id, FLAG_AT);
        auth_data.extend_from_slice(&[0u8; 16]); // AAGUID: none, as with attestation "none"
        let id_len = u16::try_from(self.credential_id.len()).expect("credential id is at most 32 bytes");
        auth_data.extend_from_slice(&id_len.to_be_bytes());
        auth_data.extend_from_slice(&self.credential_id);
        auth_data.extend_from_slice(&cose_key);

        // CBOR {"fmt": "none", "attStmt": {}, "authData": bytes}, in the browsers' key order.
        let mut attestation = vec![0xa3];
        cbor_text(&mut attestation, "fmt");
        cbor_text(&mut attestation, "none");
        cbor_text(&mut attestation, "attStmt");
        attestation.push(0xa0);
        cbor_text(&mut attestation, "authData");
        cbor_bytes(&mut attestation, &auth_data);

        let wants_cred_props = public_key["extensions"]["credProps"] == Value::Bool(true);
        let extensions = if wants_cred_props { json!({"credProps": {"rk": true}}) } else { json!({}) };
        json!({
            "id": self.credential_id(),
            "rawId": self.credential_id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "attestationObject": b64(&attestation),
                "authenticatorData": b64(&auth_data),
                "publicKey": b64(&self.spki()),
                "publicKeyAlgorithm": -7,
                "transports": ["hybrid", "internal"],
            },
            "clientExtensionResults": extensions,
            "authenticatorAttachment": "platform",
        })
    }

    /// Answers `RequestChallengeResponse` JSON with a signed assertion. It signs even when
    /// `allowCredentials` leaves this key out, so tests can see the server refuse it.
    pub fn sign_in(&mut self, options: &Value, origin: &str) -> Value {
        let public_key = &options["publicKey"];
        let challenge = text(&public_key["challenge"], "publicKey.challenge");
        let rp_id = match public_key["rpId"].as_str() {
            Some(rp_id) => rp_id.to_owned(),
            None => self.rp_id.clone().expect("sign-in options without rpId, and the key was never registered"),
        };
        self.counter = self.counter.wrapping_add(1);

        let client_data = client_data_json("webauthn.get", challenge, origin);
        let auth_data = self.auth_data_head(&rp_id, 0);
        let mut signed = auth_data.clone();
        signed.extend_from_slice(&Sha256::digest(client_data.as_bytes()));
        let signature: Signature = self.signing_key.sign(&signed);

        json!({
            "id": self.credential_id(),
            "rawId": self.credential_id(),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64(client_data.as_bytes()),
                "authenticatorData": b64(&auth_data),
                "signature": b64(signature.to_der().as_bytes()),
                "userHandle": self.user_handle.as_deref().map(b64),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        })
    }

    /// The counter of the next sign-in is `n + 1`: a lower value replays a cloned key.
    pub fn set_counter(&mut self, n: u32) {
        self.counter = n;
    }

    pub fn set_user_verified(&mut self, yes: bool) {
        self.user_verified = yes;
    }

    /// The BE and BS flags: a synced (backed-up) passkey sets both.
    pub fn set_backup(&mut self, eligible: bool, backed_up: bool) {
        self.backup_eligible = eligible;
        self.backup_state = backed_up;
    }

    /// base64url, no padding, as the JSON `id`.
    pub fn credential_id(&self) -> String {
        b64(&self.credential_id)
    }

    /// rpIdHash, flags (UP, UV, BE, BS and `extra`) and the big-endian counter.
    fn auth_data_head(&self, rp_id: &str, extra: u8) -> Vec<u8> {
        let mut flags = FLAG_UP | extra;
        if self.user_verified {
            flags |= FLAG_UV;
        }
        if self.backup_eligible {
            flags |= FLAG_BE;
        }
        if self.backup_state {
            flags |= FLAG_BS;
        }
        let mut data = Sha256::digest(rp_id.as_bytes()).to_vec();
        data.push(flags);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    /// The public key's x and y coordinates, 32 bytes each.
    fn coordinates(&self) -> ([u8; 32], [u8; 32]) {
        let point = self.signing_key.verifying_key().to_encoded_point(false);
        let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
        x.copy_from_slice(point.x().expect("uncompressed point has x"));
        y.copy_from_slice(point.y().expect("uncompressed point has y"));
        (x, y)
    }

    /// COSE_Key {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y}.
    fn cose_key(&self) -> Vec<u8> {
        let (x, y) = self.coordinates();
        let mut key = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        cbor_bytes(&mut key, &x);
        key.push(0x22);
        cbor_bytes(&mut key, &y);
        key
    }

    /// SubjectPublicKeyInfo DER, as `getPublicKey()` gives it: a fixed header for P-256, then
    /// the uncompressed point.
    fn spki(&self) -> Vec<u8> {
        const HEADER: [u8; 26] = [
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86,
            0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        let (x, y) = self.coordinates();
        let mut der = HEADER.to_vec();
        der.push(0x04);
        der.extend_from_slice(&x);
        der.extend_from_slice(&y);
        der
    }
}

/// clientDataJSON with the browsers' key order.
fn client_data_json(kind: &str, challenge: &str, origin: &str) -> String {
    let quoted = |s: &str| Value::String(s.to_owned()).to_string();
    format!(
        r#"{{"type":{},"challenge":{},"origin":{},"crossOrigin":false}}"#,
        quoted(kind),
        quoted(challenge),
        quoted(origin)
    )
}

fn text<'a>(value: &'a Value, what: &str) -> &'a str {
    value.as_str().unwrap_or_else(|| panic!("options have no string {what}: {value}"))
}

fn bytes(value: &Value, what: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text(value, what)).unwrap_or_else(|e| panic!("{what} is not base64url: {e}"))
}

fn b64(data: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(data)
}

/// A CBOR major-type header with its length (`major` is the type shifted into the top bits).
fn cbor_head(out: &mut Vec<u8>, major: u8, len: usize) {
    match len {
        0..24 => out.push(major | len as u8),
        24..256 => out.extend_from_slice(&[major | 24, len as u8]),
        _ => {
            let len = u16::try_from(len).expect("soft key CBOR items are short");
            out.push(major | 25);
            out.extend_from_slice(&len.to_be_bytes());
        }
    }
}

fn cbor_bytes(out: &mut Vec<u8>, data: &[u8]) {
    cbor_head(out, 0x40, data.len());
    out.extend_from_slice(data);
}

fn cbor_text(out: &mut Vec<u8>, text: &str) {
    cbor_head(out, 0x60, text.len());
    out.extend_from_slice(text.as_bytes());
}

#[cfg(test)]
mod tests {
    use webauthn_rs::prelude::*;

    use super::*;

    const ORIGIN: &str = "http://localhost:3000";

    fn webauthn() -> Webauthn {
        let origin = Url::parse(ORIGIN).expect("origin parses");
        WebauthnBuilder::new("localhost", &origin).expect("builder").build().expect("webauthn")
    }

    fn user_id() -> Uuid {
        let mut id = [0u8; 16];
        rand::rng().fill(&mut id);
        Uuid::from_bytes(id)
    }

    /// Registers a new soft key for `user`, as the server will: JSON in, JSON out.
    fn register(webauthn: &Webauthn, key: &mut SoftKey, user: Uuid) -> Passkey {
        let (options, state) = webauthn.start_passkey_registration(user, "alice", "Alice", None).expect("start");
        let options = serde_json::to_value(&options).expect("options serialise");
        let answer = key.register(&options, ORIGIN);
        let credential: RegisterPublicKeyCredential = serde_json::from_value(answer).expect("credential parses");
        webauthn.finish_passkey_registration(&credential, &state).expect("registration verifies")
    }

    /// Starts a discoverable sign-in and lets the soft key answer it from `origin`.
    fn discoverable_answer(
        webauthn: &Webauthn,
        key: &mut SoftKey,
        origin: &str,
    ) -> (PublicKeyCredential, DiscoverableAuthentication) {
        let (options, state) = webauthn.start_discoverable_authentication().expect("start");
        let options = serde_json::to_value(&options).expect("options serialise");
        let answer = key.sign_in(&options, origin);
        (serde_json::from_value(answer).expect("assertion parses"), state)
    }

    #[test]
    fn soft_key_registers() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        let passkey = register(&webauthn, &mut key, user_id());
        assert_eq!(b64(passkey.cred_id()), key.credential_id());
    }

    #[test]
    fn soft_key_signs_in_discoverably() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        let user = user_id();
        let passkey = register(&webauthn, &mut key, user);

        let (credential, state) = discoverable_answer(&webauthn, &mut key, ORIGIN);
        let (found_user, found_id) = webauthn.identify_discoverable_authentication(&credential).expect("identified");
        assert_eq!(found_user, user);
        assert_eq!(found_id, passkey.cred_id().as_slice());
        let result = webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey).expect("verifies");
        assert_eq!(result.counter(), 1);
        assert!(result.user_verified());
    }

    #[test]
    fn soft_key_signs_in_with_allowed_credentials() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        let passkey = register(&webauthn, &mut key, user_id());

        let (options, state) = webauthn.start_passkey_authentication(&[passkey.clone()]).expect("start");
        let options = serde_json::to_value(&options).expect("options serialise");
        assert_eq!(options["publicKey"]["allowCredentials"][0]["id"], key.credential_id());
        let credential: PublicKeyCredential =
            serde_json::from_value(key.sign_in(&options, ORIGIN)).expect("assertion parses");
        let result = webauthn.finish_passkey_authentication(&credential, &state).expect("verifies");
        assert_eq!(result.counter(), 1);
        assert_eq!(result.cred_id(), passkey.cred_id());
    }

    #[test]
    fn soft_key_flipped_signature_is_refused() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        let passkey = register(&webauthn, &mut key, user_id());

        let (mut credential, state) = discoverable_answer(&webauthn, &mut key, ORIGIN);
        // The last byte is inside the DER's `s`: the signature still parses but no longer verifies.
        let last = credential.response.signature.last_mut().expect("signature has bytes");
        *last ^= 0x01;
        let refused = webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey);
        assert!(matches!(refused, Err(WebauthnError::AuthenticationFailure)), "{refused:?}");
    }

    #[test]
    fn soft_key_unverified_user_is_refused() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        let passkey = register(&webauthn, &mut key, user_id());

        key.set_user_verified(false);
        let (credential, state) = discoverable_answer(&webauthn, &mut key, ORIGIN);
        let refused = webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey);
        assert!(matches!(refused, Err(WebauthnError::UserNotVerified)), "{refused:?}");
    }

    #[test]
    fn soft_key_unverified_registration_is_refused() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        key.set_user_verified(false);
        let (options, state) = webauthn.start_passkey_registration(user_id(), "bob", "Bob", None).expect("start");
        let options = serde_json::to_value(&options).expect("options serialise");
        let credential: RegisterPublicKeyCredential =
            serde_json::from_value(key.register(&options, ORIGIN)).expect("credential parses");
        let refused = webauthn.finish_passkey_registration(&credential, &state);
        assert!(matches!(refused, Err(WebauthnError::UserNotVerified)), "{refused:?}");
    }

    #[test]
    fn soft_key_wrong_origin_is_refused() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        let passkey = register(&webauthn, &mut key, user_id());

        let (credential, state) = discoverable_answer(&webauthn, &mut key, "http://evil.test");
        let refused = webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey);
        assert!(matches!(refused, Err(WebauthnError::InvalidRPOrigin)), "{refused:?}");

        // The same key from the right origin still works: the refusal was the origin's.
        let (credential, state) = discoverable_answer(&webauthn, &mut key, ORIGIN);
        webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey).expect("verifies");
    }

    #[test]
    fn soft_key_counter_regression_is_refused() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        let mut passkey = register(&webauthn, &mut key, user_id());

        key.set_counter(4);
        let (credential, state) = discoverable_answer(&webauthn, &mut key, ORIGIN);
        let result = webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey).expect("verifies");
        assert_eq!(result.counter(), 5);
        passkey.update_credential(&result);

        // A clone of the key still at an older counter.
        key.set_counter(2);
        let (credential, state) = discoverable_answer(&webauthn, &mut key, ORIGIN);
        let refused = webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey);
        assert!(matches!(refused, Err(WebauthnError::CredentialPossibleCompromise)), "{refused:?}");
    }

    #[test]
    fn soft_key_backup_flags_reach_the_passkey() {
        let webauthn = webauthn();
        let mut key = SoftKey::new();
        key.set_backup(true, true);
        let passkey = register(&webauthn, &mut key, user_id());
        let (credential, state) = discoverable_answer(&webauthn, &mut key, ORIGIN);
        let result = webauthn.finish_discoverable_authentication_v2(&credential, state, &passkey).expect("verifies");
        assert!(result.backup_eligible());
        assert!(result.backup_state());
    }
}
