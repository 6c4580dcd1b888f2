//! ferret's engine: turns a crate (a `.crate` archive or an unpacked directory) into a
//! serialisable [`Report`] without ever building or running it.
#![forbid(unsafe_code)]

pub mod report;

pub use report::{Finding, Report, ScanOutput, Severity, Verdict};
