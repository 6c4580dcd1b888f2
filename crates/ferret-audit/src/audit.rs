//! Auditing a lockfile: every package gets a report with its advisories, kind and path.

use crate::config::{Config, IgnoreOutcome, apply_ignores};
use crate::diff::{self, DepInfo, UpdateReview};
use crate::lockfile::{LockGraph, PackageSource};
use crate::snapshot::{ResultCache, Snapshot};
use crate::workspace::Workspace;
use ferret_core::manifest::DepKind;
use ferret_core::rules::Family;
use ferret_core::{Finding, Report, Scanner, Severity, Verdict};
use ferret_intel::Intel;
use ferret_registry::Registry;
use jiff::civil::Date;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A matching advisory, as JSON shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvisoryRef {
    /// `RUSTSEC-2022-0042`, `MAL-2025-1`.
    pub id: String,
    /// Where to read it.
    pub url: Option<String>,
    /// `rustsec` or `osv`.
    pub source: String,
}

/// One package's result: the scan report fields plus audit's.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    /// The engine's report, adjusted for kind, config and ignores.
    #[serde(flatten)]
    pub report: Report,
    /// Malware advisories naming this version.
    pub advisories: Vec<AdvisoryRef>,
    /// `normal`, `build`, `dev` or `proc-macro`.
    pub kind: String,
    /// Crate names from a workspace member down to this package.
    pub path: Vec<String>,
    /// Where the source came from: `cache`, `cargo-home`, `download`, `path`, or `none`.
    pub source: String,
    /// Findings silenced by `[[ignore]]`: (code, reason).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<(String, String)>,
    /// Expired ignores that no longer apply: (code, expiry, reason).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub expired_ignores: Vec<(String, String, String)>,
    /// With `--base`: what this version adds over the base's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update: Option<UpdateReview>,
}

/// How current the advisory data is.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryData {
    /// Newest advisory date.
    pub date: Option<String>,
    /// Days since then.
    pub age_days: Option<i64>,
    /// Where the records came from.
    pub sources: Vec<String>,
}

/// Counters of one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AuditStats {
    /// Packages in the lockfile.
    pub packages: usize,
    /// Workspace members (not audited).
    pub members: usize,
    /// Results read from the cache.
    pub cached: usize,
    /// Packages scanned this run.
    pub scanned: usize,
    /// Packages downloaded this run.
    pub downloaded: usize,
}

/// The whole result.
#[derive(Debug, Clone, Serialize)]
pub struct AuditOutput {
    /// One per audited package, in lockfile order.
    pub reports: Vec<AuditReport>,
    /// Advisory data freshness.
    pub advisory_data: AdvisoryData,
    /// Counters.
    pub stats: AuditStats,
    /// Things the user should know (unreadable manifests, cache write failures, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl AuditOutput {
    /// The worst verdict.
    pub fn worst(&self) -> Verdict {
        self.reports.iter().map(|r| r.report.verdict).max().unwrap_or(Verdict::Clean)
    }
}

/// Everything an audit needs.
pub struct Auditor {
    /// The engine (with `Intel` as its name oracle and the config's severity overrides).
    pub scanner: Scanner,
    /// Names and advisories.
    pub intel: std::sync::Arc<Intel>,
    /// The registry for crates.io packages (`None`: offline).
    pub registry: Option<Registry>,
    /// `$CARGO_HOME`, to reuse cargo's downloads.
    pub cargo_home: Option<PathBuf>,
    /// The result cache (`None`: no caching).
    pub cache: Option<ResultCache>,
    /// The configuration.
    pub config: Config,
    /// Today, for ignore expiry and advisory age.
    pub today: Date,
}

/// Raises capability findings of build-time code one step (info -> low -> medium -> high,
/// never to critical: a malicious verdict needs evidence, not context). Build-family findings
/// (already about build-time code) and dependency/advisory findings are left as they are.
pub fn raise_for_build_time(findings: &mut [Finding]) {
    for f in findings {
        let fam = ferret_core::rules::find(&f.code).map(|i| i.family);
        let raise = fam.is_some_and(|fam| fam.is_capability() && fam != Family::Build && fam != Family::Dependency);
        if raise {
            f.severity = match f.severity {
                Severity::Info => Severity::Low,
                Severity::Low => Severity::Medium,
                Severity::Medium => Severity::High,
                s => s,
            };
        }
    }
}

/// A progress callback: called with a package label after each one is done.
pub type Progress<'a> = &'a (dyn Fn(&str) + Sync);

