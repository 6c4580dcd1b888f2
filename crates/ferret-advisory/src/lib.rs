//! Known-malware advisories for ferret: readers for the RustSec advisory database and OSV
//! records, a snapshot built into the binary, merging, and version matching.
//!
//! ```
//! use ferret_advisory::AdvisoryDb;
//! let db = AdvisoryDb::embedded();
//! let hits = db.matches("rustdecimal", &semver::Version::new(1, 23, 1));
//! assert!(hits.iter().any(|a| a.malicious));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod db;
mod error;
mod model;
mod osv;
mod rustsec;
pub mod update;

pub use db::{embedded_files, today, AdvisoryDb, LoadWarning, Origin, MAX_ADVISORY_FILE_BYTES};
pub use error::{LoadError, ParseError, UpdateError};
pub use model::{
    names_equal, normalize_name, Advisory, AffectedRange, Indicator, IndicatorKind, RangeEvent,
    RelatedRecord, Source,
};
pub use osv::{parse_osv, CRATES_IO};
/// Re-exported: the date type of [`Advisory::date`] and [`AdvisoryDb::data_date`].
pub use jiff::civil::Date;
/// Re-exported: the version types used for matching.
pub use semver::{Version, VersionReq};
pub use rustsec::{parse_rustsec, title_says_takedown};
