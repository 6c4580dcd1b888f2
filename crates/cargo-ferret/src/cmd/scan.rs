//! `cargo ferret scan TARGET...`: .crate files, crate directories, directories of .crate files,
//! or `name[@version]` from a sparse registry.

use crate::cli::{FailOn, ScanArgs};
use crate::cmd::common;
use crate::render::Progress;
use anyhow::Result;
use ferret_core::{Report, ScanOutput, Scanner, Verdict};
use ferret_intel::Intel;
use std::sync::Arc;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// One thing to scan, after expanding directories.
enum Job {
    Path(PathBuf),
    Registry(String),
    /// A target that could not be turned into anything to scan.
    Failed { label: String, error: String },
}

fn expand(target: &str) -> Vec<Job> {
    let path = Path::new(target);
    if path.is_file() {
        return vec![Job::Path(path.to_path_buf())];
    }
    if path.is_dir() {
        if path.join("Cargo.toml").is_file() {
            return vec![Job::Path(path.to_path_buf())];
        }
        let mut crates: Vec<PathBuf> = match std::fs::read_dir(path) {
            Ok(rd) => rd
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "crate") && p.is_file())
                .collect(),
            Err(e) => return vec![Job::Failed { label: target.to_string(), error: format!("cannot read directory {target}: {e}") }],
        };
        crates.sort();
        if crates.is_empty() {
            return vec![Job::Failed {
                label: target.to_string(),
                error: format!("{target} is a directory with neither a Cargo.toml nor any .crate file"),
            }];
        }
        return crates.into_iter().map(Job::Path).collect();
    }
    if path.exists() {
        return vec![Job::Failed { label: target.to_string(), error: format!("{target} is neither a file nor a directory") }];
    }
    let looks_like_path = target.contains('/') || target.contains('\\') || target.ends_with(".crate");
    if looks_like_path {
        return vec![Job::Failed { label: target.to_string(), error: format!("{target}: no such file or directory") }];
    }
    vec![Job::Registry(target.to_string())]
}

pub fn run(args: ScanArgs) -> Result<ExitCode> {
    let jobs: Vec<Job> = args.targets.iter().flat_map(|t| expand(t)).collect();
    let needs_registry = jobs.iter().any(|j| matches!(j, Job::Registry(_)));
    let registry = if needs_registry { Some(common::registry(args.index.as_deref(), args.cache_dir.as_deref())) } else { None };
    // The user's corpus (`corpus update`) when there is one, else the embedded default.
    let corpus = crate::cmd::corpus::load_corpus(None)?;
    let intel = Arc::new(Intel::new(corpus, ferret_advisory::AdvisoryDb::preferred(), ferret_intel::DEFAULT_TOP));
    let scanner = Scanner::new(common::scan_options(&intel));

    let progress = Progress::new(jobs.len() as u64, Progress::should_show(args.no_progress) && jobs.len() > 1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(args.jobs.unwrap_or(0)).build()?;
    let reports: Vec<Report> = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let report = match job {
                    Job::Path(p) => {
                        progress.set_message(&p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default());
                        scanner.scan_path(p)
                    }
                    Job::Registry(spec) => {
                        progress.set_message(spec);
                        match &registry {
                            Some(Ok(reg)) => common::scan_from_registry(&scanner, &intel, reg, spec),
                            Some(Err(e)) => Report::failed(spec.clone(), "", format!("{e:#}")),
                            None => unreachable!("registry is set up when a target needs it"),
                        }
                    }
                    Job::Failed { label, error } => {
                        let (name, version) = ferret_core::guess_name_version(Path::new(label));
                        Report::failed(name, version, error.clone())
                    }
                };
                progress.inc(1);
                report
            })
            .collect()
    });
    progress.finish();
    let output = ScanOutput { reports };
    common::print_reports(&output, args.output.format, &args.output.color)?;
    Ok(exit_code(&output, args.fail_on))
}

/// 1 when any report reaches `fail_on`, else 0.
pub fn exit_code(output: &ScanOutput, fail_on: FailOn) -> ExitCode {
    let threshold = match fail_on {
        FailOn::Malicious => Some(Verdict::Malicious),
        FailOn::Suspicious => Some(Verdict::Suspicious),
        FailOn::Never => None,
    };
    match threshold {
        Some(t) if output.reports.iter().any(|r| r.verdict >= t) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}
