//! Benchmark: reading `.crate` files into memory vs merely decompressing them.
//!
//! ```text
//! cargo run --release -p ferret-archive --example unpack_bench -- DIR [ROUNDS]
//! ```
//!
//! Reads every `*.crate` in DIR with `decompress_only` (the floor: gzip + tar streamed,
//! nothing kept) and with `read_crate_file` (limits, checks, kind detection, files kept in
//! memory), alternating, ROUNDS times (default 3); prints the best round of each.

use ferret_archive::{Limits, decompress_only, read_crate_file};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

struct Round {
    time: Duration,
    /// CPU time of this thread (Linux), steadier than wall time on a loaded machine.
    cpu: Option<Duration>,
    bytes: u64,
    errors: usize,
    with_problems: usize,
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: unpack_bench DIR [ROUNDS]   (DIR holds .crate files)");
        return ExitCode::from(2);
    };
    let rounds: usize = match args.next().map(|r| r.parse()) {
        None => 3,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("ROUNDS must be a positive number");
            return ExitCode::from(2);
        }
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "crate"))
            .collect(),
        Err(e) => {
            eprintln!("cannot read {dir}: {e}");
            return ExitCode::FAILURE;
        }
    };
    files.sort();
    if files.is_empty() {
        eprintln!("no .crate files in {dir}");
        return ExitCode::FAILURE;
    }
    let compressed: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let limits = Limits::default();

    let floor = |files: &[PathBuf]| {
        let (start, cpu0) = (Instant::now(), cpu_time());
        let (mut bytes, mut errors) = (0, 0);
        for f in files {
            match decompress_only(f) {
                Ok(n) => bytes += n,
                Err(_) => errors += 1,
            }
        }
        let cpu = cpu_time().zip(cpu0).map(|(b, a)| b - a);
        Round {
            time: start.elapsed(),
            cpu,
            bytes,
            errors,
            with_problems: 0,
        }
    };
    let full = |files: &[PathBuf]| {
        let (start, cpu0) = (Instant::now(), cpu_time());
        let (mut bytes, mut errors, mut with_problems) = (0, 0, 0);
        for f in files {
            match read_crate_file(f, &limits) {
                Ok(a) => {
                    bytes += a.unpacked_size;
                    with_problems += usize::from(!a.problems.is_empty());
                    std::hint::black_box(&a);
                }
                Err(_) => errors += 1,
            }
        }
        let cpu = cpu_time().zip(cpu0).map(|(b, a)| b - a);
        Round {
            time: start.elapsed(),
            cpu,
            bytes,
            errors,
            with_problems,
        }
    };

    let mut best_floor: Option<Round> = None;
    let mut best_full: Option<Round> = None;
    for _ in 0..rounds {
        let f = floor(&files);
        if best_floor.as_ref().is_none_or(|b| f.time < b.time) {
            best_floor = Some(f);
        }
        let r = full(&files);
        if best_full.as_ref().is_none_or(|b| r.time < b.time) {
            best_full = Some(r);
        }
    }
    let (floor, full) = (best_floor.unwrap(), best_full.unwrap());
    let mb = |b: u64| b as f64 / 1e6;
    println!(
        "{} crates, {:.1} MB compressed, {:.1} MB unpacked; best of {rounds} rounds",
        files.len(),
        mb(compressed),
        mb(full.bytes)
    );
    for (name, r) in [
        ("decompress_only (floor)", &floor),
        ("read_crate_file", &full),
    ] {
        let secs = r.time.as_secs_f64();
        println!(
            "{name:<24} wall {:>7.3} s {:>7.0} crates/s {:>7.1} MB/s unpacked  ({} errors, {} with problems)",
            secs,
            files.len() as f64 / secs,
            mb(r.bytes) / secs,
            r.errors,
            r.with_problems
        );
        if let Some(cpu) = r.cpu {
            let cpu = cpu.as_secs_f64();
            println!(
                "{:<24} cpu  {:>7.3} s {:>7.0} crates/s {:>7.1} MB/s unpacked",
                "",
                cpu,
                files.len() as f64 / cpu,
                mb(r.bytes) / cpu
            );
        }
    }
    println!(
        "ratio read_crate_file / floor: {:.2}x wall time",
        full.time.as_secs_f64() / floor.time.as_secs_f64()
    );
    if let (Some(a), Some(b)) = (full.cpu, floor.cpu) {
        println!(
            "ratio read_crate_file / floor: {:.2}x CPU time ({:.3} s vs {:.3} s)",
            a.as_secs_f64() / b.as_secs_f64(),
            a.as_secs_f64(),
            b.as_secs_f64()
        );
    }
    if let Some(peak) = peak_memory_kib() {
        println!("peak memory (VmHWM): {:.1} MiB", peak as f64 / 1024.0);
    }
    ExitCode::SUCCESS
}

/// CPU time spent by this thread so far, from /proc/self/schedstat (Linux only).
fn cpu_time() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    Some(Duration::from_nanos(
        s.split_whitespace().next()?.parse().ok()?,
    ))
}

/// Peak resident memory of this process, from /proc (Linux only).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
