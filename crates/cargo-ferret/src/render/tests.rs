//! Snapshot tests of every renderer over one hand-made scan, and SARIF schema validation.

use super::*;
use ferret_core::{Finding, Report, ScanOutput, Severity, Verdict};
use serde_json::Value;

fn finding(code: &str, rule: &str, severity: Severity, file: &str, line: u32, message: &str, snippet: &str) -> Finding {
    Finding {
        code: code.into(),
        rule: rule.into(),
        severity,
        file: file.into(),
        line,
        message: message.into(),
        snippet: snippet.into(),
    }
}

/// A scan with a malicious crate (several findings, one crate-level), a suspicious crate full of
/// hostile text, an unreadable target, and clean crates with and without minor findings.
pub(super) fn sample() -> ScanOutput {
    let clean = Report {
        name: "serde".into(),
        version: "1.0.228".into(),
        verdict: Verdict::Clean,
        score: 0,
        findings: vec![],
        decided_by: vec![],
        error: None,
    };
    let clean_minor = Report {
        name: "openssl-src".into(),
        version: "300.5.0".into(),
        verdict: Verdict::Clean,
        score: 5,
        findings: vec![finding("BLD010", "build-script-runs-process", Severity::Low, "build.rs", 12, "build script runs `make`", "Command::new(\"make\").status()?;")],
        decided_by: vec![],
        error: None,
    };
    let malicious = Report {
        name: "evil-build".into(),
        version: "0.1.0".into(),
        verdict: Verdict::Malicious,
        score: 97,
        findings: vec![
            finding("NAM001", "typosquat", Severity::Medium, "", 0, "name is one edit away from popular crate `evm-build`", ""),
            finding(
                "BLD001",
                "build-script-download-exec",
                Severity::Critical,
                "build.rs",
                98,
                "build script downloads a file and executes it",
                "    let resp = reqwest::blocking::get(url)?;\n    std::fs::write(&p, resp.bytes()?)?;\n\tstd::process::Command::new(&p).spawn()?;\n",
            ),
            finding("TST001", "key-test-vector", Severity::Info, "tests/keys.rs", 3, "key-shaped constant in a test", "const K: &str = \"0xdeadbeef\";"),
            finding(
                "EXF001",
                "secret-read-then-network",
                Severity::High,
                "src/lib.rs",
                7,
                "reads `~/.ssh/id_rsa` and sends it to https://evil.workers.dev [collector]",
                "let key = std::fs::read_to_string(home.join(\".ssh/id_rsa\"))?;",
            ),
        ],
        decided_by: vec!["BLD001".into(), "EXF001".into()],
        error: None,
    };
    let hostile = Report {
        name: "sneaky\u{1b}[2J".into(),
        version: "1.0.0\u{202e}".into(),
        verdict: Verdict::Suspicious,
        score: 60,
        findings: vec![finding(
            "OBF002",
            "obfuscated-string",
            Severity::Medium,
            "src/a b/\u{1b}]8;;https://x.example/\u{7}lib.rs",
            1,
            "decoded string \u{1b}[31mhides\u{1b}[0m a URL\r\nok",
            "let s = \"\u{1b}]8;;https://evil.example/\u{1b}\\\\click\u{1b}]8;;\u{1b}\\\\\";\r\nlet ok = is_admin\u{202e} \u{2066}// check\u{2069};\r\nprint!(\"fine\\rhidden\");\rbad();",
        )],
        decided_by: vec!["OBF002".into()],
        error: None,
    };
    let broken = Report::failed("broken.crate", "", "gzip: invalid header at byte 0");
    ScanOutput { reports: vec![clean, malicious, broken, hostile, clean_minor] }
}

fn rule_doc(code: &str) -> Option<RuleDoc> {
    (code == "BLD001").then(|| RuleDoc {
        name: "build-script-download-exec".into(),
        summary: "A build script downloads a file and executes it.".into(),
        help_markdown: "## What it detects\nA `build.rs` that fetches a file over the network and runs it.".into(),
    })
}

