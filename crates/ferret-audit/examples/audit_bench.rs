//! Benchmark: cold audit of `corpus/Cargo.lock` with every source local, a plain scan of the
//! same `.crate` files in the same run, and a warm (cached) audit.
//!
//! ```console
//! $ corpus/fetch.sh                                  # once: fills target/corpus-home
//! $ cargo run --release -p ferret-audit --example audit_bench [-- LOCKFILE CARGO_HOME]
//! ```
//! Prints wall times, the cold/scan ratio, and every non-clean verdict with its findings.
#![forbid(unsafe_code)]

use ferret_audit::{Auditor, Config, LockGraph, NoDepInfo, ResultCache, Workspace};
use ferret_core::{ScanOptions, Scanner, Verdict};
use ferret_intel::Intel;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut args = std::env::args().skip(1);
    let lock_path = args.next().map(PathBuf::from).unwrap_or_else(|| repo.join("corpus/Cargo.lock"));
    let cargo_home = args.next().map(PathBuf::from).unwrap_or_else(|| repo.join("target/corpus-home"));
    let cache_dir = cargo_home.join("registry/cache");
    if !cache_dir.is_dir() {
        eprintln!("{} does not exist: run corpus/fetch.sh first", cache_dir.display());
        std::process::exit(2);
    }
    let t = Instant::now();
    let intel = Arc::new(Intel::default_offline());
    let intel_load = t.elapsed();
    let scanner = Scanner::new(ScanOptions { names: Some(intel.clone()), ..ScanOptions::default() });

    // The .crate files the lockfile names, as `scan DIR` would see them.
    let mut crates: Vec<PathBuf> = std::fs::read_dir(&cache_dir)
        .expect("read cache")
        .filter_map(|e| e.ok())
        .flat_map(|d| std::fs::read_dir(d.path()).into_iter().flatten().filter_map(|e| e.ok()).map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "crate"))
        .collect();
    crates.sort();
    let bytes: u64 = crates.iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();

    let results = tempfile::tempdir().expect("tempdir");
    let make = |cache: Option<ResultCache>| Auditor {
        scanner: scanner.clone(),
        intel: intel.clone(),
        registry: None,
        cargo_home: Some(cargo_home.clone()),
        cache,
        config: Config::default(),
        today: ferret_advisory::today(),
    };
    let fp = ferret_audit::engine_fingerprint(intel.advisories(), &Default::default());
    let ws = Workspace::read(&lock_path.with_file_name("Cargo.toml"));
    let lock = LockGraph::load(&lock_path).expect("lockfile");

    // Warm-up of the page cache so neither side pays for the first disk read.
    for p in &crates {
        let _ = std::fs::read(p);
    }

    let t = Instant::now();
    let scanned: Vec<Verdict> = crates.par_iter().map(|p| scanner.scan_path(p).verdict).collect();
    let scan_time = t.elapsed();

    let t = Instant::now();
    let cold = make(Some(ResultCache::new(results.path(), &fp))).audit(&lock, &ws, None, &NoDepInfo, &|_| {});
    let cold_time = t.elapsed();

    // Warm: what a second `cargo ferret audit` does, including loading the lockfile and intel.
    let t = Instant::now();
    let intel2 = Arc::new(Intel::default_offline());
    let lock2 = LockGraph::load(&lock_path).expect("lockfile");
    let ws2 = Workspace::read(&lock_path.with_file_name("Cargo.toml"));
    let warm_auditor = Auditor { intel: intel2, ..make(Some(ResultCache::new(results.path(), &fp))) };
    let warm = warm_auditor.audit(&lock2, &ws2, None, &NoDepInfo, &|_| {});
    let warm_time = t.elapsed();

    println!("lockfile: {} ({} packages, {} audited, {} workspace members)", lock_path.display(), lock.packages.len(), cold.reports.len(), cold.stats.members);
    println!(".crate files: {} ({:.1} MiB compressed)", crates.len(), bytes as f64 / 1048576.0);
    println!("threads: {}", rayon::current_num_threads());
    println!("intel load (corpus + advisories): {:.3} s", intel_load.as_secs_f64());
    println!("scan of the same .crate files:    {:.3} s  ({:.1} crates/s)", scan_time.as_secs_f64(), crates.len() as f64 / scan_time.as_secs_f64());
    println!("cold audit (sources local):       {:.3} s  (ratio to scan {:.3}; scanned {}, from cache {})", cold_time.as_secs_f64(), cold_time.as_secs_f64() / scan_time.as_secs_f64(), cold.stats.scanned, cold.stats.cached);
    println!("warm audit (cached, incl. load):  {:.3} s  (from cache {})", warm_time.as_secs_f64(), warm.stats.cached);
    let scan_non_clean = scanned.iter().filter(|v| **v != Verdict::Clean).count();
    println!("scan non-clean verdicts: {scan_non_clean}");
    let non_clean: Vec<_> = cold.reports.iter().filter(|r| r.report.verdict != Verdict::Clean).collect();
    println!("audit non-clean verdicts: {} (malicious {}, suspicious {})", non_clean.len(), non_clean.iter().filter(|r| r.report.verdict == Verdict::Malicious).count(), non_clean.iter().filter(|r| r.report.verdict == Verdict::Suspicious).count());
    for r in non_clean {
        println!("  {} {} {} [{}] score {} decided by {:?}{}", r.report.name, r.report.version, r.report.verdict, r.kind, r.report.score, r.report.decided_by, r.report.error.as_deref().map(|e| format!(" error: {e}")).unwrap_or_default());
        for f in &r.report.findings {
            println!("    {} {} {} {}:{} {}", f.severity, f.code, f.rule, f.file, f.line, f.message.chars().take(160).collect::<String>());
        }
    }
    for w in &cold.warnings {
        println!("warning: {w}");
    }
}
