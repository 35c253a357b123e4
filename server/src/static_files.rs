//! Static files are served with their precompressed copies (`x.br`, `x.gz`, written by
//! `scripts/precompress.mjs`) when the browser accepts them. A copy older than its file (the
//! site was rebuilt since) would serve the old content, so start-up removes it; the file is
//! then compressed per request until the copies are written again.
use std::{fs, path::Path};

const SUFFIXES: [&str; 2] = ["br", "gz"];

/// Removes the stale precompressed copies under `root`; returns how many.
pub fn drop_stale_copies(root: &Path) -> usize {
    let Ok(entries) = fs::read_dir(root) else { return 0 };
    let mut dropped = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            dropped += drop_stale_copies(&path);
            continue;
        }
        let is_copy = path.extension().and_then(|e| e.to_str()).is_some_and(|e| SUFFIXES.contains(&e));
        if !is_copy {
            continue;
        }
        let modified = |p: &Path| fs::metadata(p).and_then(|m| m.modified()).ok();
        let source = path.with_extension("");
        let stale = match (modified(&source), modified(&path)) {
            (Some(source), Some(copy)) => copy < source,
            // A copy of a file that is gone is stale too.
            (None, _) => true,
            (Some(_), None) => false,
        };
        if stale && fs::remove_file(&path).is_ok() {
            dropped += 1;
        }
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime};

    fn touch(path: &Path, age_secs: u64) {
        fs::write(path, b"x").unwrap();
        let at = SystemTime::now() - Duration::from_secs(age_secs);
        fs::File::options().write(true).open(path).unwrap().set_modified(at).unwrap();
    }

    #[test]
    fn copies_older_than_their_file_or_without_one_go_and_fresh_ones_stay() {
        let dir = tempfile::tempdir().unwrap();
        let pkg = dir.path().join("pkg");
        fs::create_dir(&pkg).unwrap();
        touch(&pkg.join("app.wasm"), 10);
        touch(&pkg.join("app.wasm.br"), 5);
        touch(&pkg.join("app.js"), 5);
        touch(&pkg.join("app.js.gz"), 10);
        touch(&dir.path().join("gone.css.br"), 5);
        assert_eq!(drop_stale_copies(dir.path()), 2);
        assert!(pkg.join("app.wasm.br").exists());
        assert!(!pkg.join("app.js.gz").exists());
        assert!(!dir.path().join("gone.css.br").exists());
        assert!(pkg.join("app.js").exists(), "never a file itself");
    }
}
