//! Installing a fresh RustSec advisory database from a `.tar.gz` of the advisory-db repository.
//!
//! The archive is hostile until proven otherwise: it is read as a stream, decompressed bytes,
//! entry count, file size and path depth are limited, and an entry with an absolute path or a
//! `..` component makes the whole archive refused. Only regular files at
//! `<top>/crates/<name>/RUSTSEC-*.md` are written, under names checked character by character;
//! links, devices and everything else are never created. The new copy is assembled in a sibling
//! temporary folder and swapped in only once it loads.

use std::io::{self, Read};
use std::path::{Component, Path, PathBuf};

use crate::db::AdvisoryDb;
use crate::error::UpdateError;

/// The RustSec advisory database, as GitHub serves a tarball of its main branch.
pub const DEFAULT_URL: &str = "https://github.com/rustsec/advisory-db/archive/refs/heads/main.tar.gz";

/// The file that marks a folder as installed by ferret (only such a folder is ever replaced).
pub const MARKER_FILE: &str = ".ferret-advisory-db.json";

/// Safety limits for unpacking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpackLimits {
    /// Total decompressed bytes read from the archive (guards against gzip bombs).
    pub max_unpacked_bytes: u64,
    /// Number of archive entries.
    pub max_entries: u64,
    /// Size of one advisory file.
    pub max_file_bytes: u64,
    /// Path components of one entry.
    pub max_depth: usize,
}

impl Default for UnpackLimits {
    /// 512 MiB unpacked, 200,000 entries, 1 MiB per advisory, 32 path components. The real
    /// advisory-db is about 6 MB unpacked and 2,000 files.
    fn default() -> Self {
        UnpackLimits {
            max_unpacked_bytes: 512 * 1024 * 1024,
            max_entries: 200_000,
            max_file_bytes: 1024 * 1024,
            max_depth: 32,
        }
    }
}

/// What an update installed.
#[derive(Debug, Clone)]
pub struct UpdateSummary {
    /// The folder the database is now in.
    pub dest: PathBuf,
    /// Advisory files written.
    pub files: usize,
    /// The installed database, loaded.
    pub db: AdvisoryDb,
}

impl UpdateSummary {
    /// How many of the installed advisories are about malware.
    pub fn malicious(&self) -> usize {
        self.db.malicious().count()
    }
}

/// Unpacks a gzip-compressed tarball of the advisory-db repository into `dest` (replacing a
/// previous ferret install there) and loads it.
pub fn install_tarball<R: Read>(
    reader: R,
    dest: &Path,
    limits: &UnpackLimits,
    source_url: &str,
) -> Result<UpdateSummary, UpdateError> {
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| UpdateError::Write { path, source }
    };
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dest_name = dest
        .file_name()
        .ok_or_else(|| UpdateError::Refused(format!("destination {} has no folder name", dest.display())))?
        .to_string_lossy()
        .into_owned();
    if dest.exists() && !replaceable(dest) {
        return Err(UpdateError::Refused(format!(
            "{} exists and was not installed by ferret (no {MARKER_FILE}); choose an empty or new folder",
            dest.display()
        )));
    }
    std::fs::create_dir_all(&parent).map_err(write_err(&parent))?;
    let unique = format!("{}-{}", std::process::id(), nanos());
    let staging = parent.join(format!(".{dest_name}.new-{unique}"));
    std::fs::create_dir(&staging).map_err(write_err(&staging))?;

    let result = unpack(reader, &staging, limits).and_then(|files| {
        let marker = serde_json::json!({ "url": source_url, "installed": jiff::Timestamp::now().to_string(), "files": files });
        let marker_path = staging.join(MARKER_FILE);
        std::fs::write(&marker_path, marker.to_string()).map_err(write_err(&marker_path))?;
        AdvisoryDb::load_rustsec(&staging)?;
        Ok(files)
    });
    let files = match result {
        Ok(f) => f,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };

    // Swap: move the old copy aside, move the new one in, then delete the old one.
    let old = parent.join(format!(".{dest_name}.old-{unique}"));
    let had_old = dest.exists();
    if had_old {
        if let Err(source) = std::fs::rename(dest, &old) {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(UpdateError::Write { path: dest.to_path_buf(), source });
        }
    }
    if let Err(source) = std::fs::rename(&staging, dest) {
        if had_old {
            let _ = std::fs::rename(&old, dest);
        }
        let _ = std::fs::remove_dir_all(&staging);
        return Err(UpdateError::Write { path: dest.to_path_buf(), source });
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    let db = AdvisoryDb::load_rustsec(dest)?;
    Ok(UpdateSummary { dest: dest.to_path_buf(), files, db })
}

