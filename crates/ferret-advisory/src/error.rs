//! Errors.

use std::path::PathBuf;

/// A file that could not be read as an advisory.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ParseError {
    /// The file, as given to the parser.
    pub file: String,
    /// What is wrong with it.
    pub message: String,
}

/// An advisory source that could not be loaded at all (a bad file inside a good folder is a
/// [`crate::LoadWarning`] instead).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The folder does not exist or cannot be read.
    #[error("cannot read advisory folder {path}: {source}")]
    Io {
        /// The folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The path is not a folder.
    #[error("{0} is not a folder")]
    NotADirectory(PathBuf),
    /// A RustSec folder that holds no `crates/` (or `rustsec-crates/`) folder and no
    /// `<name>/RUSTSEC-*.md` files.
    #[error("{0} does not look like a RustSec advisory database (no crates/<name>/RUSTSEC-*.md)")]
    NotRustSec(PathBuf),
}

/// Failure of `advisories update`.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// Reading or decompressing the archive failed.
    #[error("reading the advisory archive: {0}")]
    Archive(#[source] std::io::Error),
    /// The archive broke a safety limit or holds a dangerous path.
    #[error("refused the advisory archive: {0}")]
    Refused(String),
    /// The archive holds no RustSec advisories.
    #[error("the archive holds no crates/<name>/RUSTSEC-*.md files: not a RustSec advisory-db archive")]
    Empty,
    /// Writing into the destination failed.
    #[error("writing {path}: {source}")]
    Write {
        /// What was being written.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// No destination was given and the platform has no user data folder.
    #[error("no user data folder on this platform: pass a destination")]
    NoDataDir,
    /// The download failed.
    #[error("downloading {url}: {message}")]
    Download {
        /// The URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The unpacked database did not load.
    #[error(transparent)]
    Load(#[from] LoadError),
}
