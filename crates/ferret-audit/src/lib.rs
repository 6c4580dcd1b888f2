//! `cargo ferret audit` and `cargo ferret diff` as a library: read a `Cargo.lock`, give every
//! package a report (the engine's scan of its source, malware advisories, its dependency kind
//! and the chain that pulls it in), apply the project's `ferret.toml`, and review what updates
//! add.
//!
//! - [`LockGraph`] reads the lockfile (rustsec's `cargo-lock`); [`Workspace`] reads the
//!   project's own manifests when present (members, declared dependency kinds, path deps).
//! - [`Auditor::audit`] obtains each package's source (result cache by checksum, then
//!   `$CARGO_HOME/registry/cache`, then a checksum-verified download), scans it, and adjusts
//!   the report: build-time packages (kind `build` or `proc-macro`) have capability findings
//!   raised one step ([`raise_for_build_time`]), `[severity]` overrides and `[[ignore]]`s are
//!   applied, the verdict is decided again. A package whose source cannot be had (a crate the
//!   registry deleted) still gets its advisories, as ADV001 findings, and an error note.
//! - [`diff::review`] compares two versions (UPD001 `suspicious-update`, UPD002
//!   `new-capability`); [`changes`] lists what a lockfile bumped or added since a base.
//!
//! Kinds: a package reachable from a workspace member through normal dependencies is
//! `normal`; one reachable only through a build-dependency (or through a proc-macro, whose
//! dependencies are compiled for and run on the host) is `build`; only through a member's
//! dev-dependencies, `dev`; a package whose manifest says `proc-macro = true` is `proc-macro`.
//! Edge kinds come from the members' `Cargo.toml` and from each scanned crate's manifest; an
//! edge whose kind is unknown counts as normal.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod audit;
pub mod config;
pub mod diff;
pub mod lockfile;
pub mod snapshot;
pub mod workspace;

pub use audit::{AdvisoryData, AdvisoryRef, AuditOutput, AuditReport, AuditStats, Auditor, DepInfoSync, Progress, raise_for_build_time};
pub use config::{Config, ConfigError, FailOn, Ignore};
pub use diff::{DepInfo, NoDepInfo, UPD001, UPD002, UPDATE_RULES, UpdateReview, UpdateRule};
pub use lockfile::{LockGraph, LockedPackage, PackageSource};
pub use snapshot::{DeclaredDep, ManifestSummary, ResultCache, Snapshot, engine_fingerprint};
pub use workspace::{Member, Workspace};

use std::path::PathBuf;

/// Errors that stop an audit (per-package problems are recorded in reports instead).
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A file could not be read.
    #[error("cannot {what} {}: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The lockfile is not a valid `Cargo.lock`.
    #[error("{}{}: not a valid Cargo.lock: {message}", path.display(), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Lockfile {
        /// The file.
        path: PathBuf,
        /// 1-based line, when known.
        line: Option<usize>,
        /// What is wrong.
        message: String,
    },
    /// `git show` of the base lockfile failed.
    #[error("cannot read {what} at git revision `{rev}`: {message}")]
    Git {
        /// The file asked for.
        what: String,
        /// The revision.
        rev: String,
        /// git's message.
        message: String,
    },
}

/// A package that is new or at a new version in a lockfile compared to a base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockChange {
    /// Index in the new lockfile.
    pub new: usize,
    /// Index in the base lockfile of the version it replaces (`None`: a new crate).
    pub old: Option<usize>,
}

/// Registry packages of `new` that `base` does not have at that version. A bumped crate is
/// compared with the base's highest version below it (or its highest version at all).
pub fn changes(base: &LockGraph, new: &LockGraph) -> Vec<LockChange> {
    let mut out = Vec::new();
    for (i, p) in new.packages.iter().enumerate() {
        if p.source == PackageSource::Local {
            continue;
        }
        let same_name: Vec<usize> = (0..base.packages.len()).filter(|&j| base.packages[j].name == p.name && base.packages[j].source != PackageSource::Local).collect();
        if same_name.iter().any(|&j| base.packages[j].version == p.version) {
            continue;
        }
        let v = semver::Version::parse(&p.version).ok();
        let parse = |j: usize| semver::Version::parse(&base.packages[j].version).ok();
        let below = same_name.iter().copied().filter(|&j| matches!((parse(j), &v), (Some(o), Some(n)) if o < *n)).max_by_key(|&j| parse(j));
        let old = below.or_else(|| same_name.iter().copied().max_by_key(|&j| parse(j)));
        out.push(LockChange { new: i, old });
    }
    out
}

/// Reads `path` (relative to the repository's working directory `repo_dir`) at revision `rev`
/// with `git show`, then parses it as a lockfile.
pub fn lockfile_at_rev(repo_dir: &std::path::Path, rev: &str, rel_path: &str) -> Result<LockGraph, AuditError> {
    if rev.starts_with('-') {
        return Err(AuditError::Git { what: rel_path.into(), rev: rev.into(), message: "a revision cannot start with `-`".into() });
    }
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(repo_dir)
        .arg("show")
        .arg(format!("{rev}:./{rel_path}"))
        .output()
        .map_err(|e| AuditError::Git { what: rel_path.into(), rev: rev.into(), message: format!("cannot run git: {e}") })?;
    if !out.status.success() {
        return Err(AuditError::Git { what: rel_path.into(), rev: rev.into(), message: String::from_utf8_lossy(&out.stderr).trim().to_string() });
    }
    let text = String::from_utf8(out.stdout).map_err(|_| AuditError::Git { what: rel_path.into(), rev: rev.into(), message: "not UTF-8".into() })?;
    LockGraph::parse(&text, std::path::Path::new(&format!("{rev}:{rel_path}")))
}

/// [`DepInfo`] from a registry's index: a crate's age is the time since its oldest `pubtime`.
pub struct RegistryDepInfo<'a> {
    /// The registry asked.
    pub registry: &'a ferret_registry::Registry,
}

impl DepInfo for RegistryDepInfo<'_> {
    fn age_days(&self, name: &str) -> Option<i64> {
        let entries = self.registry.entries(name).ok()?;
        let first = entries.iter().filter_map(|e| e.pubtime.as_deref()).filter_map(|t| t.parse::<jiff::Timestamp>().ok()).min()?;
        let secs = jiff::Timestamp::now().as_second() - first.as_second();
        Some(secs / 86_400)
    }
}
