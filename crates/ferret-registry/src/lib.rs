//! A blocking client for cargo's sparse registry protocol, made for reading crates that may
//! be hostile.
//!
//! * [`Registry`]: index files ([`Registry::entries`]), version selection
//!   ([`Registry::resolve`]), and checksum-verified downloads into a [`DownloadCache`]
//!   ([`Registry::download`], [`Registry::download_checksum`]).
//! * Cargo's source replacement is honoured by [`Registry::from_cargo_config`].
//! * Transient failures (connection errors, timeouts, HTTP 5xx, 408, 429) are retried with
//!   exponential backoff ([`RetryPolicy`]); responses are size-limited ([`Limits`]).
//!
//! The API is blocking (reqwest's blocking client). From async code call it inside
//! `spawn_blocking`, and create and drop the [`Registry`] outside the async context too.
//!
//! ```no_run
//! let registry = ferret_registry::Registry::crates_io()?;
//! let entry = registry.resolve("serde", Some("^1"))?;
//! let path = registry.download(&entry)?; // sha256 checked against the index
//! # Ok::<(), ferret_registry::RegistryError>(())
//! ```
#![forbid(unsafe_code)]

mod cache;
mod cargo_config;
mod error;
mod index;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use cache::{DownloadCache, find_in_cargo_home, sha256_hex};
pub use cargo_config::{
    CRATES_IO_GIT_INDEX, CRATES_IO_INDEX, CargoConfig, ConfiguredSource, RegistrySource, cargo_home,
    normalize_index_url,
};
pub use error::{RegistryError, Result};
pub use index::{
    CrateSpec, DependencyKind, IndexDependency, IndexEntry, IndexFile, index_path, index_prefix, parse_index_file,
    parse_spec, select_version, validate_crate_name,
};

use cache::{check_crate_id, sha256_file};

/// `User-Agent` sent with every request.
pub const USER_AGENT: &str = concat!("ferret/", env!("CARGO_PKG_VERSION"), " (+https://github.com/ferret-rs/ferret)");

/// How many index responses are remembered for conditional requests before the memory is
/// cleared.
const INDEX_CACHE_ENTRIES: usize = 4096;

/// How transient failures are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = no retry).
    pub max_retries: u32,
    /// Wait before the first retry; doubled for each further one.
    pub initial_backoff: Duration,
    /// Upper bound of one wait.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries, waiting 250 ms, 500 ms, 1 s (at most 4 s each).
    fn default() -> Self {
        RetryPolicy { max_retries: 3, initial_backoff: Duration::from_millis(250), max_backoff: Duration::from_secs(4) }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, initial_backoff: Duration::ZERO, max_backoff: Duration::ZERO }
    }

    /// The wait before retry number `retry` (1-based).
    pub fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.saturating_sub(1).min(16)).unwrap_or(u32::MAX);
        self.initial_backoff.saturating_mul(factor).min(self.max_backoff)
    }
}

/// Size limits on what a registry may send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// One index file, after HTTP decompression (default 32 MiB; serde's is about 0.5 MiB).
    pub max_index_bytes: u64,
    /// One `.crate` file (default 100 MiB; crates.io refuses uploads over 10 MiB by default).
    pub max_crate_bytes: u64,
    /// `config.json` (default 1 MiB).
    pub max_config_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_index_bytes: 32 << 20, max_crate_bytes: 100 << 20, max_config_bytes: 1 << 20 }
    }
}

/// A registry's `config.json`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct IndexConfig {
    /// Download URL or template (`{crate}`, `{version}`, `{prefix}`, `{lowerprefix}`,
    /// `{sha256-checksum}`); without markers, `/{crate}/{version}/download` is appended.
    pub dl: String,
    /// The web API root, if the registry has one.
    #[serde(default)]
    pub api: Option<String>,
    /// Whether the registry requires authentication (not supported by ferret).
    #[serde(default, rename = "auth-required")]
    pub auth_required: bool,
}

impl IndexConfig {
    /// The download URL of a crate version, expanding `dl` as cargo does.
    pub fn download_url(&self, name: &str, version: &str, cksum: &str) -> String {
        const MARKERS: [&str; 5] = ["{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"];
        if !MARKERS.iter().any(|m| self.dl.contains(m)) {
            return format!("{}/{name}/{version}/download", self.dl.trim_end_matches('/'));
        }
        let prefix = index_prefix(name);
        self.dl
            .replace("{crate}", name)
            .replace("{version}", version)
            .replace("{lowerprefix}", &prefix.to_ascii_lowercase())
            .replace("{prefix}", &prefix)
            .replace("{sha256-checksum}", cksum)
    }
}