/// Downloads the tarball at `url` (HTTPS via rustls, or plain HTTP) and installs it into `dest`
/// with [`install_tarball`].
#[cfg(feature = "fetch")]
pub fn fetch_and_install(url: &str, dest: &Path, limits: &UnpackLimits) -> Result<UpdateSummary, UpdateError> {
    let dl = |message: String| UpdateError::Download { url: url.to_owned(), message };
    let parsed = reqwest::Url::parse(url).map_err(|e| dl(e.to_string()))?;
    if !matches!(parsed.scheme(), "https" | "http") {
        return Err(dl(format!("unsupported scheme {:?}", parsed.scheme())));
    }
    let loopback = parsed.host_str().is_some_and(|h| {
        h.eq_ignore_ascii_case("localhost")
            || h.trim_matches(['[', ']']).parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
    });
    let mut builder = reqwest::blocking::Client::builder()
        .user_agent(concat!("ferret/", env!("CARGO_PKG_VERSION"), " (advisories update)"))
        .connect_timeout(std::time::Duration::from_secs(30))
        .timeout(std::time::Duration::from_secs(300));
    if loopback {
        builder = builder.no_proxy();
    }
    let client = builder.build().map_err(|e| dl(e.to_string()))?;
    let response = client.get(parsed).send().map_err(|e| dl(error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        return Err(dl(format!("HTTP status {status}")));
    }
    install_tarball(response, dest, limits, url)
}

#[cfg(feature = "fetch")]
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

fn nanos() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
}

/// A folder may be replaced when ferret made it (marker present) or it is empty.
fn replaceable(dest: &Path) -> bool {
    if !dest.is_dir() {
        return false;
    }
    if dest.join(MARKER_FILE).is_file() {
        return true;
    }
    std::fs::read_dir(dest).map(|mut d| d.next().is_none()).unwrap_or(false)
}

/// A reader that fails once more than `left` bytes have been read.
struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n as u64 > self.left {
            return Err(io::Error::other(format!(
                "archive unpacks to more than {} bytes",
                self.limit
            )));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

fn valid_part(s: &str, extra: &[char]) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && !s.starts_with('.')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || extra.contains(&c))
}

fn unpack<R: Read>(reader: R, staging: &Path, limits: &UnpackLimits) -> Result<usize, UpdateError> {
    let limited = Limited {
        inner: flate2::read::GzDecoder::new(reader),
        left: limits.max_unpacked_bytes,
        limit: limits.max_unpacked_bytes,
    };
    let mut archive = tar::Archive::new(limited);
    let mut count = 0u64;
    let mut files = 0usize;
    for entry in archive.entries().map_err(UpdateError::Archive)? {
        let mut entry = entry.map_err(UpdateError::Archive)?;
        count += 1;
        if count > limits.max_entries {
            return Err(UpdateError::Refused(format!("more than {} entries", limits.max_entries)));
        }
        let kind = entry.header().entry_type();
        if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() || kind.is_gnu_longname() {
            continue;
        }
        let path = entry.path().map_err(UpdateError::Archive)?.into_owned();
        let mut parts = Vec::new();
        for c in path.components() {
            match c {
                Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
                Component::CurDir => {}
                _ => {
                    return Err(UpdateError::Refused(format!(
                        "entry {:?} leaves the archive (absolute path or `..`)",
                        path.display().to_string()
                    )));
                }
            }
        }
        if parts.len() > limits.max_depth {
            return Err(UpdateError::Refused(format!(
                "entry {:?} is nested deeper than {} folders",
                path.display().to_string(),
                limits.max_depth
            )));
        }
        // Only <top>/crates/<name>/RUSTSEC-*.md regular files are kept.
        let wanted = kind.is_file()
            && parts.len() == 4
            && parts[1] == "crates"
            && valid_part(&parts[2], &[])
            && parts[3].starts_with("RUSTSEC-")
            && parts[3].ends_with(".md")
            && valid_part(&parts[3], &['.']);
        if !wanted {
            continue;
        }
        let size = entry.header().size().map_err(UpdateError::Archive)?;
        if size > limits.max_file_bytes {
            return Err(UpdateError::Refused(format!(
                "entry {:?} is {size} bytes, more than {}",
                path.display().to_string(),
                limits.max_file_bytes
            )));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        (&mut entry).take(limits.max_file_bytes + 1).read_to_end(&mut bytes).map_err(UpdateError::Archive)?;
        let dir = staging.join("crates").join(&parts[2]);
        std::fs::create_dir_all(&dir).map_err(|source| UpdateError::Write { path: dir.clone(), source })?;
        let file = dir.join(&parts[3]);
        std::fs::write(&file, &bytes).map_err(|source| UpdateError::Write { path: file.clone(), source })?;
        files += 1;
    }
    if files == 0 {
        return Err(UpdateError::Empty);
    }
    Ok(files)
}