enum Got {
    Snap(Snapshot, &'static str),
    Missing(String),
}

impl Auditor {
    /// The malware advisories naming `name` `version`.
    pub fn advisories_for(&self, name: &str, version: &str) -> Vec<AdvisoryRef> {
        self.intel
            .malicious_advisories(name, version)
            .into_iter()
            .map(|a| AdvisoryRef { id: a.id.clone(), url: a.url.clone(), source: a.source.to_string() })
            .collect()
    }

    fn registry_for(&self, pkg_source: &PackageSource) -> Result<Option<RegRef<'_>>, String> {
        match pkg_source {
            PackageSource::CratesIo => Ok(self.registry.as_ref().map(RegRef::Borrowed)),
            PackageSource::Registry(url) => {
                if self.registry.is_none() {
                    return Ok(None);
                }
                match url.strip_prefix("sparse+") {
                    Some(u) => {
                        let mut b = Registry::builder(ferret_registry::RegistrySource::sparse(u).map_err(|e| e.to_string())?);
                        if let Some(c) = self.registry.as_ref().and_then(|r| r.cache()) {
                            b = b.cache(c.clone());
                        }
                        b.build().map(|r| Some(RegRef::Owned(Box::new(r)))).map_err(|e| e.to_string())
                    }
                    None => Err(format!("registry {url} is not a sparse registry; ferret reads sparse indexes only")),
                }
            }
            _ => Ok(None),
        }
    }

    /// The snapshot of a registry package: from the cache, cargo's cache, or a download.
    fn obtain(&self, name: &str, version: &str, source: &PackageSource, cksum: Option<&str>, downloaded: &AtomicUsize, warn: &Mutex<Vec<String>>) -> Got {
        let Some(cksum) = cksum else {
            return Got::Missing("the lockfile has no checksum for it, so its source cannot be verified".into());
        };
        if let Some(c) = &self.cache {
            if let Some(s) = c.get(cksum) {
                return Got::Snap(s, "cache");
            }
        }
        let mut from = "cargo-home";
        let path = match self.cargo_home.as_deref().and_then(|h| ferret_registry::find_in_cargo_home(h, name, version, cksum)) {
            Some(p) => p,
            None => {
                from = "download";
                let reg = match self.registry_for(source) {
                    Ok(Some(r)) => r,
                    Ok(None) => return Got::Missing("not in $CARGO_HOME's cache and offline".into()),
                    Err(e) => return Got::Missing(e),
                };
                match reg.download_checksum(name, version, cksum) {
                    Ok(p) => {
                        downloaded.fetch_add(1, Ordering::Relaxed);
                        p
                    }
                    Err(e) => return Got::Missing(format!("cannot download it: {e}")),
                }
            }
        };
        let snap = Snapshot::scan_path(&self.scanner, &path, name, version);
        if let Some(c) = &self.cache {
            if snap.report.error.is_none() {
                if let Err(e) = c.put(cksum, &snap) {
                    if let Ok(mut w) = warn.lock() {
                        if w.len() < 3 {
                            w.push(format!("cannot write the result cache in {}: {e}", c.dir().display()));
                        }
                    }
                }
            }
        }
        Got::Snap(snap, from)
    }

