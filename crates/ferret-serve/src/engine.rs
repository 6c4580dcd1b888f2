//! The scan step, abstracted so the service can be tested with a simple engine.

use ferret_core::report::{Finding, Report};
use std::path::Path;

/// What one scan produced: the report of the new version and, when a previous version was
/// given, the findings that are new in this version (the diff).
#[derive(Debug, Clone, PartialEq)]
pub struct ScanOutcome {
    /// The full report of the scanned version.
    pub report: Report,
    /// Findings that the previous version did not have (empty when there is no previous one).
    pub diff: Vec<Finding>,
}

impl From<Report> for ScanOutcome {
    fn from(report: Report) -> Self {
        ScanOutcome { report, diff: Vec::new() }
    }
}

/// Scans one downloaded `.crate` file. Implementations must never panic on hostile input
/// (the worker also catches panics and records them as a failed scan).
pub trait ScanEngine: Send + Sync {
    /// Scan `crate_path` (a `.crate` archive of `name` `version`); `previous` is the `.crate`
    /// file of the highest earlier version, when the registry has one.
    fn scan(&self, name: &str, version: &str, crate_path: &Path, previous: Option<&Path>) -> ScanOutcome;
}

/// The findings of `new` that `old` does not have. Findings are matched by rule code, file and
/// the text of their message and snippet (not by line, so code that merely moved is not new).
pub fn new_findings(old: &Report, new: &Report) -> Vec<Finding> {
    let key = |f: &Finding| (f.code.clone(), f.file.clone(), f.message.trim().to_string(), f.snippet.trim().to_string());
    let seen: std::collections::HashSet<_> = old.findings.iter().map(key).collect();
    new.findings.iter().filter(|f| !seen.contains(&key(f))).cloned().collect()
}

/// The real engine: ferret-core's [`ferret_core::Scanner`]; the diff is the findings the new
/// version has and the previous one had not ([`new_findings`]).
#[derive(Clone)]
pub struct CoreEngine {
    scanner: ferret_core::Scanner,
}

impl CoreEngine {
    /// Scan with `scanner` (configured by the front end: name oracle, limits, overrides).
    pub fn new(scanner: ferret_core::Scanner) -> CoreEngine {
        CoreEngine { scanner }
    }
}

impl ScanEngine for CoreEngine {
    fn scan(&self, name: &str, version: &str, crate_path: &Path, previous: Option<&Path>) -> ScanOutcome {
        let mut report = self.scanner.scan_path(crate_path);
        if report.name.is_empty() || report.error.is_some() {
            report.name = name.to_string();
            report.version = version.to_string();
        }
        let diff = match previous {
            Some(p) => {
                let old = self.scanner.scan_path(p);
                if old.error.is_some() { Vec::new() } else { new_findings(&old, &report) }
            }
            None => Vec::new(),
        };
        ScanOutcome { report, diff }
    }
}
