//! `cargo ferret audit`: every package of Cargo.lock checked against malware advisories, the
//! popularity corpus, and by scanning its source. See `docs/audit.md`.

use crate::cli::{FailOn, Format, OutputArgs};
use crate::cmd::common;
use crate::render::{self, AdvisoryView, Progress, ReportView, sanitize_terminal};
use anyhow::{Context, Result, bail};
use ferret_advisory::AdvisoryDb;
use ferret_audit::{AuditOutput, AuditReport, Auditor, Config, LockGraph, NoDepInfo, RegistryDepInfo, ResultCache, Workspace};
use ferret_core::{ScanOptions, Scanner, Verdict};
use ferret_intel::Intel;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The lockfile to audit (default: Cargo.lock of the workspace around the current directory).
    #[arg(long, value_name = "PATH")]
    pub lockfile: Option<PathBuf>,
    /// The workspace's Cargo.toml (default: next to the lockfile). Only read, never run.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 1 when any package's verdict is at or above this (default: ferret.toml's `fail-on`, else malicious).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// A RustSec advisory-db checkout to use as well as the built-in snapshot.
    #[arg(long, value_name = "PATH")]
    pub advisory_db: Option<PathBuf>,
    /// A folder of OSV records (ecosystem crates.io) to use as well.
    #[arg(long, value_name = "PATH")]
    pub osv: Option<PathBuf>,
    /// Review what changed in Cargo.lock since this git revision (audits only new or bumped crates).
    #[arg(long, value_name = "GITREV")]
    pub base: Option<String>,
    /// Never use the network: sources come from the result cache and $CARGO_HOME only.
    #[arg(long)]
    pub offline: bool,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// The configuration file (default: ferret.toml at the workspace root, if present).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Sparse index URL for crates.io packages (default: crates.io, honouring cargo's source replacement).
    #[arg(long, value_name = "URL")]
    pub index: Option<String>,
    /// Where downloads and cached results are kept (default: the user's cache dir).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Do not read or write cached results.
    #[arg(long)]
    pub no_cache: bool,
    /// Parallel jobs (default: number of cores).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Show clean packages in full too.
    #[arg(short, long)]
    pub verbose: bool,
}

