//! Name and metadata checks for crates: typosquats of popular crates, borrowed identities
//! (repository, description, README), version numbering that copies an established crate, and
//! dependency-confusion probes.
//!
//! ```
//! use ferret_names::{Corpus, NameChecker, Technique};
//! let corpus = Corpus::embedded();
//! let checker = NameChecker::new(&corpus, 3000);
//! let check = checker.check("rustdecimal");
//! assert!(check.flagged);
//! assert_eq!(check.matches[0].target, "rust_decimal");
//! assert!(!checker.check("serde").flagged);
//! ```
#![forbid(unsafe_code)]

mod checker;
mod corpus;
mod dbdump;
mod metadata;
pub mod normalize;

use std::path::PathBuf;

pub use checker::{AFFIXES, DEFAULT_POPULARITY_RATIO, LOOK_ALIKES, NameCheck, NameChecker, NameMatch, Technique};
pub use corpus::{Corpus, CorpusSource, CrateEntry};
pub use metadata::{CrateMeta, MetadataSignal, NEW_CRATE_DAYS, RegistryFacts, Severity, SignalKind};

/// The number of top crates crates.io checks new names against.
pub const DEFAULT_TOP_N: usize = 3000;

/// Errors reading a corpus or a database dump.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file is larger than this reader accepts.
    #[error("{path} is larger than {limit} bytes")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// Malformed CSV.
    #[error("malformed CSV in {path}: {source}")]
    Csv {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: csv::Error,
    },
    /// A required column is missing from a CSV header.
    #[error("{path} has no `{column}` column")]
    MissingColumn {
        /// The file.
        path: PathBuf,
        /// The column.
        column: String,
    },
    /// A table the corpus needs is missing from a database dump.
    #[error("{path} is not a crates.io database dump: it has no {file}")]
    DumpMissing {
        /// The dump.
        path: PathBuf,
        /// The missing table file.
        file: String,
    },
    /// A value in a dump table could not be read.
    #[error("{path}, line {line}: bad `{column}` value")]
    DumpValue {
        /// The table file.
        path: PathBuf,
        /// Its line.
        line: u64,
        /// The column (or the problem).
        column: String,
    },
}
