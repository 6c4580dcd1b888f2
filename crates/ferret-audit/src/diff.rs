//! Update review: what a new version of a crate adds compared to an old one, and the
//! account-takeover pattern.
//!
//! Two rules live here rather than in the engine's table, because they compare two versions:
//!
//! - `UPD001 suspicious-update`: a patch release that adds a build script, or any new version
//!   that adds a dependency on a crate that is malware (advisory, critical), imitates a popular
//!   name, or was first published recently (high).
//! - `UPD002 new-capability`: something the new version does that the old one did not: a
//!   capability finding (its severity), a build script (medium), a binary (medium), a
//!   dependency (info; low for a build-dependency).

use crate::snapshot::{DeclaredDep, Snapshot};
use ferret_core::rules::Family;
use ferret_core::{Finding, Report, Severity};
use ferret_intel::Intel;
use serde::Serialize;
use std::collections::HashSet;

/// Documentation of a rule defined by the update review (same shape as the engine's).
#[derive(Debug)]
pub struct UpdateRule {
    /// Stable code.
    pub code: &'static str,
    /// Kebab-case name.
    pub name: &'static str,
    /// Worst severity.
    pub severity: Severity,
    /// One line.
    pub summary: &'static str,
    /// Markdown: what / why / example / false positives.
    pub doc: &'static str,
}

/// `UPD001 suspicious-update`.
pub static UPD001: UpdateRule = UpdateRule {
    code: "UPD001",
    name: "suspicious-update",
    severity: Severity::Critical,
    summary: "a new version adds what account takeovers add: a build script in a patch release, or a dependency on a young, look-alike or malicious crate",
    doc: "## What it detects\nComparing two versions of a crate (`cargo ferret diff`, `cargo ferret audit --base`): a patch release (same major.minor, or same 0.minor) that adds a build script; or a new version that adds a dependency on a crate that an advisory names as malware (critical), whose name imitates a popular crate, or whose first version was published less than 30 days earlier (high).\n\n## Why\nA stolen publish token lets an attacker push a patch release that every `^` requirement picks up. The payload rarely sits in the crate itself: arrayref 0.3.10 only added `proc-macro1` (a typosquat of `proc-macro2` with a download-and-run build script); onering 1.4.1 added a build script.\n\n## Example\n`arrayref` 0.3.9 -> 0.3.10 adds `proc-macro1 = \"1.0.106\"`.\n\n## Known false positives\nA maintainer legitimately adding a build script in a patch release (e.g. to probe the compiler version), or a dependency on a newly split-out crate of their own; review it and add an ignore with a reason.",
};

/// `UPD002 new-capability`.
pub static UPD002: UpdateRule = UpdateRule {
    code: "UPD002",
    name: "new-capability",
    severity: Severity::High,
    summary: "a new version does something the old one did not: a capability, a build script, a binary or a dependency",
    doc: "## What it detects\nEverything a new version adds compared to the old one: each capability finding of the new version whose rule does not fire on the same file in the old one (at that finding's severity), a build script (medium), an executable or native object (medium), and each new dependency (info; low for a build-dependency).\n\n## Why\nReviewing an update means reading what changed in behaviour, not the whole crate again. New network, process or file access in a minor release of a parser is worth a look even when each piece is common.\n\n## Example\n`onering` 1.4.0 -> 1.4.1 adds `build.rs` with a network call.\n\n## Known false positives\nFeature work: a new version that legitimately adds networking. The severity is the capability's own, so ordinary additions stay below the fail threshold.",
};

/// The update-review rules.
pub static UPDATE_RULES: &[&UpdateRule] = &[&UPD001, &UPD002];

/// What the registry knows about a dependency, asked for each newly added one.
pub trait DepInfo {
    /// Days since the crate's first version was published, when known.
    fn age_days(&self, name: &str) -> Option<i64>;
}

/// No registry information (offline).
pub struct NoDepInfo;

impl DepInfo for NoDepInfo {
    fn age_days(&self, _name: &str) -> Option<i64> {
        None
    }
}

/// A dependency is "young" below this many days since its first publish.
pub const YOUNG_DAYS: i64 = 30;

/// What a new version adds.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateReview {
    /// Crate name.
    pub name: String,
    /// The old version (`None`: the crate is new).
    pub old_version: Option<String>,
    /// The new version.
    pub new_version: String,
    /// Same major.minor (0.minor for 0.x), higher patch.
    pub patch_release: bool,
    /// The new version's build script, when the old one had none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build_script_added: Option<String>,
    /// Dependencies declared by the new version and not by the old one.
    pub added_dependencies: Vec<DeclaredDep>,
    /// Dependencies the new version no longer declares.
    pub removed_dependencies: Vec<DeclaredDep>,
    /// Executables or native objects new in the new version.
    pub added_binaries: Vec<String>,
    /// Capability findings of the new version absent from the old one.
    pub added_capabilities: Vec<Finding>,
    /// The UPD001/UPD002 findings.
    pub findings: Vec<Finding>,
}

fn is_patch(old: &str, new: &str) -> bool {
    match (semver::Version::parse(old), semver::Version::parse(new)) {
        (Ok(o), Ok(n)) => {
            if o.major == 0 && n.major == 0 {
                o.minor == n.minor && n.patch > o.patch
            } else {
                o.major == n.major && o.minor == n.minor && n.patch > o.patch
            }
        }
        _ => false,
    }
}

fn finding(rule: &UpdateRule, severity: Severity, file: &str, line: u32, message: String, snippet: String) -> Finding {
    Finding { code: rule.code.into(), rule: rule.name.into(), severity, file: file.into(), line, message, snippet }
}