/// The lockfile: `--lockfile`, else next to `--manifest-path`, else Cargo.lock in the current
/// directory or the nearest parent that has one.
fn find_lockfile(args: &Args) -> Result<PathBuf> {
    if let Some(l) = &args.lockfile {
        return Ok(l.clone());
    }
    if let Some(m) = &args.manifest_path {
        let dir = m.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        // A member's manifest: the lockfile is at the workspace root above it.
        for d in dir.ancestors() {
            if d.join("Cargo.lock").is_file() {
                return Ok(d.join("Cargo.lock"));
            }
        }
        bail!("no Cargo.lock next to {} or above it (run `cargo generate-lockfile`, or pass --lockfile)", m.display());
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    for d in cwd.ancestors() {
        if d.join("Cargo.lock").is_file() {
            return Ok(d.join("Cargo.lock"));
        }
    }
    bail!("no Cargo.lock in {} or any parent directory (run `cargo generate-lockfile`, or pass --lockfile)", cwd.display())
}

/// The advisory data: the preferred data (installed RustSec db, else the snapshot) plus the
/// folders given on the command line.
pub fn advisory_db(advisory_db: Option<&Path>, osv: Option<&Path>) -> Result<AdvisoryDb> {
    let mut db = AdvisoryDb::preferred();
    if let Some(p) = advisory_db {
        db = db.merge(AdvisoryDb::load_rustsec(p).with_context(|| format!("cannot read the advisory database at {}", p.display()))?);
    }
    if let Some(p) = osv {
        db = db.merge(AdvisoryDb::load_osv(p).with_context(|| format!("cannot read OSV records at {}", p.display()))?);
    }
    Ok(db)
}

/// Names and advisories for the scanner.
pub fn intel(advisory_db_path: Option<&Path>, osv: Option<&Path>) -> Result<Arc<Intel>> {
    if advisory_db_path.is_none() && osv.is_none() {
        return Ok(Arc::new(Intel::default_offline()));
    }
    let db = advisory_db(advisory_db_path, osv)?;
    Ok(Arc::new(Intel::new(ferret_names::Corpus::embedded(), db, ferret_intel::DEFAULT_TOP)))
}

pub fn run(args: Args) -> Result<ExitCode> {
    let lock_path = find_lockfile(&args)?;
    let lock = LockGraph::load(&lock_path)?;
    let lock_dir = lock_path.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let root_manifest = args.manifest_path.clone().unwrap_or_else(|| lock_dir.join("Cargo.toml"));
    let ws = if root_manifest.is_file() { Workspace::read(&root_manifest) } else { Workspace::default() };
    let config = match &args.config {
        Some(p) => Config::load(p)?,
        None => Config::discover(&lock_dir)?,
    };
    let fail_on = match (args.fail_on, config.fail_on) {
        (Some(f), _) => f,
        (None, Some(ferret_audit::FailOn::Suspicious)) => FailOn::Suspicious,
        (None, Some(ferret_audit::FailOn::Never)) => FailOn::Never,
        _ => FailOn::Malicious,
    };
    let base = match &args.base {
        Some(rev) => {
            let rel = lock_path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "Cargo.lock".into());
            Some(ferret_audit::lockfile_at_rev(&lock_dir, rev, &rel)?)
        }
        None => None,
    };

    let intel = intel(args.advisory_db.as_deref(), args.osv.as_deref())?;
    let scanner = Scanner::new(ScanOptions { names: Some(intel.clone()), severity_overrides: config.severity.clone(), ..ScanOptions::default() });
    let registry = if args.offline { None } else { Some(common::registry(args.index.as_deref(), args.cache_dir.as_deref())?) };
    let cache = if args.no_cache {
        None
    } else {
        let root = match &args.cache_dir {
            Some(d) => Some(d.join("audit")),
            None => ResultCache::default_root(),
        };
        root.map(|r| ResultCache::new(&r, &ferret_audit::engine_fingerprint(intel.advisories(), &config.severity)))
    };
    let auditor = Auditor {
        scanner,
        intel: intel.clone(),
        registry,
        cargo_home: ferret_registry::cargo_home(),
        cache,
        config,
        today: ferret_advisory::today(),
    };

    let total = match &base {
        Some(b) => ferret_audit::changes(b, &lock).len(),
        None => lock.packages.len(),
    };
    let progress = Progress::new(total as u64, Progress::should_show(args.no_progress) && total > 1);
    let tick = |label: &str| {
        progress.set_message(label);
        progress.inc(1);
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0)).build()?;
    let out = pool.install(|| match &auditor.registry {
        Some(r) if base.is_some() => auditor.audit(&lock, &ws, base.as_ref(), &RegistryDepInfo { registry: r }, &tick),
        _ => auditor.audit(&lock, &ws, base.as_ref(), &NoDepInfo, &tick),
    });
    progress.finish();

    print(&out, &args.output, args.verbose, &lock_path, args.base.as_deref())?;
    let threshold = match fail_on {
        FailOn::Malicious => Some(Verdict::Malicious),
        FailOn::Suspicious => Some(Verdict::Suspicious),
        FailOn::Never => None,
    };
    Ok(match threshold {
        Some(t) if out.reports.iter().any(|r| r.report.verdict >= t) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// The renderer views of an audit's reports.
pub fn views(out: &AuditOutput) -> Vec<ReportView<'_>> {
    out.reports
        .iter()
        .map(|r| {
            let adv = r.advisories.iter().map(|a| AdvisoryView { id: &a.id, url: a.url.as_deref(), source: &a.source }).collect();
            ReportView::new(&r.report).with_advisories(adv).with_kind(&r.kind).with_path(&r.path)
        })
        .collect()
}

fn print(out: &AuditOutput, output: &OutputArgs, verbose: bool, lock_path: &Path, base: Option<&str>) -> Result<()> {
    use std::io::Write;
    let v = views(out);
    match output.format {
        Format::Json => std::io::stdout().lock().write_all(render::to_json(out)?.as_bytes())?,
        Format::Sarif => std::io::stdout().lock().write_all(render::sarif_string(&v, &crate::cmd::diff::rule_doc).as_bytes())?,
        Format::Human => {
            let mut head = String::new();
            let what = match base {
                Some(b) => format!("{} new or updated since {}", plural(out.reports.len(), "package", "packages"), sanitize_terminal(b)),
                None => format!("{} audited", plural(out.reports.len(), "package", "packages")),
            };
            let _ = writeln!(head, "{}: {what} ({} from cache, {} scanned, {} downloaded)", lock_path.display(), out.stats.cached, out.stats.scanned, out.stats.downloaded);
            head.push_str(&tree(out));
            head.push('\n');
            std::io::stdout().lock().write_all(head.as_bytes())?;
            render::print_human(&v, verbose, common::color_mode(&output.color))?;
            let mut tail = String::new();
            for r in &out.reports {
                for (code, date, reason) in &r.expired_ignores {
                    let _ = writeln!(
                        tail,
                        "note: the ignore of {} {} ({}: {}) expired on {} and no longer applies",
                        field(&r.report.name),
                        field(&r.report.version),
                        field(code),
                        field(reason),
                        date
                    );
                }
                for (code, reason) in &r.ignored {
                    if verbose {
                        let _ = writeln!(tail, "note: {} {}: {} ignored ({})", field(&r.report.name), field(&r.report.version), field(code), field(reason));
                    }
                }
            }
            let ignored: usize = out.reports.iter().map(|r| r.ignored.len()).sum();
            if ignored > 0 && !verbose {
                let _ = writeln!(tail, "note: {} silenced by ferret.toml (--verbose lists them)", plural(ignored, "finding", "findings"));
            }
            let ad = &out.advisory_data;
            let _ = writeln!(
                tail,
                "advisory data: {}, newest advisory {} ({} days old)",
                if ad.sources.is_empty() { "none".to_string() } else { ad.sources.join(" + ") },
                ad.date.as_deref().unwrap_or("none"),
                ad.age_days.map(|d| d.to_string()).unwrap_or_else(|| "?".into())
            );
            for w in &out.warnings {
                let _ = writeln!(tail, "warning: {}", field(w));
            }
            std::io::stdout().lock().write_all(tail.as_bytes())?;
        }
    }
    Ok(())
}

fn field(s: &str) -> String {
    sanitize_terminal(s).into_owned()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn rank(r: &AuditReport) -> (Verdict, bool, u8) {
    (r.report.verdict, !r.advisories.is_empty() || r.report.error.is_some(), r.report.score)
}

#[derive(Default)]
struct Node {
    label: Option<String>,
    rank: Option<(Verdict, bool, u8)>,
    children: BTreeMap<String, Node>,
}

impl Node {
    fn worst(&self) -> (Verdict, bool, u8) {
        let mut w = self.rank.unwrap_or((Verdict::Clean, false, 0));
        for c in self.children.values() {
            w = w.max(c.worst());
        }
        w
    }
}

/// The flagged packages as a tree of the chains that pull them in, worst branch first.
pub fn tree(out: &AuditOutput) -> String {
    let mut flagged: Vec<&AuditReport> = out.reports.iter().filter(|r| r.report.verdict != Verdict::Clean || !r.advisories.is_empty()).collect();
    if flagged.is_empty() {
        return "no package is suspicious or malicious\n".into();
    }
    flagged.sort_by_key(|r| std::cmp::Reverse(rank(r)));
    let mut root = Node::default();
    for r in &flagged {
        let chain: Vec<String> = if r.path.is_empty() { vec![r.report.name.clone()] } else { r.path.clone() };
        let mut node = &mut root;
        for (i, name) in chain.iter().enumerate() {
            node = node.children.entry(name.clone()).or_default();
            if i + 1 == chain.len() {
                let mut label = format!("{} {}  {}", field(&r.report.name), field(&r.report.version), r.report.verdict.as_str().to_ascii_uppercase());
                if !r.advisories.is_empty() {
                    let ids: Vec<String> = r.advisories.iter().map(|a| field(&a.id)).collect();
                    let _ = write!(label, " ({})", ids.join(", "));
                } else if !r.report.decided_by.is_empty() {
                    let _ = write!(label, " ({})", r.report.decided_by.iter().map(|c| field(c)).collect::<Vec<_>>().join(", "));
                }
                let _ = write!(label, " [{}]", r.kind);
                if r.report.error.is_some() {
                    label.push_str(" (source not scanned)");
                }
                node.label = Some(label);
                node.rank = Some(rank(r));
            }
        }
    }
    let mut s = String::new();
    fn walk(n: &Node, name: &str, prefix: &str, last: bool, top: bool, s: &mut String) {
        let text = n.label.clone().unwrap_or_else(|| field(name));
        if top {
            let _ = writeln!(s, "{text}");
        } else {
            let _ = writeln!(s, "{prefix}{}{text}", if last { "└── " } else { "├── " });
        }
        let mut kids: Vec<(&String, &Node)> = n.children.iter().collect();
        kids.sort_by_key(|(_, c)| std::cmp::Reverse(c.worst()));
        let child_prefix = if top { String::new() } else { format!("{prefix}{}", if last { "    " } else { "│   " }) };
        for (i, (k, c)) in kids.iter().enumerate() {
            walk(c, k, &child_prefix, i + 1 == kids.len(), false, s);
        }
    }
    let mut tops: Vec<(&String, &Node)> = root.children.iter().collect();
    tops.sort_by_key(|(_, c)| std::cmp::Reverse(c.worst()));
    for (k, c) in tops {
        walk(c, k, "", true, true, &mut s);
    }
    s
}