/// Sets up a [`Registry`].
#[derive(Debug)]
pub struct RegistryBuilder {
    source: RegistrySource,
    retry: RetryPolicy,
    limits: Limits,
    timeout: Duration,
    connect_timeout: Duration,
    cache: Option<DownloadCache>,
    cargo_home: Option<PathBuf>,
}

impl RegistryBuilder {
    /// Retry policy (default [`RetryPolicy::default`]).
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }
    /// Size limits (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Timeout of one whole request including its body (default 120 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
    /// Timeout of connecting (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }
    /// The download cache (default [`DownloadCache::user_default`]).
    pub fn cache(mut self, cache: DownloadCache) -> Self {
        self.cache = Some(cache);
        self
    }
    /// The cargo home searched by [`Registry::find_in_cargo_home`] (default [`cargo_home`]).
    pub fn cargo_home(mut self, cargo_home: impl Into<PathBuf>) -> Self {
        self.cargo_home = Some(cargo_home.into());
        self
    }
    /// Builds the client.
    pub fn build(self) -> Result<Registry> {
        let http = reqwest::blocking::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()
            .map_err(RegistryError::Client)?;
        let cache = match self.cache {
            Some(c) => Some(c),
            None => DownloadCache::user_default().ok(),
        };
        Ok(Registry {
            source: self.source,
            http,
            retry: self.retry,
            limits: self.limits,
            cache,
            cargo_home: self.cargo_home.or_else(cargo_home),
            config: Mutex::new(None),
            index_cache: Mutex::new(HashMap::new()),
        })
    }
}

#[derive(Clone)]
struct CachedIndex {
    etag: Option<String>,
    last_modified: Option<String>,
    file: IndexFile,
}

/// A registry client. Cheap to share behind an `Arc`; all methods take `&self`.
pub struct Registry {
    source: RegistrySource,
    http: reqwest::blocking::Client,
    retry: RetryPolicy,
    limits: Limits,
    cache: Option<DownloadCache>,
    cargo_home: Option<PathBuf>,
    config: Mutex<Option<IndexConfig>>,
    index_cache: Mutex<HashMap<String, CachedIndex>>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("source", &self.source)
            .field("retry", &self.retry)
            .field("limits", &self.limits)
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// Why one attempt failed.
enum Failure {
    /// Do not retry.
    Fatal(RegistryError),
    /// Retry if attempts remain: an HTTP status.
    Status(u16),
    /// Retry if attempts remain: a connection, timeout or transfer error.
    Net(Box<dyn std::error::Error + Send + Sync>),
}

enum Got {
    Body { bytes: Vec<u8>, etag: Option<String>, last_modified: Option<String> },
    NotModified,
    Missing,
}

fn status_hint(status: u16) -> String {
    match status {
        401 | 403 => ": the registry requires authentication, which ferret does not support".into(),
        404 | 410 | 451 => ": not found".into(),
        429 => ": rate limited".into(),
        _ => String::new(),
    }
}

fn fail_status(status: StatusCode) -> Failure {
    let code = status.as_u16();
    if status.is_server_error() || code == 408 || code == 429 {
        Failure::Status(code)
    } else {
        Failure::Fatal(RegistryError::Status { url: String::new(), status: code, hint: status_hint(code) })
    }
}

impl Registry {
    /// A builder for a registry read from `source`.
    pub fn builder(source: RegistrySource) -> RegistryBuilder {
        RegistryBuilder {
            source,
            retry: RetryPolicy::default(),
            limits: Limits::default(),
            timeout: Duration::from_secs(120),
            connect_timeout: Duration::from_secs(10),
            cache: None,
            cargo_home: None,
        }
    }

    /// crates.io's sparse index, ignoring cargo's configuration.
    pub fn crates_io() -> Result<Registry> {
        Registry::builder(RegistrySource::crates_io()).build()
    }

    /// The sparse index at `index_url` (`sparse+https://...`, `https://...`, or `http://` to
    /// a loopback host).
    pub fn new(index_url: &str) -> Result<Registry> {
        Registry::builder(RegistrySource::sparse(index_url)?).build()
    }

    /// crates.io as cargo would reach it from `cwd`: with the source replacement of the cargo
    /// config files of `cwd`, its ancestors and `$CARGO_HOME` (see [`CargoConfig::load`]).
    pub fn from_cargo_config(cwd: &Path) -> Result<Registry> {
        let home = cargo_home();
        let configured = CargoConfig::load(cwd, home.as_deref())?.crates_io_source()?;
        let mut builder = Registry::builder(configured.source);
        if let Some(home) = home {
            builder = builder.cargo_home(home);
        }
        builder.build()
    }

