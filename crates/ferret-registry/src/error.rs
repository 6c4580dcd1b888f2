//! Errors of the registry client.

use std::path::PathBuf;

/// Anything that can go wrong talking to a registry, reading cargo's configuration or the
/// download cache. Every message names the crate, URL or file concerned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RegistryError {
    /// A crate name that is not 1-64 ASCII letters, digits, `-` or `_`.
    #[error("invalid crate name {name:?}: {reason}")]
    InvalidName {
        /// The rejected name.
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A `name[@version]` argument that cannot be parsed.
    #[error("invalid crate spec {spec:?}: {reason}")]
    InvalidSpec {
        /// The rejected spec.
        spec: String,
        /// Why it was rejected.
        reason: String,
    },
    /// A version that is not semver.
    #[error("invalid version {version:?} of crate {name}: {reason}")]
    InvalidVersion {
        /// Crate name.
        name: String,
        /// The rejected version.
        version: String,
        /// The semver parser's message.
        reason: String,
    },
    /// A version requirement that is not semver.
    #[error("invalid version requirement {req:?} for crate {name}: {reason}")]
    InvalidVersionReq {
        /// Crate name.
        name: String,
        /// The rejected requirement.
        req: String,
        /// The semver parser's message.
        reason: String,
    },
    /// A checksum that is not 64 hex digits.
    #[error("invalid sha256 checksum {cksum:?} for {name} {version}: expected 64 hex digits")]
    InvalidChecksum {
        /// Crate name.
        name: String,
        /// Crate version.
        version: String,
        /// The rejected checksum.
        cksum: String,
    },
    /// An index URL ferret cannot use.
    #[error("invalid registry index URL {url:?}: {reason}")]
    InvalidIndexUrl {
        /// The rejected URL.
        url: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The index has no file for this crate (HTTP 404, 410 or 451).
    #[error("crate {name} not found in the registry index")]
    NotFound {
        /// Crate name.
        name: String,
    },
    /// The crate exists but no version matches.
    #[error("no version of crate {name} matches {req} ({available} versions in the index; yanked versions only match an exact version)")]
    NoMatchingVersion {
        /// Crate name.
        name: String,
        /// The requirement asked for (`newest` when none).
        req: String,
        /// How many versions the index lists.
        available: usize,
    },
    /// An HTTP status other than success, after retries where retrying made sense.
    #[error("HTTP {status} from {url}{hint}")]
    Status {
        /// The URL requested.
        url: String,
        /// The status code.
        status: u16,
        /// Extra explanation (empty or starting with `: `).
        hint: String,
    },
    /// A connection, timeout or transfer failure, after every retry.
    #[error("request to {url} failed after {attempts} attempt(s): {source}")]
    Network {
        /// The URL requested.
        url: String,
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A response larger than the configured limit.
    #[error("response from {url} exceeds the limit of {limit} bytes")]
    TooLarge {
        /// The URL requested.
        url: String,
        /// The limit in bytes.
        limit: u64,
    },
    /// An index file that is not JSON lines of index entries at all.
    #[error("index file of crate {name} at {url} is not a sparse index file: {reason}")]
    InvalidIndex {
        /// Crate name.
        name: String,
        /// Where it came from.
        url: String,
        /// The first parse failure.
        reason: String,
    },
    /// A `config.json` that cannot be used.
    #[error("registry config {url} is invalid: {reason}")]
    InvalidRegistryConfig {
        /// Where it came from.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// A downloaded or cached `.crate` whose sha256 differs from the expected one.
    #[error("checksum mismatch for {name} {version}: expected sha256 {expected}, got {actual}")]
    ChecksumMismatch {
        /// Crate name.
        name: String,
        /// Crate version.
        version: String,
        /// The checksum from the index or lockfile.
        expected: String,
        /// The checksum of the bytes received.
        actual: String,
    },
    /// A file-system operation failed.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was being done (`read`, `create`, ...).
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A cargo configuration file that cannot be read or understood.
    #[error("cargo config {path}: {reason}")]
    CargoConfig {
        /// The configuration file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// Source replacement points at a kind of source ferret cannot fetch from.
    #[error("crates-io is replaced by source {source_name:?}, which ferret cannot use: {reason}")]
    UnsupportedSource {
        /// The replacement source's name.
        source_name: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// No download cache directory could be determined.
    #[error("no download cache directory: set FERRET_CACHE_DIR or use DownloadCache::new")]
    NoCacheDir,
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// Result alias of this crate.
pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

impl RegistryError {
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        RegistryError::Io { action, path: path.into(), source }
    }
}
