//! Evaluation of the name and metadata checks on real data: recall on the malicious names of
//! the advisories, false flags on the crates ranked 3,001-10,000 and on the workspace's own
//! Cargo.lock, and metadata false flags on the corpus itself.
//!
//! `cargo run -p ferret-names --release --example eval [-- --verbose]`

use std::collections::BTreeMap;

use ferret_names::normalize::fold_name;
use ferret_names::{Corpus, CrateMeta, DEFAULT_TOP_N, NameChecker, SignalKind};

const SQUATS: &str = include_str!("../tests/data/squats.csv");
const LOCK: &str = include_str!("../../../Cargo.lock");

fn pct(n: usize, d: usize) -> String {
    format!("{n}/{d} ({:.2}%)", 100.0 * n as f64 / d.max(1) as f64)
}

fn main() {
    let verbose = std::env::args().any(|a| a == "--verbose");
    let corpus = Corpus::embedded();
    let checker = NameChecker::new(&corpus, DEFAULT_TOP_N);

    println!("# Recall (malicious name -> imitated crate, caught only if matched to that crate)");
    for set in ["named", "inferred"] {
        let (mut total, mut caught, mut reachable, mut caught_reachable) = (0, 0, 0, 0);
        for line in SQUATS.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() < 4 || f[2] != set {
                continue;
            }
            let (name, target) = (f[0], f[1]);
            total += 1;
            let in_top = corpus.rank(target).is_some_and(|r| r < DEFAULT_TOP_N);
            reachable += usize::from(in_top);
            let check = checker.check(name);
            let hit = check.matches.iter().find(|m| fold_name(&m.target) == fold_name(target));
            if hit.is_some() {
                caught += 1;
                caught_reachable += usize::from(in_top);
            }
            let rank = corpus.rank(target).map(|r| format!("rank {}", r + 1)).unwrap_or_else(|| "not in corpus".into());
            println!(
                "  {:<28} -> {:<26} {:<14} {}",
                name,
                target,
                rank,
                match hit {
                    Some(m) => format!("CAUGHT ({})", m.technique),
                    None if check.flagged => format!("missed (flagged as {} of {})", check.matches[0].technique, check.matches[0].target),
                    None => "missed".into(),
                }
            );
        }
        println!("{set}: caught {}; with the target in the top {DEFAULT_TOP_N}: {}", pct(caught, total), pct(caught_reachable, reachable));
    }

    println!("\n# False flags: crates ranked {}-{} checked against the top {DEFAULT_TOP_N}", DEFAULT_TOP_N + 1, corpus.len());
    let tail = &corpus.entries()[DEFAULT_TOP_N.min(corpus.len())..];
    for ratio in [0u64, 1000, 100, 10] {
        let c = NameChecker::new(&corpus, DEFAULT_TOP_N).with_popularity_ratio(ratio);
        let flagged: Vec<_> = tail.iter().map(|e| c.check(&e.name)).filter(|r| r.flagged).collect();
        let label = if ratio == 0 { "no popularity exception".to_owned() } else { format!("popularity ratio {ratio}") };
        println!("  {label:<26} flagged {}", pct(flagged.len(), tail.len()));
    }
    let as_new: Vec<_> = tail.iter().map(|e| checker.check_as_new(&e.name)).filter(|r| r.flagged).collect();
    println!("  as brand-new names (no exception at all) flagged {}", pct(as_new.len(), tail.len()));
    let mut by_tech: BTreeMap<String, usize> = BTreeMap::new();
    for r in &as_new {
        *by_tech.entry(r.matches[0].technique.to_string()).or_default() += 1;
    }
    println!("  as new, by best technique: {by_tech:?}");
    let flagged: Vec<_> = tail.iter().map(|e| checker.check(&e.name)).filter(|r| r.flagged).collect();
    println!("  default checker: flagged {}", pct(flagged.len(), tail.len()));
    if verbose {
        for r in &flagged {
            let m = &r.matches[0];
            println!("    {} -> {} ({}, {} downloads)", r.name, m.target, m.technique, m.target_downloads);
        }
        println!("  as new:");
        for r in &as_new {
            let m = &r.matches[0];
            println!("    {} -> {} ({})", r.name, m.target, m.technique);
        }
    }

    println!("\n# Names in the workspace Cargo.lock");
    let names: Vec<&str> = LOCK
        .lines()
        .filter_map(|l| l.strip_prefix("name = \"").and_then(|r| r.strip_suffix('"')))
        .collect();
    let lock_flags: Vec<_> = names.iter().map(|n| checker.check(n)).filter(|r| r.flagged).collect();
    println!("  flagged {}", pct(lock_flags.len(), names.len()));
    for r in &lock_flags {
        println!("    {} -> {} ({})", r.name, r.matches[0].target, r.matches[0].technique);
    }

    println!("\n# Metadata false flags: each corpus crate checked as if new (its own entry ignored)");
    let now = jiff::Timestamp::now();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut examples: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for e in corpus.entries() {
        let meta = CrateMeta {
            name: e.name.clone(),
            version: "1.0.0".into(),
            repository: Some(e.repository.clone()).filter(|r| !r.is_empty()),
            description: Some(e.description.clone()).filter(|d| !d.is_empty()),
            ..CrateMeta::default()
        };
        let sigs = checker.check_metadata_as_new(&meta, None, now);
        for kind in [SignalKind::RepositoryImpersonation, SignalKind::DescriptionCopy] {
            if let Some(s) = sigs.iter().find(|s| s.kind == kind) {
                use ferret_names::Severity::*;
                let key: &'static str = match (kind, s.severity) {
                    (SignalKind::RepositoryImpersonation, High) => "repository-impersonation (high)",
                    (SignalKind::RepositoryImpersonation, Medium) => "repository-impersonation (medium)",
                    (SignalKind::RepositoryImpersonation, _) => "repository-impersonation (low)",
                    (_, High) => "description-copy (high)",
                    (_, Medium) => "description-copy (medium)",
                    _ => "description-copy (low)",
                };
                *counts.entry(key).or_default() += 1;
                examples.entry(key).or_default().push(format!("{}: {}", e.name, s.message));
            }
        }
    }
    for (k, n) in &counts {
        println!("  {k:<36} {}", pct(*n, corpus.len()));
        let shown = if verbose { usize::MAX } else { 5 };
        for ex in examples[k].iter().take(shown) {
            println!("      {ex}");
        }
    }
}
