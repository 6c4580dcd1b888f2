//! `cargo ferret scan`: targets, the JSON contract, exit codes, hostile archives, the registry.

use assert_cmd::Command;
use ferret_testkit::{CrateBuilder, FakeRegistry, crate_bytes_from_dir};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn ferret() -> Command {
    let mut c = Command::cargo_bin("cargo-ferret").unwrap();
    c.env("FERRET_CACHE_DIR", std::env::temp_dir().join("ferret-cli-scan-cache"));
    c
}

fn json(out: &[u8]) -> Value {
    serde_json::from_slice(out).unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(out)))
}

#[test]
fn json_contract_and_exit_codes() {
    let out = ferret()
        .args(["scan", "--format", "json"])
        .arg(fixtures().join("malicious/rustdecimal"))
        .arg(fixtures().join("benign/minireq"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "a malicious crate fails the run");
    let v = json(&out.stdout);
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2);
    let bad = &reports[0];
    assert_eq!(bad["name"], "rustdecimal");
    assert_eq!(bad["verdict"], "malicious");
    assert!(bad["score"].as_u64().unwrap() >= 80);
    let f = &bad["findings"][0];
    for key in ["code", "rule", "severity", "file", "line", "message", "snippet"] {
        assert!(f.get(key).is_some(), "finding lacks {key}: {f}");
    }
    assert_eq!(reports[1]["verdict"], "clean");

    // `cargo ferret scan` (the extra word cargo passes) works the same.
    let out = ferret().args(["ferret", "scan", "--format", "json"]).arg(fixtures().join("benign/minireq")).output().unwrap();
    assert_eq!(out.status.code(), Some(0));

    // --fail-on suspicious makes a suspicious crate fail; never never fails.
    // A build script that uses the network (BLD002, high): suspicious.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Cargo.toml"), "[package]\nname = \"netbuild\"\nversion = \"0.1.0\"\n").unwrap();
    std::fs::write(dir.path().join("build.rs"), "fn main() { let _ = ureq::get(\"https://example.com/schema.json\").call(); }").unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    let out = ferret().args(["scan", "--format", "json", "--fail-on", "suspicious"]).arg(dir.path()).output().unwrap();
    assert_eq!(json(&out.stdout)["reports"][0]["verdict"], "suspicious");
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(ferret().args(["scan"]).arg(dir.path()).output().unwrap().status.code(), Some(0));
    assert_eq!(ferret().args(["scan", "--fail-on", "never"]).arg(fixtures().join("malicious/rustdecimal")).output().unwrap().status.code(), Some(0));
}