fn sarif_for_snapshot(views: &[ReportView<'_>]) -> Value {
    let mut v = sarif(views, &rule_doc);
    v["runs"][0]["tool"]["driver"]["version"] = "[version]".into();
    v["runs"][0]["tool"]["driver"]["semanticVersion"] = "[version]".into();
    v
}

#[test]
fn human_snapshot_without_colour() {
    let out = sample();
    let text = render_human(&views(&out), &HumanOptions { color: false, verbose: false });
    assert!(!text.contains('\u{1b}'), "raw escape reached the terminal:\n{text}");
    assert!(!text.contains('\r') && !text.contains('\u{202e}') && !text.contains('\u{2066}'));
    insta::assert_snapshot!("human", text);
}

#[test]
fn human_snapshot_verbose() {
    let out = sample();
    let text = render_human(&views(&out), &HumanOptions { color: false, verbose: true });
    insta::assert_snapshot!("human_verbose", text);
}

#[test]
fn human_colour_only_adds_our_styles() {
    let out = sample();
    let v = views(&out);
    let plain = render_human(&v, &HumanOptions { color: false, verbose: false });
    let coloured = render_human(&v, &HumanOptions { color: true, verbose: false });
    assert_ne!(plain, coloured);
    assert!(coloured.contains("\u{1b}[1m\u{1b}[31mMALICIOUS") || coloured.contains("\u{1b}[31m"), "{coloured}");
    // Stripping our own escapes gives back exactly the plain rendering: no crate text was
    // changed by colouring and no crate escape survived.
    let stripped = anstream::adapter::strip_str(&coloured).to_string();
    assert_eq!(stripped, plain);
}

#[test]
fn human_many_clean_crates_are_summarised() {
    let reports: Vec<Report> = (0..CLEAN_LIST_LIMIT_TEST)
        .map(|i| Report {
            name: format!("crate{i}"),
            version: "1.0.0".into(),
            verdict: Verdict::Clean,
            score: 0,
            findings: vec![],
            decided_by: vec![],
            error: None,
        })
        .collect();
    let out = ScanOutput { reports };
    let text = render_human(&views(&out), &HumanOptions::default());
    assert_eq!(text, format!("{CLEAN_LIST_LIMIT_TEST} clean crates not listed (--verbose lists them)\n\n0 malicious, 0 suspicious, {CLEAN_LIST_LIMIT_TEST} clean ({CLEAN_LIST_LIMIT_TEST} crates, 0 findings)\n"));
    let verbose = render_human(&views(&out), &HumanOptions { color: false, verbose: true });
    assert!(verbose.contains("crate0 1.0.0  CLEAN (score 0)"), "{verbose}");
}

const CLEAN_LIST_LIMIT_TEST: usize = human::CLEAN_LIST_MAX + 1;

#[test]
fn human_long_snippets_are_cut() {
    let snippet: String = (0..30).map(|i| format!("line{i} {}\n", "x".repeat(if i == 0 { 500 } else { 1 }))).collect();
    let r = Report {
        name: "big".into(),
        version: "1.0.0".into(),
        verdict: Verdict::Suspicious,
        score: 40,
        findings: vec![finding("OBF001", "huge-line", Severity::Medium, "src/gen.rs", 995, "generated code", &snippet)],
        decided_by: vec![],
        error: None,
    };
    let text = render_human(&[ReportView::new(&r)], &HumanOptions::default());
    assert!(text.contains(&format!("{}…", "x".repeat(194))), "{text}");
    assert!(text.contains("1006 | line11 x\n"), "{text}");
    assert!(!text.contains("line12"), "{text}");
    assert!(text.contains("     | ... 18 more lines\n"), "{text}");
    assert!(text.contains("\n 995 | line0 x"), "{text}");
}

#[test]
fn human_shows_audit_extras() {
    let r = Report {
        name: "proc-macro1".into(),
        version: "1.0.0".into(),
        verdict: Verdict::Malicious,
        score: 100,
        findings: vec![],
        decided_by: vec!["ADV001".into()],
        error: None,
    };
    let path = vec!["my-app".to_string(), "arrayref".to_string(), "proc-macro1\u{1b}[K".to_string()];
    let view = ReportView::new(&r)
        .with_kind("build")
        .with_path(&path)
        .with_advisories(vec![AdvisoryView { id: "RUSTSEC-2025-0001", url: Some("https://rustsec.org/advisories/RUSTSEC-2025-0001"), source: "rustsec" }]);
    let text = render_human(&[view], &HumanOptions::default());
    insta::assert_snapshot!("human_audit_extras", text);
}

#[test]
fn json_snapshot_is_the_contract() {
    let out = sample();
    let text = scan_json(&out).unwrap();
    assert!(text.ends_with("}\n"));
    // Round-trips to the same data and holds no raw control characters.
    let back: ScanOutput = serde_json::from_str(&text).unwrap();
    assert_eq!(back, out);
    assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["reports"][1]["findings"][1]["severity"], "critical");
    assert_eq!(v["reports"][2]["error"], "gzip: invalid header at byte 0");
    assert!(v["reports"][0].get("error").is_none());
    insta::assert_snapshot!("json", text);
}

#[test]
fn sarif_snapshot() {
    let out = sample();
    let text = serde_json::to_string_pretty(&sarif_for_snapshot(&views(&out))).unwrap();
    insta::assert_snapshot!("sarif", text);
}