    /// Audits every package of `lock`. `only` restricts the audit to these package indices
    /// (for `--base`); `base` is the old lockfile to review updates against.
    pub fn audit(&self, lock: &LockGraph, ws: &Workspace, base: Option<&LockGraph>, deps: &dyn DepInfoSync, progress: Progress) -> AuditOutput {
        let mut warnings: Vec<String> = ws.warnings.clone();
        // Roots: members from the manifests, else guessed from the lockfile.
        let member_names: HashSet<&str> = ws.members.iter().map(|m| m.name.as_str()).collect();
        let mut roots: Vec<usize> = (0..lock.packages.len())
            .filter(|&i| lock.packages[i].source == PackageSource::Local && member_names.contains(lock.packages[i].name.as_str()))
            .collect();
        if roots.is_empty() {
            roots = lock.guess_roots();
        }
        let is_member: HashSet<usize> = roots.iter().copied().collect();
        let paths = lock.shortest_paths(&roots);

        let changes = base.map(|b| crate::changes(b, lock));
        let wanted: Vec<usize> = match &changes {
            Some(ch) => ch.iter().map(|c| c.new).collect(),
            None => (0..lock.packages.len()).filter(|i| !is_member.contains(i)).collect(),
        };

        let downloaded = AtomicUsize::new(0);
        let warn = Mutex::new(Vec::new());
        let snaps: Vec<(usize, Got)> = wanted
            .par_iter()
            .map(|&i| {
                let p = &lock.packages[i];
                let got = match &p.source {
                    PackageSource::Local => match ws.path_deps.get(&p.name) {
                        Some(dir) if dir.join("Cargo.toml").is_file() => Got::Snap(Snapshot::scan_path(&self.scanner, dir, &p.name, &p.version), "path"),
                        _ => Got::Missing("a path dependency whose directory is not known (run from the workspace to scan it)".into()),
                    },
                    PackageSource::Git(url) => Got::Missing(format!("a git dependency ({url}); ferret scans registry packages and path dependencies only")),
                    src => self.obtain(&p.name, &p.version, src, p.checksum.as_deref(), &downloaded, &warn),
                };
                progress(&format!("{} {}", p.name, p.version));
                (i, got)
            })
            .collect();
        warnings.extend(warn.into_inner().unwrap_or_default());
        let mut by_index: HashMap<usize, (Option<Snapshot>, &'static str, Option<String>)> = HashMap::new();
        let mut stats = AuditStats { packages: lock.packages.len(), members: is_member.len(), downloaded: downloaded.load(Ordering::Relaxed), ..Default::default() };
        for (i, g) in snaps {
            match g {
                Got::Snap(s, from) => {
                    if from == "cache" {
                        stats.cached += 1;
                    } else {
                        stats.scanned += 1;
                    }
                    by_index.insert(i, (Some(s), from, None));
                }
                Got::Missing(why) => {
                    by_index.insert(i, (None, "none", Some(why)));
                }
            }
        }

        let kinds = self.kinds(lock, ws, &roots, &by_index);

        // Update review: the base versions' snapshots.
        let mut reviews: HashMap<usize, UpdateReview> = HashMap::new();
        if let (Some(ch), Some(b)) = (&changes, base) {
            let old_snaps: Vec<(usize, Option<Snapshot>)> = ch
                .par_iter()
                .map(|c| {
                    let snap = c.old.and_then(|oi| {
                        let op = &b.packages[oi];
                        match self.obtain(&op.name, &op.version, &op.source, op.checksum.as_deref(), &downloaded, &Mutex::new(Vec::new())) {
                            Got::Snap(s, _) => Some(s),
                            Got::Missing(_) => None,
                        }
                    });
                    (c.new, snap)
                })
                .collect();
            for (i, old) in old_snaps {
                if let Some((Some(new), _, _)) = by_index.get(&i) {
                    let had_old = ch.iter().find(|c| c.new == i).and_then(|c| c.old).is_some();
                    if had_old && old.is_none() {
                        warnings.push(format!("{} {}: the base version's source is not available; reviewed as a new crate", lock.packages[i].name, lock.packages[i].version));
                    }
                    reviews.insert(i, diff::review(old.as_ref(), new, &self.intel, &DepInfoRef(deps)));
                }
            }
        }

        let mut reports = Vec::with_capacity(wanted.len());
        for &i in &wanted {
            let p = &lock.packages[i];
            let (snap, from, missing) = by_index.remove(&i).unwrap_or((None, "none", Some("not processed".into())));
            let advisories = self.advisories_for(&p.name, &p.version);
            let kind = kinds[i].clone();
            let mut report = match snap {
                Some(s) => s.report,
                None => {
                    let why = missing.unwrap_or_default();
                    let mut r = Report::failed(&p.name, &p.version, format!("source not scanned: {why}"));
                    if let Some(info) = ferret_core::rules::find("ADV001") {
                        for a in self.intel.malicious_advisories(&p.name, &p.version) {
                            r.findings.push(Finding {
                                code: info.code.into(),
                                rule: info.name.into(),
                                severity: Severity::Critical,
                                file: String::new(),
                                line: 0,
                                message: format!("{}: {}", a.id, a.title),
                                snippet: String::new(),
                            });
                        }
                    }
                    r
                }
            };
            if kind == "build" || kind == "proc-macro" {
                raise_for_build_time(&mut report.findings);
            }
            let update = reviews.remove(&i);
            if let Some(u) = &update {
                report.findings.extend(u.findings.iter().cloned());
            }
            for f in report.findings.iter_mut() {
                if let Some(s) = self.config.severity.get(&f.code) {
                    f.severity = *s;
                }
            }
            let IgnoreOutcome { ignored, expired } = apply_ignores(&self.config.ignores, &p.name, &p.version, &mut report.findings, self.today);
            report.findings.sort_by(|a, b| b.severity.cmp(&a.severity).then_with(|| a.file.cmp(&b.file)).then(a.line.cmp(&b.line)).then_with(|| a.code.cmp(&b.code)));
            let (verdict, score, decided_by) = ferret_core::verdict::decide(&report.findings);
            report.decided_by = decided_by;
            report.score = score;
            report.verdict = verdict;
            if report.error.is_some() && verdict == Verdict::Clean {
                // Unread targets are suspicious (the scan contract), unless every finding
                // was ignored on purpose.
                let all_ignored = report.findings.is_empty() && !ignored.is_empty();
                if !all_ignored {
                    report.verdict = Verdict::Suspicious;
                    report.score = report.score.max(50);
                }
            }
            reports.push(AuditReport { report, advisories, kind, path: paths[i].clone(), source: from.to_string(), ignored, expired_ignores: expired, update });
        }
        let db = self.intel.advisories();
        let advisory_data = AdvisoryData {
            date: db.data_date().map(|d| d.to_string()),
            age_days: db.age_days(self.today),
            sources: db.loaded_from().iter().map(ToString::to_string).collect(),
        };
        for w in db.warnings() {
            warnings.push(format!("advisory data: {w}"));
        }
        AuditOutput { reports, advisory_data, stats, warnings }
    }

    /// The kind of every package (see the crate docs).
    fn kinds(&self, lock: &LockGraph, ws: &Workspace, roots: &[usize], snaps: &HashMap<usize, (Option<Snapshot>, &'static str, Option<String>)>) -> Vec<String> {
        const N: u8 = 1;
        const B: u8 = 2;
        const D: u8 = 4;
        let n = lock.packages.len();
        let mut reached = vec![0u8; n];
        let proc_macro = |i: usize| snaps.get(&i).and_then(|s| s.0.as_ref()).is_some_and(|s| s.manifest.proc_macro);
        let mut stack: Vec<(usize, u8)> = Vec::new();
        for &r in roots {
            let member = ws.members.iter().find(|m| m.name == lock.packages[r].name);
            for &d in &lock.packages[r].deps {
                let dn = &lock.packages[d].name;
                let declared: Vec<DepKind> = member.map(|m| m.deps.iter().filter(|(n, _)| ferret_advisory::names_equal(n, dn)).map(|(_, k)| *k).collect()).unwrap_or_default();
                let mut ctx = 0u8;
                if declared.is_empty() {
                    ctx |= N;
                }
                for k in declared {
                    ctx |= match k {
                        DepKind::Normal => N,
                        DepKind::Build => B,
                        DepKind::Dev => D,
                    };
                }
                for bit in [N, B, D] {
                    if ctx & bit != 0 {
                        stack.push((d, bit));
                    }
                }
            }
        }
        while let Some((i, ctx)) = stack.pop() {
            if reached[i] & ctx != 0 {
                continue;
            }
            reached[i] |= ctx;
            let manifest = snaps.get(&i).and_then(|s| s.0.as_ref()).map(|s| &s.manifest);
            let pm = proc_macro(i);
            for &d in &lock.packages[i].deps {
                let kinds: Vec<&str> = manifest.map(|m| m.kinds_of(&lock.packages[d].name)).unwrap_or_default();
                let only_dev = !kinds.is_empty() && kinds.iter().all(|k| *k == "dev");
                if only_dev {
                    continue;
                }
                let via_build = pm || ctx == B || (!kinds.is_empty() && kinds.iter().all(|k| *k == "build"));
                let next = if via_build { B } else { ctx };
                stack.push((d, next));
                if !pm && ctx != B && kinds.contains(&"build") && kinds.contains(&"normal") {
                    stack.push((d, B));
                }
            }
        }
        (0..n)
            .map(|i| {
                if proc_macro(i) {
                    "proc-macro"
                } else if reached[i] & N != 0 || reached[i] == 0 {
                    "normal"
                } else if reached[i] & B != 0 {
                    "build"
                } else {
                    "dev"
                }
                .to_string()
            })
            .collect()
    }
}

enum RegRef<'a> {
    Borrowed(&'a Registry),
    Owned(Box<Registry>),
}

impl std::ops::Deref for RegRef<'_> {
    type Target = Registry;
    fn deref(&self) -> &Registry {
        match self {
            RegRef::Borrowed(r) => r,
            RegRef::Owned(r) => r,
        }
    }
}

/// [`DepInfo`] that can be shared across threads.
pub trait DepInfoSync: DepInfo + Sync {}
impl<T: DepInfo + Sync> DepInfoSync for T {}

struct DepInfoRef<'a>(&'a dyn DepInfoSync);
impl DepInfo for DepInfoRef<'_> {
    fn age_days(&self, name: &str) -> Option<i64> {
        self.0.age_days(name)
    }
}