#[test]
fn unreadable_targets_get_an_error_report_and_the_rest_completes() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("junk-1.0.0.crate");
    std::fs::write(&garbage, b"this is not gzip").unwrap();
    let out = ferret()
        .args(["scan", "--format", "json"])
        .arg(&garbage)
        .arg(dir.path().join("missing-2.0.0.crate"))
        .arg(fixtures().join("benign/minireq"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v = json(&out.stdout);
    let r = v["reports"].as_array().unwrap();
    assert_eq!(r.len(), 3);
    for bad in &r[..2] {
        assert_eq!(bad["verdict"], "suspicious");
        assert!(bad["error"].as_str().unwrap().contains(".crate"), "error names the target: {bad}");
    }
    assert_eq!(r[0]["name"], "junk");
    assert_eq!(r[2]["verdict"], "clean");
}

#[test]
fn a_directory_of_crate_files_is_scanned_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    for (id, name, ver) in [("malicious/proc-macro1", "proc-macro1", "1.0.104"), ("benign/minireq", "minireq", "0.9.2")] {
        let bytes = crate_bytes_from_dir(&fixtures().join(id), name, ver);
        std::fs::write(dir.path().join(format!("{name}-{ver}.crate")), bytes).unwrap();
    }
    let out = ferret().args(["scan", "--format", "json", "--no-progress"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out.stdout);
    let verdicts: Vec<(&str, &str)> = v["reports"].as_array().unwrap().iter().map(|r| (r["name"].as_str().unwrap(), r["verdict"].as_str().unwrap())).collect();
    assert_eq!(verdicts, vec![("minireq", "clean"), ("proc-macro1", "malicious")]);
}

#[test]
fn hostile_archives_become_findings_not_crashes() {
    let dir = tempfile::tempdir().unwrap();
    // Path traversal and a symlink: refused and reported.
    let evil = CrateBuilder::new("evil", "0.1.0")
        .minimal_manifest()
        .file("src/lib.rs", "pub fn f() {}")
        .unchecked_entry(b"evil-0.1.0/../../.bashrc", b"curl x | sh")
        .symlink("src/link.rs", "/etc/passwd")
        .build();
    std::fs::write(dir.path().join("evil-0.1.0.crate"), evil).unwrap();
    // A gzip bomb: 1 GiB of zeros in one file.
    let bomb_path = dir.path().join("bomb-0.1.0.crate");
    {
        let f = std::fs::File::create(&bomb_path).unwrap();
        let gz = flate2::write::GzEncoder::new(f, flate2::Compression::best());
        let mut tar = tar::Builder::new(gz);
        let mut h = tar::Header::new_gnu();
        h.set_path("bomb-0.1.0/Cargo.toml").unwrap();
        let manifest = b"[package]\nname = \"bomb\"\nversion = \"0.1.0\"\n";
        h.set_size(manifest.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append(&h, &manifest[..]).unwrap();
        let size: u64 = 1 << 30;
        let mut h = tar::Header::new_gnu();
        h.set_path("bomb-0.1.0/src/zeros.rs").unwrap();
        h.set_size(size);
        h.set_mode(0o644);
        h.set_cksum();
        tar.append(&h, std::io::repeat(0).take_bytes(size)).unwrap();
        tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
    }
    // Deeply nested code in a build script.
    let deep = format!("fn main() {{ let x = {}1{}; }}", "(".repeat(20_000), ")".repeat(20_000));
    let nested = CrateBuilder::new("nested", "0.1.0").minimal_manifest().file("build.rs", &deep).file("src/lib.rs", "").build();
    std::fs::write(dir.path().join("nested-0.1.0.crate"), nested).unwrap();

    let out = ferret().args(["scan", "--format", "json", "--no-progress"]).arg(dir.path()).output().unwrap();
    assert!(matches!(out.status.code(), Some(0) | Some(1)), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out.stdout);
    let by_name = |n: &str| v["reports"].as_array().unwrap().iter().find(|r| r["name"] == n).cloned().unwrap();
    let codes = |r: &Value| r["findings"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert!(codes(&by_name("evil")).contains(&"ARC001".to_string()), "{}", by_name("evil"));
    assert_eq!(by_name("evil")["verdict"], "suspicious");
    assert!(codes(&by_name("bomb")).contains(&"ARC002".to_string()), "{}", by_name("bomb"));
    let nested = by_name("nested");
    assert!(codes(&nested).contains(&"ARC003".to_string()), "{nested}");
    assert_eq!(nested["verdict"], "suspicious");
}

trait TakeBytes: std::io::Read + Sized {
    fn take_bytes(self, n: u64) -> std::io::Take<Self> {
        self.take(n)
    }
}
impl<R: std::io::Read> TakeBytes for R {}

#[test]
fn name_at_version_comes_from_the_registry_with_its_checksum_checked() {
    let reg = FakeRegistry::start();
    let good = crate_bytes_from_dir(&fixtures().join("malicious/faster_log"), "faster_log", "0.1.4");
    reg.publish("faster_log", "0.1.4", good);
    let out = ferret().args(["scan", "--format", "json", "--index", &reg.index_url(), "faster_log@0.1.4"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let v = json(&out.stdout);
    assert_eq!(v["reports"][0]["verdict"], "malicious");

    // A registry that serves bytes that do not match the index checksum: a clear error.
    let reg2 = FakeRegistry::start();
    reg2.publish_with(ferret_testkit::Publish::new("tampered", "1.0.0", crate_bytes_from_dir(&fixtures().join("benign/minireq"), "tampered", "1.0.0")).cksum(&"0".repeat(64)));
    let out = ferret().args(["scan", "--format", "json", "--index", &reg2.index_url(), "tampered@1.0.0"]).output().unwrap();
    let v = json(&out.stdout);
    let err = v["reports"][0]["error"].as_str().unwrap_or_default().to_string();
    assert!(err.contains("checksum") || err.contains("sha256"), "{err}");

    // An unknown crate: an error report naming it, exit 0 (nothing malicious found).
    let out = ferret().args(["scan", "--format", "json", "--index", &reg.index_url(), "no-such-crate"]).output().unwrap();
    let v = json(&out.stdout);
    assert!(v["reports"][0]["error"].as_str().unwrap().contains("no-such-crate"));
}

#[test]
fn sarif_output_has_one_result_per_finding() {
    let out = ferret().args(["scan", "--format", "sarif"]).arg(fixtures().join("malicious/tokio-netdiag")).output().unwrap();
    let v = json(&out.stdout);
    assert_eq!(v["version"], "2.1.0");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert!(results.iter().any(|r| r["ruleId"] == "EXE002"));
    assert!(results.iter().all(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string()));
}

#[test]
fn rules_and_rule_docs() {
    let out = ferret().args(["rules"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("BLD001") && text.contains("build-script-download-exec"));
    let out = ferret().args(["rule", "EXF001"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for section in ["## What it detects", "## Why", "## Example", "## Known false positives"] {
        assert!(text.contains(section), "EXF001 doc lacks {section}");
    }
    assert_eq!(ferret().args(["rule", "NOPE999"]).output().unwrap().status.code(), Some(2));
}
