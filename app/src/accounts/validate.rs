//! Pure checks on what people type, compiled for the browser (hints) and the server (the final
//! word). Each returns the cleaned value or a message written for the person.
use crate::error::AppError;

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const CODE_LENGTH: usize = 6;

/// 3–32 characters of `a-z 0-9 _ .`; capitals are folded, so names are unique regardless of case.
pub fn username(raw: &str) -> Result<String, AppError> {
    let name = raw.trim().to_lowercase();
    let len = name.chars().count();
    if len < USERNAME_MIN || len > USERNAME_MAX {
        return Err(AppError::invalid("username", format!("Usernames are {USERNAME_MIN}–{USERNAME_MAX} characters long")));
    }
    if !name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.') {
        return Err(AppError::invalid("username", "Use only letters, digits, _ and ."));
    }
    Ok(name)
}

/// Crockford's base32 alphabet: no I, L, O or U, so IDs read aloud and type without confusion.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const USER_ID_LENGTH: usize = 8;

/// Encodes 40 random bits as an 8-character user ID (`7KQ4M2XD`).
pub fn user_id_from_bits(bits: u64) -> String {
    (0..USER_ID_LENGTH).rev().map(|i| CROCKFORD[((bits >> (i * 5)) & 31) as usize] as char).collect()
}

/// Accepts any case, with or without the dash or spaces, and Crockford's look-alikes
/// (O→0, I/L→1); returns the canonical 8 characters.
pub fn user_id(raw: &str) -> Result<String, AppError> {
    let mut id = String::with_capacity(USER_ID_LENGTH);
    for c in raw.chars().filter(|c| !matches!(c, '-' | ' ')) {
        let c = match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !CROCKFORD.contains(&(c as u8)) || !c.is_ascii() {
            return Err(AppError::invalid("user_id", "A user ID has 8 letters and digits, like 7KQ4-M2XD"));
        }
        id.push(c);
    }
    if id.len() != USER_ID_LENGTH {
        return Err(AppError::invalid("user_id", "A user ID has 8 letters and digits, like 7KQ4-M2XD"));
    }
    Ok(id)
}

/// `7KQ4M2XD` → `7KQ4-M2XD`.
pub fn display_user_id(id: &str) -> String {
    if id.len() == USER_ID_LENGTH && id.is_ascii() { format!("{}-{}", &id[..4], &id[4..]) } else { id.to_owned() }
}

/// Six digits; spaces and dashes from a paste are ignored.
pub fn code(raw: &str) -> Result<String, AppError> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if digits.len() == CODE_LENGTH && digits.chars().all(|c| c.is_ascii_digit()) {
        Ok(digits)
    } else {
        Err(AppError::invalid_with_code("code_format", "code", "Enter the 6 digits from the message"))
    }
}

pub const EMAIL_MAX: usize = 254;
pub const PASSWORD_MIN: usize = 10;
/// Long enough for any passphrase, short enough that hashing cannot be used to tie up the server.
pub const PASSWORD_MAX: usize = 128;

/// A plain shape check (one `@`, a dotted domain, no spaces), lower-cased so one mailbox is one
/// account. Whether the mailbox exists is proved by the code sent to it.
pub fn email(raw: &str) -> Result<String, AppError> {
    let email = raw.trim().to_lowercase();
    let bad = || AppError::invalid("email", "That doesn’t look like an email address — e.g. ada@example.com");
    if email.len() > EMAIL_MAX || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let labels_ok = domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
    if local.is_empty() || local.len() > 64 || domain.contains('@') || !domain.contains('.') || !labels_ok {
        return Err(bad());
    }
    Ok(email)
}

/// The most common passwords of at least `PASSWORD_MIN` characters, from public breach lists.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// At least 10 characters, not a well-known password, not one character repeated, and not the
/// person's own username or email. Returned unchanged: spaces are allowed in passphrases.
pub fn password(raw: &str, known: &[&str]) -> Result<String, AppError> {
    let len = raw.chars().count();
    if len < PASSWORD_MIN {
        return Err(AppError::invalid("password", format!("Use at least {PASSWORD_MIN} characters")));
    }
    if len > PASSWORD_MAX {
        return Err(AppError::invalid("password", format!("Use at most {PASSWORD_MAX} characters")));
    }
    let lower = raw.to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if chars.all(|c| Some(c) == first)
        || COMMON_PASSWORDS.lines().any(|common| common == lower)
        || known.iter().any(|k| !k.is_empty() && k.to_lowercase() == lower)
    {
        return Err(AppError::invalid("password", "That password is too easy to guess — try a longer phrase"));
    }
    Ok(raw.to_owned())
}

/// Only a local path may follow a login, so a link cannot send someone to another site.
/// Browsers drop tabs and newlines from a URL and read `\` as `/`, so `/\t/evil.example`
/// would be `//evil.example`, another site: a path with any of them, any other control
/// character or whitespace, is refused whole rather than cleaned.
pub fn local_next(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.chars().any(|c| c == '\\' || c.is_control() || c.is_whitespace()) => {
            p.to_owned()
        }
        _ => "/chats".to_owned(),
    }
}

