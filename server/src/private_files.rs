//! What the server keeps on disk (database, secret key, outbox of codes) is for its own user
//! only: folders 0700, files 0600, whatever the umask. Existing ones are tightened at start.
use std::{io, path::Path};

#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};

/// Creates `dir` (and its parents) if needed, and makes it private.
pub fn private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder.create(dir)?;
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    Ok(())
}

/// Makes the SQLite database at `url` private before it is opened: the file is created 0600
/// when missing (SQLite gives its `-wal` and `-shm` files the database's mode), and an existing
/// database and its companions are tightened. In-memory databases have no file.
pub fn private_database(url: &str) -> io::Result<()> {
    use std::str::FromStr;
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(io::Error::other)?;
    let path = options.get_filename();
    if path.as_os_str().is_empty() || path.as_os_str() == ":memory:" {
        return Ok(());
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(false);
    #[cfg(unix)]
    open.mode(0o600);
    open.open(path)?;
    #[cfg(unix)]
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        match std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn an_existing_database_and_folder_are_tightened() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir(&data).unwrap();
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
        for file in ["confab.db", "confab.db-wal"] {
            std::fs::write(data.join(file), b"").unwrap();
            std::fs::set_permissions(data.join(file), std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        private_dir(&data).unwrap();
        private_database(&format!("sqlite://{}", data.join("confab.db").display())).unwrap();
        assert_eq!(mode(&data), 0o700);
        assert_eq!(mode(&data.join("confab.db")), 0o600);
        assert_eq!(mode(&data.join("confab.db-wal")), 0o600);
        private_database("sqlite::memory:").unwrap();
    }
}
