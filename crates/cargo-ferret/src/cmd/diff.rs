//! `cargo ferret diff NAME OLD NEW` (versions from the registry) or `cargo ferret diff OLD NEW`
//! (two .crate files or crate directories): what the new version adds. See `docs/audit.md`.

use crate::cli::{FailOn, Format, OutputArgs};
use crate::cmd::common;
use crate::render::{self, ReportView, sanitize_terminal};
use anyhow::{Context, Result, bail};
use ferret_audit::{DepInfo, NoDepInfo, RegistryDepInfo, Snapshot, UpdateReview};
use ferret_core::{Report, ScanOptions, Scanner, Verdict};
use serde::Serialize;
use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// `NAME OLD NEW` (versions fetched from the registry) or `OLD NEW` (.crate files or crate directories).
    #[arg(required = true, num_args = 2..=3, value_name = "NAME|OLD")]
    pub targets: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 1 when the review's verdict is at or above this.
    #[arg(long, value_enum, default_value = "malicious")]
    pub fail_on: FailOn,
    /// A RustSec advisory-db checkout to use as well as the built-in snapshot.
    #[arg(long, value_name = "PATH")]
    pub advisory_db: Option<std::path::PathBuf>,
    /// A folder of OSV records to use as well.
    #[arg(long, value_name = "PATH")]
    pub osv: Option<std::path::PathBuf>,
    /// Sparse index URL (default: crates.io, honouring cargo's source replacement).
    #[arg(long, value_name = "URL")]
    pub index: Option<String>,
    /// Where downloaded .crate files are kept (default: the user's cache dir).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<std::path::PathBuf>,
    /// Never use the network (only local paths can be compared; no dependency ages).
    #[arg(long)]
    pub offline: bool,
}

#[derive(Serialize)]
struct DiffReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    update: &'a UpdateReview,
}

#[derive(Serialize)]
struct DiffOutput<'a> {
    reports: Vec<DiffReport<'a>>,
}

fn local(scanner: &Scanner, target: &str) -> Result<Snapshot> {
    let p = Path::new(target);
    if !p.exists() {
        bail!("{target}: no such file or directory");
    }
    let (name, version) = ferret_core::guess_name_version(p);
    let s = Snapshot::scan_path(scanner, p, &name, &version);
    if let Some(e) = &s.report.error {
        bail!("cannot read {target}: {e}");
    }
    Ok(s)
}

pub fn run(args: Args) -> Result<ExitCode> {
    let intel = crate::cmd::audit::intel(args.advisory_db.as_deref(), args.osv.as_deref())?;
    let scanner = Scanner::new(ScanOptions { names: Some(intel.clone()), ..ScanOptions::default() });
    let registry = if args.offline { None } else { Some(common::registry(args.index.as_deref(), args.cache_dir.as_deref())?) };
    let (old, new) = match args.targets.as_slice() {
        [a, b] => (local(&scanner, a)?, local(&scanner, b)?),
        [name, a, b] => {
            let Some(reg) = &registry else { bail!("`diff NAME OLD NEW` fetches from the registry; without network give two .crate paths") };
            let fetch = |v: &str| -> Result<Snapshot> {
                let entry = reg.resolve(name, Some(&format!("={v}"))).with_context(|| format!("cannot find {name} {v} in the registry"))?;
                let path = reg.download(&entry).with_context(|| format!("cannot download {name} {v}"))?;
                let s = Snapshot::scan_path(&scanner, &path, name, &entry.vers.to_string());
                if let Some(e) = &s.report.error {
                    bail!("cannot read {name} {v}: {e}");
                }
                Ok(s)
            };
            (fetch(a)?, fetch(b)?)
        }
        _ => bail!("expected NAME OLD NEW or OLD NEW"),
    };
    let deps: Box<dyn DepInfo> = match &registry {
        Some(r) => Box::new(RegistryDepInfo { registry: r }),
        None => Box::new(NoDepInfo),
    };
    let review = ferret_audit::diff::review(Some(&old), &new, &intel, deps.as_ref());
    let report = ferret_audit::diff::review_report(&review, &new);

    use std::io::Write;
    match args.output.format {
        Format::Json => {
            let out = DiffOutput { reports: vec![DiffReport { report: &report, update: &review }] };
            std::io::stdout().lock().write_all(render::to_json(&out)?.as_bytes())?;
        }
        Format::Sarif => {
            let views = vec![ReportView::new(&report)];
            std::io::stdout().lock().write_all(render::sarif_string(&views, &rule_doc).as_bytes())?;
        }
        Format::Human => {
            std::io::stdout().lock().write_all(summary(&review).as_bytes())?;
            render::print_human(&[ReportView::new(&report)], true, common::color_mode(&args.output.color))?;
        }
    }
    let threshold = match args.fail_on {
        FailOn::Malicious => Some(Verdict::Malicious),
        FailOn::Suspicious => Some(Verdict::Suspicious),
        FailOn::Never => None,
    };
    Ok(match threshold {
        Some(t) if report.verdict >= t => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    })
}

/// Rule docs for SARIF: the engine's rules and the update-review rules.
pub fn rule_doc(code: &str) -> Option<render::RuleDoc> {
    common::rule_doc(code).or_else(|| {
        ferret_audit::UPDATE_RULES.iter().find(|r| r.code == code).map(|r| render::RuleDoc { name: r.name.into(), summary: r.summary.into(), help_markdown: r.doc.into() })
    })
}

fn f(s: &str) -> String {
    sanitize_terminal(s).into_owned()
}

/// What changed, as a short list.
fn summary(r: &UpdateReview) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {} -> {}{}",
        f(&r.name),
        f(r.old_version.as_deref().unwrap_or("(new)")),
        f(&r.new_version),
        if r.patch_release { " (patch release)" } else { "" }
    );
    let mut any = false;
    if let Some(b) = &r.build_script_added {
        let _ = writeln!(s, "  + build script {}", f(b));
        any = true;
    }
    for d in &r.added_dependencies {
        let _ = writeln!(s, "  + {} dependency {} {}", d.kind, f(&d.name), f(&d.req));
        any = true;
    }
    for d in &r.removed_dependencies {
        let _ = writeln!(s, "  - {} dependency {} {}", d.kind, f(&d.name), f(&d.req));
    }
    for b in &r.added_binaries {
        let _ = writeln!(s, "  + binary {}", f(b));
        any = true;
    }
    for c in &r.added_capabilities {
        let loc = if c.line > 0 { format!("{}:{}", f(&c.file), c.line) } else { f(&c.file) };
        let _ = writeln!(s, "  + {} {} at {loc}: {}", f(&c.code), f(&c.rule), f(&c.message));
        any = true;
    }
    if !any {
        s.push_str("  adds no capability, build script, dependency or binary\n");
    }
    s.push('\n');
    s
}