    /// Where this registry reads from.
    pub fn source(&self) -> &RegistrySource {
        &self.source
    }

    /// The index URL, for a sparse registry.
    pub fn index_url(&self) -> Option<&str> {
        match &self.source {
            RegistrySource::Sparse { index_url } => Some(index_url),
            RegistrySource::Local { .. } => None,
        }
    }

    /// The download cache, if one could be determined.
    pub fn cache(&self) -> Option<&DownloadCache> {
        self.cache.as_ref()
    }

    /// The registry's `config.json` (fetched once, then remembered).
    pub fn config(&self) -> Result<IndexConfig> {
        let index_url = match &self.source {
            RegistrySource::Sparse { index_url } => index_url,
            RegistrySource::Local { path } => {
                return Err(RegistryError::InvalidRegistryConfig {
                    url: path.display().to_string(),
                    reason: "a local registry has no config.json".into(),
                });
            }
        };
        let mut guard = self.config.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(config) = guard.as_ref() {
            return Ok(config.clone());
        }
        let url = format!("{index_url}config.json");
        let invalid = |reason: String| RegistryError::InvalidRegistryConfig { url: url.clone(), reason };
        let bytes = match self.get(&url, self.limits.max_config_bytes, None)? {
            Got::Body { bytes, .. } => bytes,
            Got::Missing => return Err(invalid("not found; is this a sparse registry index?".into())),
            Got::NotModified => return Err(invalid("unexpected 304 Not Modified".into())),
        };
        let config: IndexConfig = serde_json::from_slice(&bytes).map_err(|e| invalid(e.to_string()))?;
        if config.dl.trim().is_empty() {
            return Err(invalid("empty \"dl\"".into()));
        }
        *guard = Some(config.clone());
        Ok(config)
    }

    /// The index file of crate `name`, with the count of lines skipped as unparsable.
    /// Remembers `ETag`/`Last-Modified` and revalidates with conditional requests.
    pub fn index_file(&self, name: &str) -> Result<IndexFile> {
        validate_crate_name(name)?;
        let rel = index_path(name);
        match &self.source {
            RegistrySource::Local { path } => {
                let file = path.join("index").join(&rel);
                let meta = match std::fs::metadata(&file) {
                    Ok(m) => m,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(RegistryError::NotFound { name: name.to_owned() });
                    }
                    Err(e) => return Err(RegistryError::io("read", file, e)),
                };
                let shown = file.display().to_string();
                if meta.len() > self.limits.max_index_bytes {
                    return Err(RegistryError::TooLarge { url: shown, limit: self.limits.max_index_bytes });
                }
                let bytes = std::fs::read(&file).map_err(|e| RegistryError::io("read", &file, e))?;
                parse_index_file(name, &shown, &bytes)
            }
            RegistrySource::Sparse { index_url } => {
                let url = format!("{index_url}{rel}");
                let cached = self.index_cache.lock().unwrap_or_else(|p| p.into_inner()).get(&url).cloned();
                match self.get(&url, self.limits.max_index_bytes, cached.as_ref())? {
                    Got::Body { bytes, etag, last_modified } => {
                        let file = parse_index_file(name, &url, &bytes)?;
                        if etag.is_some() || last_modified.is_some() {
                            let mut memo = self.index_cache.lock().unwrap_or_else(|p| p.into_inner());
                            if memo.len() >= INDEX_CACHE_ENTRIES {
                                memo.clear();
                            }
                            memo.insert(url, CachedIndex { etag, last_modified, file: file.clone() });
                        }
                        Ok(file)
                    }
                    Got::NotModified => match cached {
                        Some(c) => Ok(IndexFile { name: name.to_owned(), ..c.file }),
                        None => Err(RegistryError::Status { url, status: 304, hint: ": unexpected".into() }),
                    },
                    Got::Missing => Err(RegistryError::NotFound { name: name.to_owned() }),
                }
            }
        }
    }

    /// Every version of crate `name` the index lists (unparsable lines skipped).
    pub fn entries(&self, name: &str) -> Result<Vec<IndexEntry>> {
        Ok(self.index_file(name)?.entries)
    }

    /// The version of `name` to use: see [`select_version`] for the rules.
    pub fn resolve(&self, name: &str, version_req: Option<&str>) -> Result<IndexEntry> {
        let entries = self.entries(name)?;
        select_version(name, &entries, version_req)
    }

