//! The corpus run and the benchmark, in one run over the same `.crate` files:
//!
//! ```text
//! cargo run --release -p ferret-intel --example corpus -- DIR... [--report PATH]
//! ```
//!
//! Each DIR is searched (one level of subdirectories, as in `~/.cargo/registry/cache/*/`) for
//! `.crate` files. Prints every non-clean verdict with its findings, the verdict counts, and
//! the benchmark: the floor (decompressing every file, nothing kept) and the full scan, both
//! across all cores, as crates/s, MB/s of unpacked source and their ratio; and peak memory.
//! `--report PATH` writes the non-clean verdicts as JSON lines.

use ferret_core::{ScanOptions, Scanner, Verdict};
use ferret_intel::Intel;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

fn crates_in(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        eprintln!("cannot read {}", dir.display());
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            if let Ok(sub) = std::fs::read_dir(&p) {
                out.extend(sub.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "crate")));
            }
        } else if p.extension().is_some_and(|x| x == "crate") {
            out.push(p);
        }
    }
}

fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = s.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// CPU seconds used by this process so far (user + system), from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let report_path = args.iter().position(|a| a == "--report").map(|i| {
        let p = args.get(i + 1).cloned().expect("--report needs a path");
        args.drain(i..=i + 1);
        p
    });
    let mut files = Vec::new();
    for d in &args {
        crates_in(Path::new(d), &mut files);
    }
    files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    files.dedup_by(|a, b| a.file_name() == b.file_name());
    if files.is_empty() {
        eprintln!("usage: corpus DIR... [--report PATH]  (no .crate files found)");
        std::process::exit(2);
    }
    let compressed: u64 = files.iter().filter_map(|f| std::fs::metadata(f).ok()).map(|m| m.len()).sum();
    // Warm the page cache so both timings read from memory.
    files.par_iter().for_each(|f| {
        let _ = std::fs::read(f);
    });

    let c = cpu_seconds();
    let t = Instant::now();
    let unpacked: u64 = files.par_iter().map(|f| ferret_archive::decompress_only(f).unwrap_or(0)).sum();
    let floor = t.elapsed().as_secs_f64();
    let floor_cpu = cpu_seconds() - c;

    let t = Instant::now();
    let intel = Arc::new(Intel::default_offline());
    let load = t.elapsed().as_secs_f64();
    let scanner = Scanner::new(ScanOptions { names: Some(intel), ..Default::default() });
    let c = cpu_seconds();
    let t = Instant::now();
    let reports: Vec<_> = files.par_iter().map(|f| scanner.scan_path(f)).collect();
    let scan = t.elapsed().as_secs_f64();
    let scan_cpu = cpu_seconds() - c;

    let mut counts = [0usize; 3];
    let mut lines = Vec::new();
    for r in &reports {
        counts[r.verdict as usize] += 1;
        if r.verdict != Verdict::Clean {
            println!("{} {} {} (score {}) decided by {:?}{}", r.verdict, r.name, r.version, r.score, r.decided_by, r.error.as_deref().map(|e| format!(" error: {e}")).unwrap_or_default());
            for f in r.findings.iter().filter(|f| f.severity >= ferret_core::Severity::Medium) {
                println!("    {} {} {}:{} {}", f.severity, f.code, f.file, f.line, f.message.chars().take(200).collect::<String>());
            }
            lines.push(serde_json::to_string(r).unwrap());
        }
    }
    if let Some(p) = report_path {
        std::fs::write(&p, lines.join("\n") + "\n").expect("write --report");
    }
    let n = files.len() as f64;
    let mb = unpacked as f64 / 1e6;
    println!();
    println!("crates: {}  ({:.1} MB compressed, {:.1} MB unpacked)", files.len(), compressed as f64 / 1e6, mb);
    println!("verdicts: {} malicious, {} suspicious ({:.1}%), {} clean", counts[2], counts[1], 100.0 * counts[1] as f64 / n, counts[0]);
    println!("floor (decompress only): {floor:.2} s  {:.0} crates/s  {:.0} MB/s", n / floor, mb / floor);
    println!("scan:                    {scan:.2} s  {:.0} crates/s  {:.0} MB/s  (+ {load:.2} s one-time corpus/advisory load)", n / scan, mb / scan);
    println!("ratio scan/floor: {:.2}x wall, {:.2}x CPU ({scan_cpu:.1} s vs {floor_cpu:.1} s; CPU is the steadier figure on a shared machine)  (goal: at most 4x)", scan / floor, scan_cpu / floor_cpu.max(0.01));
    if let Some(m) = peak_rss_mib() {
        println!("peak memory: {m:.0} MiB  (goal: under 1024 MiB)");
    }
    println!("threads: {}", rayon::current_num_threads());
}