pub const MAX_PASSKEY_NAME: usize = 64;

/// What a person calls one of their passkeys ("Work laptop"): 1–64 characters.
pub fn passkey_name(raw: &str) -> Result<String, AppError> {
    crate::chats::validate::text(raw, "name", 1, MAX_PASSKEY_NAME, "passkey name")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_rules_and_fold_case() {
        assert_eq!(username("Ada.L").unwrap(), "ada.l");
        assert_eq!(username("  bob_99 ").unwrap(), "bob_99");
        for bad in ["ab", "a b c", "ünïcode", "x".repeat(33).as_str(), "semi;colon", ""] {
            assert!(username(bad).is_err(), "{bad}");
        }
        assert!(username(&"x".repeat(32)).is_ok());
    }

    #[test]
    fn user_ids_parse_in_any_case_with_or_without_the_dash() {
        for input in ["7KQ4-M2XD", "7kq4m2xd", "7KQ4 M2XD", " 7kq4-m2xd"] {
            assert_eq!(user_id(input).unwrap(), "7KQ4M2XD", "{input}");
        }
        assert_eq!(user_id("0I1L-OOOO").unwrap(), "01110000", "look-alikes");
        for bad in ["7KQ4-M2X", "7KQ4-M2XDE", "7KQ4-M2XU", "", "7KQ4-M2X!"] {
            assert!(user_id(bad).is_err(), "{bad}");
        }
        assert_eq!(display_user_id("7KQ4M2XD"), "7KQ4-M2XD");
    }

    #[test]
    fn generated_ids_round_trip_through_the_parser() {
        for bits in [0u64, 1, 0xFF_FFFF_FFFF, 0x12_3456_789A] {
            let id = user_id_from_bits(bits);
            assert_eq!(id.len(), 8);
            assert_eq!(user_id(&display_user_id(&id)).unwrap(), id);
        }
        assert_eq!(user_id_from_bits(0), "00000000");
        assert_eq!(user_id_from_bits(0xFF_FFFF_FFFF), "ZZZZZZZZ");
    }

    #[test]
    fn codes_are_six_digits_and_pastes_are_cleaned() {
        assert_eq!(code("123456").unwrap(), "123456");
        assert_eq!(code("123 456").unwrap(), "123456");
        assert_eq!(code("123-456").unwrap(), "123456");
        for bad in ["12345", "1234567", "12345a", ""] {
            assert!(code(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn emails_are_trimmed_lower_cased_and_shape_checked() {
        assert_eq!(email("  Ada@Example.COM ").unwrap(), "ada@example.com");
        assert_eq!(email("a.b+chat@mail.example.co.uk").unwrap(), "a.b+chat@mail.example.co.uk");
        for bad in ["", "ada", "ada@", "@example.com", "ada@example", "ada@@example.com", "a da@example.com",
            "ada@example..com", "ada@-example.com", &format!("{}@example.com", "x".repeat(65))] {
            assert!(email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_need_ten_characters_and_must_not_be_common() {
        assert!(password("correct horse battery", &[]).is_ok());
        assert!(password("Tr0ub4dor&3x", &[]).is_ok());
        assert_eq!(password("short1!", &[]).unwrap_err().field(), Some("password"));
        assert!(password("ninechars", &[]).is_err());
        assert!(password("éééééééééé", &[]).is_err(), "one character repeated");
        for common in ["password123", "Password123", "QWERTYUIOP", "1234567890", "iloveyou12"] {
            assert!(password(common, &[]).is_err(), "{common}");
        }
        assert!(password("ada.lovelace", &["ada.lovelace"]).is_err(), "the username itself");
        assert!(password("ada.lovelace", &["grace"]).is_ok());
        assert!(password(&"ab".repeat(64), &[]).is_ok());
        assert!(password(&"ab".repeat(65), &[]).is_err(), "too long to hash");
    }

    #[test]
    fn the_common_password_list_is_clean() {
        for line in COMMON_PASSWORDS.lines() {
            assert_eq!(line, line.trim().to_lowercase(), "entries are lower-case and trimmed");
            assert!(line.chars().count() >= PASSWORD_MIN, "{line} is shorter than the minimum anyway");
        }
    }

    #[test]
    fn only_local_paths_follow_a_login() {
        assert_eq!(local_next(Some("/chats/5")), "/chats/5");
        assert_eq!(local_next(Some("//evil.example")), "/chats");
        assert_eq!(local_next(Some("https://evil.example")), "/chats");
        assert_eq!(local_next(Some("/\\evil.example")), "/chats");
        for hidden in ["/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/ /evil.example", "/x\\..\\\\evil.example", "/\u{0}/evil.example"] {
            assert_eq!(local_next(Some(hidden)), "/chats", "{hidden:?}");
        }
        assert_eq!(local_next(None), "/chats");
    }
}
