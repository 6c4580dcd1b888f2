//! ferret's engine: turns a crate (a `.crate` archive or an unpacked directory) into a
//! serialisable [`Report`] without ever building or running it.
//!
//! ```no_run
//! let scanner = ferret_core::Scanner::new(ferret_core::ScanOptions::default());
//! let report = scanner.scan_path(std::path::Path::new("serde-1.0.0.crate"));
//! println!("{} {}: {}", report.name, report.version, report.verdict);
//! ```
#![forbid(unsafe_code)]

pub mod analyze;
pub mod context;
pub mod crate_facts;
pub mod facts;
pub mod flows;
pub mod fold;
pub mod indicators;
pub mod manifest;
pub mod report;
pub mod rules;
pub mod verdict;

pub use ferret_archive::{CrateArchive, Limits};
pub use report::{Finding, Report, ScanOutput, Severity, Verdict};
pub use rules::NameFacts;

use crate::crate_facts::CrateFacts;
use crate::manifest::Manifest;
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Name and identity knowledge (popularity corpus, advisories, registry facts) that the
/// scanner asks about each crate. Implemented by the front ends from `ferret-names` and
/// `ferret-advisory`, so that this library stays free of data loading.
pub trait NameOracle: Send + Sync {
    fn facts(&self, name: &str, version: &str, manifest: &Manifest, readme: Option<&str>) -> NameFacts;
}

/// How to scan.
#[derive(Clone, Default)]
pub struct ScanOptions {
    pub limits: Limits,
    /// Name, metadata and dependency knowledge; without it NAM/META/DEP rules stay silent.
    pub names: Option<Arc<dyn NameOracle>>,
    /// Severity overrides per rule code (from configuration).
    pub severity_overrides: HashMap<String, Severity>,
}

/// Stack size for the thread that analyses one crate: the parser and visitors recurse, and
/// the bounds in [`analyze`] keep the depth well inside this.
const STACK: usize = 256 * 1024 * 1024;

/// Scans crates. Cheap to clone and share across threads.
#[derive(Clone, Default)]
pub struct Scanner {
    opts: ScanOptions,
}

impl Scanner {
    pub fn new(opts: ScanOptions) -> Scanner {
        Scanner { opts }
    }

    pub fn options(&self) -> &ScanOptions {
        &self.opts
    }

    /// Scan a `.crate` file or an unpacked crate directory. Never panics on bad input: a
    /// target that cannot be read gets a report with `error` and verdict `suspicious`.
    pub fn scan_path(&self, path: &Path) -> Report {
        let (name, version) = guess_name_version(path);
        let read = if path.is_dir() {
            ferret_archive::read_crate_dir(path, &self.opts.limits)
        } else {
            ferret_archive::read_crate_file(path, &self.opts.limits)
        };
        match read {
            Ok(archive) => self.scan_archive(&archive, &name, &version),
            Err(e) => Report::failed(name, version, e.to_string()),
        }
    }

    /// Scan an archive already in memory.
    pub fn scan_archive(&self, archive: &CrateArchive, fallback_name: &str, fallback_version: &str) -> Report {
        let run = || self.scan_archive_here(archive, fallback_name, fallback_version);
        // A dedicated thread with a large stack: hostile nesting must not overflow ours.
        std::thread::scope(|s| {
            let handle = std::thread::Builder::new().stack_size(STACK).spawn_scoped(s, run);
            match handle {
                Ok(h) => h.join().unwrap_or_else(|_| Report::failed(fallback_name, fallback_version, "internal error: the analysis panicked")),
                Err(_) => run(),
            }
        })
    }

    fn scan_archive_here(&self, archive: &CrateArchive, fallback_name: &str, fallback_version: &str) -> Report {
        let facts = CrateFacts::build(archive, fallback_name, fallback_version);
        let names = match &self.opts.names {
            Some(o) => {
                let readme = facts.manifest.readme.as_deref().and_then(|p| archive.text(p)).or_else(|| archive.text("README.md"));
                o.facts(&facts.name, &facts.version, &facts.manifest, readme.as_deref())
            }
            None => NameFacts::default(),
        };
        let findings = self.findings(&facts, &names);
        let (verdict, score, decided_by) = verdict::decide(&findings);
        Report { name: facts.name.clone(), version: facts.version.clone(), verdict, score, findings, decided_by, error: None }
    }

    /// Run every rule and turn hits into findings (overrides applied, correlation added, sorted).
    pub fn findings(&self, facts: &CrateFacts, names: &NameFacts) -> Vec<Finding> {
        let input = rules::Input { facts, names };
        let mut findings = Vec::new();
        for rule in rules::RULES {
            let info = rule.info();
            let mut hits = Vec::new();
            rule.check(&input, &mut hits);
            for h in hits {
                let severity = self.opts.severity_overrides.get(info.code).copied().unwrap_or(h.severity);
                findings.push(Finding {
                    code: info.code.to_string(),
                    rule: info.name.to_string(),
                    severity,
                    snippet: facts.snippet(&h.file, h.line),
                    file: h.file,
                    line: h.line,
                    message: h.message,
                });
            }
        }
        verdict::correlate(&mut findings);
        if let Some(sev) = self.opts.severity_overrides.get(rules::COR001.code) {
            for f in findings.iter_mut().filter(|f| f.code == rules::COR001.code) {
                f.severity = *sev;
            }
        }
        findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.file.cmp(&b.file)).then(a.line.cmp(&b.line)).then_with(|| a.code.cmp(&b.code)));
        findings
    }
}

/// `name-1.2.3.crate` or `name-1.2.3/` -> ("name", "1.2.3"); otherwise the file name and "".
pub fn guess_name_version(path: &Path) -> (String, String) {
    let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| path.display().to_string());
    let stem = file.strip_suffix(".crate").unwrap_or(&file);
    // The version starts at the first `-` followed by a digit.
    let bytes = stem.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return (stem[..i].to_string(), stem[i + 1..].to_string());
        }
    }
    (stem.to_string(), String::new())
}
