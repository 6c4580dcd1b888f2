//! The registry seen by the service: index entries of a crate and checksum-verified downloads.

use std::path::PathBuf;

/// One version of a crate as the sparse index lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexVersion {
    /// Crate name as published.
    pub name: String,
    /// Version string (semver).
    pub vers: String,
    /// sha256 of the `.crate` file, hex.
    pub cksum: String,
    /// Whether the version is yanked.
    pub yanked: bool,
}

/// Why a registry request failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    /// A network problem or a server error that may go away: the job is retried with backoff.
    #[error("network error: {0}")]
    Transient(String),
    /// The registry answered with something unusable (garbage, checksum mismatch, not found):
    /// retrying will not help, the job fails with this error recorded.
    #[error("bad registry answer: {0}")]
    Invalid(String),
}

/// A crate registry: the service's only way to reach index entries and `.crate` files.
/// Calls are blocking; the service runs them on blocking threads.
pub trait Registry: Send + Sync {
    /// Every version of `name` listed in the index (empty when the crate is unknown).
    fn versions(&self, name: &str) -> Result<Vec<IndexVersion>, FetchError>;
    /// Download the `.crate` file of `version`, verify its checksum and return its path.
    fn download(&self, version: &IndexVersion) -> Result<PathBuf, FetchError>;
}

/// [`Registry`] over ferret's sparse index client (`ferret-registry`).
///
/// `ferret_registry::Registry` uses a blocking HTTP client: build and drop this value outside
/// async code (keep an `Arc` of it alive in the caller until the runtime has stopped).
pub struct SparseRegistry {
    inner: ferret_registry::Registry,
}

impl SparseRegistry {
    /// Wrap a configured client.
    pub fn new(inner: ferret_registry::Registry) -> SparseRegistry {
        SparseRegistry { inner }
    }
}

fn classify(e: ferret_registry::RegistryError) -> FetchError {
    use ferret_registry::RegistryError as E;
    match &e {
        E::Network { .. } => FetchError::Transient(e.to_string()),
        E::Status { status, .. } if *status >= 500 || *status == 408 || *status == 429 => {
            FetchError::Transient(e.to_string())
        }
        E::Io { .. } => FetchError::Transient(e.to_string()),
        _ => FetchError::Invalid(e.to_string()),
    }
}

impl Registry for SparseRegistry {
    fn versions(&self, name: &str) -> Result<Vec<IndexVersion>, FetchError> {
        match self.inner.entries(name) {
            Ok(entries) => Ok(entries
                .into_iter()
                .map(|e| IndexVersion { name: e.name, vers: e.vers.to_string(), cksum: e.cksum, yanked: e.yanked })
                .collect()),
            Err(ferret_registry::RegistryError::NotFound { .. }) => Ok(Vec::new()),
            Err(e) => Err(classify(e)),
        }
    }

    fn download(&self, version: &IndexVersion) -> Result<PathBuf, FetchError> {
        self.inner.download_checksum(&version.name, &version.vers, &version.cksum).map_err(classify)
    }
}
