//! The fixture table: every inert fixture under `fixtures/` is scanned (never built, never run)
//! and must get the verdict `fixtures/expected.toml` gives it, decided by the rules listed there.

use ferret_core::{ScanOptions, Scanner, Verdict};
use ferret_intel::Intel;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Deserialize)]
struct Expected {
    fixture: BTreeMap<String, Entry>,
}

#[derive(Deserialize)]
struct Entry {
    path: String,
    verdict: String,
    /// The verdict without advisory data, when it differs (laundering front crates).
    engine_verdict: Option<String>,
    max_verdict: Option<String>,
    #[serde(default)]
    rules: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

#[test]
fn every_fixture_gets_its_verdict_and_deciding_rules() {
    let text = std::fs::read_to_string(root().join("expected.toml")).unwrap();
    let expected: Expected = toml::from_str(&text).unwrap();
    // No advisories: verdicts must come from reading the code, names and metadata, not from
    // an advisory that already names the fixture's crate.
    let no_advisories = ferret_advisory::AdvisoryDb::from_advisories(Vec::new(), ferret_advisory::Origin::Embedded, Vec::new());
    let intel = Arc::new(Intel::new(ferret_names::Corpus::embedded(), no_advisories, ferret_intel::DEFAULT_TOP));
    let scanner = Scanner::new(ScanOptions { names: Some(intel), ..Default::default() });
    let mut failures = Vec::new();
    let mut table = String::new();
    for (id, e) in &expected.fixture {
        let report = scanner.scan_path(&root().join(&e.path));
        let want: Verdict = e.engine_verdict.as_deref().unwrap_or(&e.verdict).parse().unwrap();
        let max: Verdict = e.max_verdict.as_deref().map(|m| m.parse().unwrap()).unwrap_or(want);
        let ok_verdict = report.verdict >= want && report.verdict <= max;
        let missing: Vec<&String> = e.rules.iter().filter(|r| !report.decided_by.contains(r)).collect();
        let codes: Vec<String> = report.findings.iter().map(|f| format!("{}:{}", f.code, f.severity)).collect();
        table.push_str(&format!("{id:<26} {:<10} decided_by={:?} findings={:?}\n", report.verdict.as_str(), report.decided_by, codes));
        if !ok_verdict || !missing.is_empty() {
            failures.push(format!("{id}: got {} decided by {:?}, want {}..={} decided by {:?}", report.verdict, report.decided_by, want, max, e.rules));
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "fixture table failures:\n{}", failures.join("\n"));
}

#[test]
fn advisories_name_known_malware_and_its_dependents() {
    let scanner = Scanner::new(ScanOptions { names: Some(Arc::new(Intel::default_offline())), ..Default::default() });
    let r = scanner.scan_path(&root().join("malicious/rustdecimal"));
    assert!(r.decided_by.contains(&"ADV001".to_string()), "{:?}", r.decided_by);
    let front = scanner.scan_path(&root().join("malicious/arrayref-takeover"));
    assert_eq!(front.verdict, Verdict::Malicious);
    assert!(front.decided_by.contains(&"DEP001".to_string()), "{:?}", front.decided_by);
    let finch = scanner.scan_path(&root().join("malicious/finch-rust"));
    assert_eq!(finch.verdict, Verdict::Malicious, "{:?}", finch.findings);
    let genuine = scanner.scan_path(&root().join("benign/arrayref-genuine"));
    assert_eq!(genuine.verdict, Verdict::Clean, "{:?}", genuine.findings);
}

/// Every rule has a fixture that trips it. The archive rules (ARC001-003, MAN001) are tripped by
/// archives built in `cargo-ferret/tests/cli_scan.rs` (a fixture directory cannot hold a `..`
/// path or a gzip bomb); META003 and META005 need registry facts (a crate's first version and
/// publication time), tested in ferret-names.
#[test]
fn every_rule_is_tripped_by_some_fixture() {
    let scanner = Scanner::new(ScanOptions { names: Some(Arc::new(Intel::default_offline())), ..Default::default() });
    let mut seen = std::collections::BTreeSet::new();
    for kind in ["malicious", "benign"] {
        for e in std::fs::read_dir(root().join(kind)).unwrap().flatten() {
            for f in scanner.scan_path(&e.path()).findings {
                seen.insert(f.code);
            }
        }
    }
    let exempt = ["ARC001", "ARC002", "ARC003", "MAN001", "META003", "META005"];
    let missing: Vec<&str> = ferret_core::rules::all().iter().map(|i| i.code).filter(|c| !seen.contains(*c) && !exempt.contains(c)).collect();
    assert!(missing.is_empty(), "rules no fixture trips: {missing:?}");
}

#[test]
fn every_rule_is_documented() {
    for i in ferret_core::rules::all() {
        for section in ["## What it detects", "## Why", "## Example", "## Known false positives"] {
            assert!(i.doc.contains(section), "{} lacks {section}", i.code);
        }
    }
}