    /// The download URL of a crate version, from `config.json`'s `dl`.
    pub fn download_url(&self, name: &str, version: &str, cksum: &str) -> Result<String> {
        let config = self.config()?;
        let url = config.download_url(name, version, cksum);
        let ok = reqwest::Url::parse(&url).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        if !ok {
            return Err(RegistryError::InvalidRegistryConfig {
                url: self.index_url().map(|u| format!("{u}config.json")).unwrap_or_default(),
                reason: format!("download URL {url:?} built from \"dl\" is not an http(s) URL"),
            });
        }
        Ok(url)
    }

    /// Downloads (or finds in the cache) the `.crate` of an index entry, verified against the
    /// entry's sha256. Returns the path of the verified file.
    pub fn download(&self, entry: &IndexEntry) -> Result<PathBuf> {
        self.download_checksum(&entry.name, &entry.vers.to_string(), &entry.cksum)
    }

    /// Downloads (or finds in the cache) `name` `version`, verified against `sha256` (from a
    /// lockfile, say); the index is not consulted. A cached file is re-hashed on every hit
    /// and fetched again if it no longer matches. On a mismatch nothing is stored.
    pub fn download_checksum(&self, name: &str, version: &str, sha256: &str) -> Result<PathBuf> {
        let cksum = check_crate_id(name, version, sha256)?;
        let limit = self.limits.max_crate_bytes;
        let mismatch = |actual: String| RegistryError::ChecksumMismatch {
            name: name.to_owned(),
            version: version.to_owned(),
            expected: cksum.clone(),
            actual,
        };
        let index_url = match &self.source {
            RegistrySource::Sparse { index_url } => index_url,
            RegistrySource::Local { path } => {
                let file = path.join(format!("{name}-{version}.crate"));
                return match sha256_file(&file, limit) {
                    Ok(Some(h)) if h == cksum => Ok(file),
                    Ok(Some(h)) => Err(mismatch(h)),
                    Ok(None) => Err(RegistryError::TooLarge { url: file.display().to_string(), limit }),
                    Err(e) => Err(RegistryError::io("read", file, e)),
                };
            }
        };
        let cache = self.cache.as_ref().ok_or(RegistryError::NoCacheDir)?;
        let dest = cache.path_for(index_url, name, version);
        if let Ok(meta) = std::fs::symlink_metadata(&dest) {
            if meta.is_file() && matches!(sha256_file(&dest, limit), Ok(Some(ref h)) if *h == cksum) {
                return Ok(dest);
            }
            std::fs::remove_file(&dest).map_err(|e| RegistryError::io("remove stale cached file", &dest, e))?;
        }
        let dir = cache.dir_for(index_url);
        std::fs::create_dir_all(&dir).map_err(|e| RegistryError::io("create cache directory", &dir, e))?;
        let url = self.download_url(name, version, &cksum)?;
        let (tmp, actual) = self.fetch_to_temp(&url, &dir, limit)?;
        if actual != cksum {
            return Err(mismatch(actual)); // `tmp` is deleted on drop
        }
        tmp.persist(&dest).map_err(|e| RegistryError::io("store", &dest, e.error))?;
        Ok(dest)
    }

    /// `NAME-VERSION.crate` from cargo's own download cache (`CARGO_HOME/registry/cache/*/`),
    /// if present with sha256 `cksum`.
    pub fn find_in_cargo_home(&self, name: &str, version: &str, cksum: &str) -> Option<PathBuf> {
        find_in_cargo_home(self.cargo_home.as_deref()?, name, version, cksum)
    }

