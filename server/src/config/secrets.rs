//! The server's secret key (given, or generated on first start and kept in the data directory)
//! and configured credentials, none of which is ever printed.
use std::{fmt, path::Path};

use rand::RngCore;

use super::{ConfigError, bad};

const MIN_SECRET_LEN: usize = 32;

/// Key material for signing tokens and hashing one-time codes. Never printed.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// A configured password or credential-bearing URL. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(pub(super) String);

impl SecretString {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(..)")
    }
}

/// `CONFAB_SECRET_KEY`, or the key generated on first start.
pub(super) fn from_lookup(get: &impl Fn(&str) -> Option<String>, data_dir: &Path) -> Result<SecretKey, ConfigError> {
    match get("CONFAB_SECRET_KEY") {
        Some(v) if v.len() < MIN_SECRET_LEN => Err(bad("CONFAB_SECRET_KEY", format!("must be at least {MIN_SECRET_LEN} characters"))),
        Some(v) => Ok(SecretKey(v.into_bytes())),
        None => load_or_create_secret(&data_dir.join("secret.key")).map_err(|p| bad("CONFAB_SECRET_KEY", p)),
    }
}

/// The secret generated on first start lives beside the database, readable by the owner only.
fn load_or_create_secret(path: &Path) -> Result<SecretKey, String> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= MIN_SECRET_LEN => return Ok(SecretKey(text.trim().as_bytes().to_vec())),
        Ok(_) => return Err(format!("`{}` holds a key shorter than {MIN_SECRET_LEN} characters", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = hex::encode(bytes);
    write_private(path, &key).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    Ok(SecretKey(key.into_bytes()))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents.as_bytes())
}
