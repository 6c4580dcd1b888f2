//! Presenting reports: the one place that turns [`Report`]s into text for people and machines.
//!
//! Every command that reports (`scan`, `audit`, `diff`) goes through the same renderers:
//!
//! - [`json::scan_json`] / [`json::to_json`]: the JSON contract of `DESIGN.md` (serde, pretty,
//!   trailing newline).
//! - [`sarif::sarif`] / [`sarif::sarif_string`]: SARIF 2.1.0 for GitHub code scanning and other
//!   SARIF consumers (validated against the official schema in the tests).
//! - [`human::render_human`] / [`human::print_human`]: compiler-style diagnostics with the
//!   offending source lines, coloured on a terminal, and a verdict summary.
//! - [`progress::Progress`]: a progress bar on stderr when it is a terminal.
//!
//! Renderers take [`ReportView`]s, which borrow a [`Report`] and carry the optional extras that
//! `audit` adds (advisories, dependency kind, dependency path, where the source lives), so scan
//! and audit share the same code. Build them with [`views`] for a [`ScanOutput`] or with
//! [`ReportView::new`] and its `with_*` methods.
//!
//! Everything that came from a crate (names, versions, paths, messages, snippets, errors) is
//! hostile: the human renderer passes it through [`sanitize::sanitize_terminal`], which escapes
//! ANSI sequences, control characters and bidi/invisible characters; SARIF message and snippet
//! text is escaped the same way; JSON escapes control characters by itself.
#![allow(dead_code, unused_imports)] // Not every entry point is wired into every command yet.

pub mod human;
pub mod json;
pub mod progress;
pub mod sanitize;
pub mod sarif;

#[cfg(test)]
mod tests;

use ferret_core::{Report, ScanOutput};

pub use human::{ColorMode, HumanOptions, print_human, render_human};
pub use json::{scan_json, to_json};
pub use progress::Progress;
pub use sanitize::sanitize_terminal;
pub use sarif::{RuleDoc, sarif, sarif_string};

/// A known-malware advisory that matched a report (filled in by `audit`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvisoryView<'a> {
    /// Advisory identifier, e.g. `RUSTSEC-2023-0010` or `MAL-2025-1234`.
    pub id: &'a str,
    /// Where to read it, when known.
    pub url: Option<&'a str>,
    /// Which database it came from, e.g. `rustsec` or `osv`.
    pub source: &'a str,
}

/// One report as the renderers see it: the engine's [`Report`] plus optional extras.
///
/// `scan` uses only `report`; `audit` also sets the advisories, the dependency kind, the chain
/// of crates that pulls the package in, and (for SARIF) where the package's source lives.
#[derive(Debug, Clone)]
pub struct ReportView<'a> {
    /// The engine's report.
    pub report: &'a Report,
    /// Advisories that name this package.
    pub advisories: Vec<AdvisoryView<'a>>,
    /// Dependency kind (`normal`, `build`, `dev`, `proc-macro`), when known.
    pub kind: Option<&'a str>,
    /// Crate names from a workspace member down to this package (empty when not applicable).
    pub path: &'a [String],
    /// A URI prefix (already a valid URI reference, no trailing `/` needed) under which the
    /// crate's files live, used for SARIF artifact locations. `None` means `<name>-<version>`.
    pub artifact_root: Option<&'a str>,
}

impl<'a> ReportView<'a> {
    /// A view with no extras.
    pub fn new(report: &'a Report) -> Self {
        ReportView { report, advisories: Vec::new(), kind: None, path: &[], artifact_root: None }
    }

    /// Sets the advisories that name this package.
    pub fn with_advisories(mut self, advisories: Vec<AdvisoryView<'a>>) -> Self {
        self.advisories = advisories;
        self
    }

    /// Sets the dependency kind.
    pub fn with_kind(mut self, kind: &'a str) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Sets the chain of crates that pulls this package in.
    pub fn with_path(mut self, path: &'a [String]) -> Self {
        self.path = path;
        self
    }

    /// Sets the URI prefix of the crate's files in SARIF output.
    pub fn with_artifact_root(mut self, root: &'a str) -> Self {
        self.artifact_root = Some(root);
        self
    }
}

impl<'a> From<&'a Report> for ReportView<'a> {
    fn from(report: &'a Report) -> Self {
        ReportView::new(report)
    }
}

/// Plain views of every report of a scan, in order.
pub fn views(output: &ScanOutput) -> Vec<ReportView<'_>> {
    output.reports.iter().map(ReportView::new).collect()
}