    /// Runs `attempt` until it succeeds, fails fatally, or retries run out.
    fn with_retry<T>(&self, url: &str, mut attempt: impl FnMut() -> Result<T, Failure>) -> Result<T> {
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let failure = match attempt() {
                Ok(v) => return Ok(v),
                Err(Failure::Fatal(RegistryError::Status { status, hint, .. })) => {
                    return Err(RegistryError::Status { url: url.to_owned(), status, hint });
                }
                Err(Failure::Fatal(e)) => return Err(e),
                Err(f) => f,
            };
            if attempts > self.retry.max_retries {
                return Err(match failure {
                    Failure::Status(status) => RegistryError::Status {
                        url: url.to_owned(),
                        status,
                        hint: format!("{} (after {attempts} attempts)", status_hint(status)),
                    },
                    Failure::Net(source) => RegistryError::Network { url: url.to_owned(), attempts, source },
                    Failure::Fatal(e) => e,
                });
            }
            std::thread::sleep(self.retry.backoff(attempts));
        }
    }

    /// GET with retries, a size limit and optional revalidation.
    fn get(&self, url: &str, limit: u64, cached: Option<&CachedIndex>) -> Result<Got> {
        self.with_retry(url, || {
            let mut req = self.http.get(url);
            if let Some(c) = cached {
                if let Some(etag) = &c.etag {
                    req = req.header(IF_NONE_MATCH, etag);
                }
                if let Some(lm) = &c.last_modified {
                    req = req.header(IF_MODIFIED_SINCE, lm);
                }
            }
            let resp = req.send().map_err(|e| Failure::Net(Box::new(e)))?;
            let status = resp.status();
            match status.as_u16() {
                304 if cached.is_some() => return Ok(Got::NotModified),
                404 | 410 | 451 => return Ok(Got::Missing),
                _ if status.is_success() => {}
                _ => return Err(fail_status(status)),
            }
            let header = |name| resp.headers().get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(str::to_owned);
            let etag = header(ETAG);
            let last_modified = header(LAST_MODIFIED);
            if resp.content_length().is_some_and(|n| n > limit) {
                return Err(Failure::Fatal(RegistryError::TooLarge { url: url.to_owned(), limit }));
            }
            let mut bytes = Vec::new();
            resp.take(limit + 1).read_to_end(&mut bytes).map_err(|e| Failure::Net(Box::new(e)))?;
            if bytes.len() as u64 > limit {
                return Err(Failure::Fatal(RegistryError::TooLarge { url: url.to_owned(), limit }));
            }
            Ok(Got::Body { bytes, etag, last_modified })
        })
    }

    /// Streams `url` into a temporary file in `dir`, hashing as it goes.
    fn fetch_to_temp(&self, url: &str, dir: &Path, limit: u64) -> Result<(tempfile::NamedTempFile, String)> {
        self.with_retry(url, || {
            let resp = self.http.get(url).send().map_err(|e| Failure::Net(Box::new(e)))?;
            let status = resp.status();
            if !status.is_success() {
                return Err(fail_status(status));
            }
            if resp.content_length().is_some_and(|n| n > limit) {
                return Err(Failure::Fatal(RegistryError::TooLarge { url: url.to_owned(), limit }));
            }
            let mut tmp = tempfile::Builder::new()
                .prefix(".download-")
                .tempfile_in(dir)
                .map_err(|e| Failure::Fatal(RegistryError::io("create a file in", dir, e)))?;
            let mut hasher = Sha256::new();
            let mut reader = resp.take(limit + 1);
            let mut buf = vec![0u8; 64 * 1024];
            let mut total = 0u64;
            loop {
                let n = reader.read(&mut buf).map_err(|e| Failure::Net(Box::new(e)))?;
                if n == 0 {
                    break;
                }
                total += n as u64;
                if total > limit {
                    return Err(Failure::Fatal(RegistryError::TooLarge { url: url.to_owned(), limit }));
                }
                hasher.update(&buf[..n]);
                tmp.write_all(&buf[..n])
                    .map_err(|e| Failure::Fatal(RegistryError::io("write", tmp.path().to_path_buf(), e)))?;
            }
            Ok((tmp, hex::encode(hasher.finalize())))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dl_templates() {
        let c = |dl: &str| IndexConfig { dl: dl.into(), api: None, auth_required: false };
        assert_eq!(c("https://static.crates.io/crates").download_url("Serde", "1.0.0", "ab"), "https://static.crates.io/crates/Serde/1.0.0/download");
        assert_eq!(
            c("https://m/{prefix}/{lowerprefix}/{crate}-{version}.crate?sum={sha256-checksum}").download_url("Serde", "1.0.0", "ab"),
            "https://m/Se/rd/se/rd/Serde-1.0.0.crate?sum=ab"
        );
        assert_eq!(c("https://m/{prefix}/{crate}").download_url("abc", "1.0.0", "ab"), "https://m/3/a/abc");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let r = RetryPolicy { max_retries: 9, initial_backoff: Duration::from_millis(100), max_backoff: Duration::from_millis(350) };
        assert_eq!(r.backoff(1), Duration::from_millis(100));
        assert_eq!(r.backoff(2), Duration::from_millis(200));
        assert_eq!(r.backoff(3), Duration::from_millis(350));
        assert_eq!(r.backoff(40), Duration::from_millis(350));
    }
}