#[test]
fn sarif_shape() {
    let out = sample();
    let v = sarif(&views(&out), &rule_doc);
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["BLD001", "BLD010", "ERR001", "EXF001", "NAM001", "OBF002", "TST001"]);
    assert_eq!(rules[0]["fullDescription"]["text"], "A build script downloads a file and executes it.");
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[0]["properties"]["security-severity"], "9.5");
    let results = run["results"].as_array().unwrap();
    // 6 findings + 1 unreadable target.
    assert_eq!(results.len(), 7);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
        assert_eq!(r["partialFingerprints"][sarif::FINGERPRINT_KEY].as_str().unwrap().len(), 64);
    }
    let bld = results.iter().find(|r| r["ruleId"] == "BLD001").unwrap();
    assert_eq!(bld["level"], "error");
    assert_eq!(bld["message"]["text"], "evil-build@0.1.0: build script downloads a file and executes it");
    assert_eq!(bld["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "evil-build-0.1.0/build.rs");
    assert_eq!(bld["locations"][0]["physicalLocation"]["region"]["startLine"], 98);
    assert_eq!(bld["properties"]["verdict"], "malicious");
    assert_eq!(bld["properties"]["score"], 97);
    let nam = results.iter().find(|r| r["ruleId"] == "NAM001").unwrap();
    assert!(nam["locations"][0]["physicalLocation"].get("region").is_none(), "line 0 must not give a region");
    assert_eq!(nam["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "evil-build-0.1.0/Cargo.toml");
    assert_eq!(nam["level"], "warning");
    let tst = results.iter().find(|r| r["ruleId"] == "TST001").unwrap();
    assert_eq!(tst["level"], "note");
    let exf = results.iter().find(|r| r["ruleId"] == "EXF001").unwrap();
    assert!(exf["message"]["text"].as_str().unwrap().ends_with("\\[collector\\]"));
    let err = results.iter().find(|r| r["ruleId"] == "ERR001").unwrap();
    assert_eq!(err["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "broken.crate");
    let notes = run["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    // No raw escape or bidi character anywhere in the log.
    let text = v.to_string();
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}') && !text.contains("\\u001b"), "{text}");
}

#[test]
fn sarif_artifact_root_override() {
    let out = sample();
    let view = ReportView::new(&out.reports[1]).with_artifact_root("file:///home/u/.cargo/registry/src/index/evil-build-0.1.0/");
    let v = sarif(&[view], &|_| None);
    let uri = &v["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "file:///home/u/.cargo/registry/src/index/evil-build-0.1.0/build.rs");
    // Unknown rules still get a description.
    let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules[0]["name"], "build-script-download-exec");
    assert!(rules[0]["shortDescription"]["text"].as_str().unwrap().contains("BLD001"));
}

#[test]
fn sarif_fingerprints_are_stable_across_versions() {
    let out = sample();
    let mut newer = out.reports[1].clone();
    newer.version = "0.1.1".into();
    let a = sarif(&[ReportView::new(&out.reports[1])], &rule_doc);
    let b = sarif(&[ReportView::new(&newer)], &rule_doc);
    let fp = |v: &Value| v["runs"][0]["results"][1]["partialFingerprints"].clone();
    assert_eq!(fp(&a), fp(&b));
}

fn sarif_validator() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft4::options().should_validate_formats(true).build(&schema).unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

#[test]
fn sarif_validates_against_the_official_schema() {
    let validator = sarif_validator();
    let out = sample();
    let mut all = views(&out);
    let path = vec!["app".to_string(), "evil-build".to_string()];
    all.push(
        ReportView::new(&out.reports[1])
            .with_kind("build")
            .with_path(&path)
            .with_advisories(vec![AdvisoryView { id: "RUSTSEC-2025-0001", url: None, source: "rustsec" }]),
    );
    for v in [sarif(&all, &rule_doc), sarif(&[], &rule_doc)] {
        let errors = schema_errors(&validator, &v);
        assert!(errors.is_empty(), "{errors:#?}");
    }
}

#[test]
fn schema_validation_catches_a_broken_log() {
    // The validator must actually check: startLine 0 and an unknown level are invalid SARIF.
    let validator = sarif_validator();
    let out = sample();
    let mut v = sarif(&views(&out), &rule_doc);
    v["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0.into();
    assert!(!schema_errors(&validator, &v).is_empty());
    let mut v = sarif(&views(&out), &rule_doc);
    v["runs"][0]["results"][0]["level"] = "critical".into();
    assert!(!schema_errors(&validator, &v).is_empty());
}