/// Compares `old` (`None` for a crate that is new) with `new`.
pub fn review(old: Option<&Snapshot>, new: &Snapshot, intel: &Intel, deps: &dyn DepInfo) -> UpdateReview {
    let empty = Snapshot { report: Report::failed("", "", ""), manifest: Default::default() };
    let o = old.unwrap_or(&empty);
    let old_version = old.map(|s| s.report.version.clone());
    let patch_release = old_version.as_deref().is_some_and(|ov| is_patch(ov, &new.report.version));
    let mut r = UpdateReview { name: new.report.name.clone(), old_version, new_version: new.report.version.clone(), patch_release, ..Default::default() };

    if o.manifest.build_script.is_none() {
        r.build_script_added = new.manifest.build_script.clone();
    }
    let old_deps: HashSet<(&str, &str)> = o.manifest.deps.iter().map(|d| (d.name.as_str(), d.kind.as_str())).collect();
    let new_deps: HashSet<(&str, &str)> = new.manifest.deps.iter().map(|d| (d.name.as_str(), d.kind.as_str())).collect();
    r.added_dependencies = new.manifest.deps.iter().filter(|d| !old_deps.contains(&(d.name.as_str(), d.kind.as_str()))).cloned().collect();
    r.removed_dependencies = o.manifest.deps.iter().filter(|d| !new_deps.contains(&(d.name.as_str(), d.kind.as_str()))).cloned().collect();
    let old_bins: HashSet<&str> = o.manifest.binaries.iter().map(String::as_str).collect();
    r.added_binaries = new.manifest.binaries.iter().filter(|b| !old_bins.contains(b.as_str())).cloned().collect();
    let old_caps: HashSet<(&str, &str)> = o.report.findings.iter().map(|f| (f.code.as_str(), f.file.as_str())).collect();
    r.added_capabilities = new
        .report
        .findings
        .iter()
        .filter(|f| ferret_core::rules::find(&f.code).is_some_and(|i| i.family.is_capability() && i.family != Family::Dependency))
        .filter(|f| !old_caps.contains(&(f.code.as_str(), f.file.as_str())))
        .cloned()
        .collect();

    let nv = &new.report.version;
    // UPD001: the account-takeover pattern.
    if let (Some(bs), true) = (&r.build_script_added, patch_release) {
        r.findings.push(finding(&UPD001, Severity::High, bs, 0, format!("patch release {nv} adds a build script ({bs}); account takeovers ship payloads this way"), String::new()));
    }
    for d in &r.added_dependencies {
        if d.kind == "dev" || d.source.is_some() {
            continue;
        }
        let bad = intel.advisories().for_package(&d.name).into_iter().find(|a| a.malicious).map(|a| a.id.clone());
        if let Some(id) = bad {
            r.findings.push(finding(&UPD001, Severity::Critical, "Cargo.toml", 0, format!("{nv} adds a dependency on `{}`, named as malware by {id}", d.name), format!("{} = \"{}\"", d.name, d.req)));
            continue;
        }
        let check = intel.checker().check(&d.name);
        let lookalike = check.matches.first().filter(|m| !ferret_advisory::names_equal(&m.target, &new.report.name));
        if let Some(m) = lookalike {
            r.findings.push(finding(
                &UPD001,
                Severity::High,
                "Cargo.toml",
                0,
                format!("{nv} adds a dependency on `{}`, a look-alike of the popular `{}` ({})", d.name, m.target, m.technique.as_str()),
                format!("{} = \"{}\"", d.name, d.req),
            ));
            continue;
        }
        if let Some(age) = deps.age_days(&d.name).filter(|a| *a < YOUNG_DAYS) {
            r.findings.push(finding(&UPD001, Severity::High, "Cargo.toml", 0, format!("{nv} adds a dependency on `{}`, first published {age} days ago", d.name), format!("{} = \"{}\"", d.name, d.req)));
        }
    }
    // UPD002: everything else it adds.
    if let (Some(bs), false) = (&r.build_script_added, patch_release) {
        r.findings.push(finding(&UPD002, Severity::Medium, bs, 0, format!("{nv} adds a build script ({bs}), which runs on every build"), String::new()));
    }
    for b in &r.added_binaries {
        r.findings.push(finding(&UPD002, Severity::Medium, b, 0, format!("{nv} adds an executable or native object: {b}"), String::new()));
    }
    for d in &r.added_dependencies {
        let sev = if d.kind == "build" { Severity::Low } else { Severity::Info };
        let src = d.source.as_deref().map(|s| format!(" ({s})")).unwrap_or_default();
        r.findings.push(finding(&UPD002, sev, "Cargo.toml", 0, format!("{nv} adds a {} dependency on `{}` {}{src}", d.kind, d.name, d.req), String::new()));
    }
    for f in &r.added_capabilities {
        r.findings.push(finding(&UPD002, f.severity, &f.file, f.line, format!("new in {nv}: {} ({} {})", f.message, f.code, f.rule), f.snippet.clone()));
    }
    r
}

/// A report for the review: the new version's identity, the UPD findings, and a verdict.
pub fn review_report(review: &UpdateReview, new: &Snapshot) -> Report {
    let mut findings = review.findings.clone();
    findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.file.cmp(&b.file)).then(a.line.cmp(&b.line)));
    let (verdict, score, decided_by) = ferret_core::verdict::decide(&findings);
    Report { name: new.report.name.clone(), version: new.report.version.clone(), verdict, score, findings, decided_by, error: new.report.error.clone() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_detection() {
        assert!(is_patch("0.3.9", "0.3.10"));
        assert!(is_patch("1.4.0", "1.4.1"));
        assert!(!is_patch("1.4.0", "1.5.0"));
        assert!(!is_patch("0.3.9", "0.4.0"));
        assert!(!is_patch("1.4.1", "1.4.0"));
    }
}
