//! The local download cache and checksum helpers.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{RegistryError, Result};
use crate::index::{is_sha256_hex, validate_crate_name};

/// Where downloaded `.crate` files are kept: `ROOT/<index key>/<name>-<version>.crate`, where
/// the index key is the index host plus a hash of the index URL, so that two registries never
/// share files. Files are only ever stored after their checksum matched, and are checked
/// again on every hit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DownloadCache {
    root: PathBuf,
}

impl DownloadCache {
    /// A cache rooted at `root` (created on first use).
    pub fn new(root: impl Into<PathBuf>) -> DownloadCache {
        DownloadCache { root: root.into() }
    }

    /// The user's default: `$FERRET_CACHE_DIR/downloads` when that variable is set, else
    /// `<user cache dir>/ferret/downloads` (`~/.cache/ferret/downloads` on Linux,
    /// `~/Library/Caches/ferret/downloads` on macOS, `%LOCALAPPDATA%\ferret\cache\downloads`
    /// on Windows).
    pub fn user_default() -> Result<DownloadCache> {
        if let Some(dir) = std::env::var_os("FERRET_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Ok(DownloadCache::new(PathBuf::from(dir).join("downloads")));
        }
        let dirs = directories::ProjectDirs::from("", "", "ferret").ok_or(RegistryError::NoCacheDir)?;
        Ok(DownloadCache::new(dirs.cache_dir().join("downloads")))
    }

    /// The cache root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The directory holding the crates of the registry identified by `registry_key` (an
    /// index URL or a local registry path).
    pub fn dir_for(&self, registry_key: &str) -> PathBuf {
        self.root.join(cache_key(registry_key))
    }

    /// The path a crate of that registry is stored at (whether or not it exists).
    pub fn path_for(&self, registry_key: &str, name: &str, version: &str) -> PathBuf {
        self.dir_for(registry_key).join(format!("{name}-{version}.crate"))
    }
}

/// `host-<16 hex of sha256(url)>`, e.g. `index.crates.io-1b2c...`.
fn cache_key(url: &str) -> String {
    let host = url
        .split_once("://")
        .map(|(_, rest)| rest.split(['/', ':']).next().unwrap_or(""))
        .unwrap_or("local");
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
        .take(64)
        .collect();
    let host = if host.is_empty() { "registry".to_owned() } else { host };
    let hash = hex::encode(Sha256::digest(url.as_bytes()));
    format!("{host}-{}", &hash[..16])
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// sha256 of a file, reading at most `limit` bytes; `None` if the file is larger.
pub(crate) fn sha256_file(path: &Path, limit: u64) -> std::io::Result<Option<String>> {
    let file = File::open(path)?;
    let mut reader = file.take(limit + 1);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        total += n as u64;
        if total > limit {
            return Ok(None);
        }
        hasher.update(&buf[..n]);
    }
    Ok(Some(hex::encode(hasher.finalize())))
}

/// Checks name, version and checksum of a crate before they are used in paths or URLs;
/// returns the checksum lowercased.
pub(crate) fn check_crate_id(name: &str, version: &str, cksum: &str) -> Result<String> {
    validate_crate_name(name)?;
    crate::index::parse_version(name, version)?;
    if !is_sha256_hex(cksum) {
        return Err(RegistryError::InvalidChecksum {
            name: name.to_owned(),
            version: version.to_owned(),
            cksum: cksum.to_owned(),
        });
    }
    Ok(cksum.to_ascii_lowercase())
}

/// Looks for `NAME-VERSION.crate` in `CARGO_HOME/registry/cache/*/` (where cargo keeps the
/// crates it downloaded) and returns the first whose sha256 is `cksum`. Files that do not
/// match, or that are larger than 100 MiB, are ignored.
pub fn find_in_cargo_home(cargo_home: &Path, name: &str, version: &str, cksum: &str) -> Option<PathBuf> {
    let cksum = check_crate_id(name, version, cksum).ok()?;
    let cache = cargo_home.join("registry").join("cache");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&cache)
        .ok()?
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    let file_name = format!("{name}-{version}.crate");
    dirs.into_iter().map(|d| d.join(&file_name)).find(|candidate| {
        std::fs::symlink_metadata(candidate).is_ok_and(|m| m.is_file())
            && matches!(sha256_file(candidate, crate::Limits::default().max_crate_bytes), Ok(Some(h)) if h == cksum)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_separate_registries() {
        let a = cache_key("https://index.crates.io/");
        assert!(a.starts_with("index.crates.io-"), "{a}");
        assert_ne!(cache_key("http://127.0.0.1:1/index/"), cache_key("http://127.0.0.1:2/index/"));
        assert!(cache_key("/some/local/path").starts_with("local-"));
    }

    #[test]
    fn finds_verified_crate_in_cargo_home() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("registry/cache/index.crates.io-xyz");
        std::fs::create_dir_all(&dir).unwrap();
        let good = sha256_hex(b"good");
        std::fs::write(dir.join("foo-1.0.0.crate"), b"good").unwrap();
        std::fs::write(dir.join("bar-1.0.0.crate"), b"tampered").unwrap();
        assert_eq!(find_in_cargo_home(home.path(), "foo", "1.0.0", &good), Some(dir.join("foo-1.0.0.crate")));
        assert_eq!(find_in_cargo_home(home.path(), "bar", "1.0.0", &good), None);
        assert_eq!(find_in_cargo_home(home.path(), "foo", "2.0.0", &good), None);
        assert_eq!(find_in_cargo_home(home.path(), "../foo", "1.0.0", &good), None);
        assert_eq!(find_in_cargo_home(&home.path().join("nope"), "foo", "1.0.0", &good), None);
    }
}
