//! `cargo ferret audit` and `cargo ferret diff` end to end, against a fake registry on
//! 127.0.0.1 (no network), with private CARGO_HOME, cache and data directories.

use assert_cmd::Command;
use ferret_testkit::{CrateBuilder, FakeRegistry, crate_bytes_from_dir};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures").join(rel)
}

/// A temp project with its own CARGO_HOME, cache and data dirs.
struct Project {
    dir: tempfile::TempDir,
    index: String,
}

impl Project {
    fn new(index: &str) -> Project {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("app/src")).unwrap();
        std::fs::write(dir.path().join("app/src/main.rs"), "fn main() {}\n").unwrap();
        Project { dir, index: index.to_string() }
    }
    fn app(&self) -> PathBuf {
        self.dir.path().join("app")
    }
    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.app().join(rel), text).unwrap();
    }
    fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("cargo-ferret").unwrap();
        c.current_dir(self.app())
            .env("CARGO_HOME", self.dir.path().join("cargo-home"))
            .env("FERRET_DATA_DIR", self.dir.path().join("data"))
            .env("FERRET_CACHE_DIR", self.dir.path().join("cache"))
            .env("NO_COLOR", "1")
            .args(["audit", "--no-progress", "--index", &self.index, "--cache-dir"])
            .arg(self.dir.path().join("cache"));
        c
    }
    fn json(&self, extra: &[&str]) -> (i32, Value) {
        let out = self.cmd().args(["--format", "json"]).args(extra).output().unwrap();
        let code = out.status.code().unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("bad JSON ({e}): {}\n{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
        (code, v)
    }
}

fn pkg(name: &str, version: &str, cksum: Option<&str>, deps: &[&str]) -> String {
    let mut s = format!("[[package]]\nname = \"{name}\"\nversion = \"{version}\"\n");
    if let Some(c) = cksum {
        s.push_str(&format!("source = \"registry+https://github.com/rust-lang/crates.io-index\"\nchecksum = \"{c}\"\n"));
    }
    if !deps.is_empty() {
        let d: Vec<String> = deps.iter().map(|d| format!(" \"{d}\",")).collect();
        s.push_str(&format!("dependencies = [\n{}\n]\n", d.join("\n")));
    }
    s
}

fn lock(pkgs: &[String]) -> String {
    format!("# @generated\nversion = 4\n\n{}", pkgs.join("\n"))
}

fn report<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["reports"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap_or_else(|| panic!("no report for {name}: {v:#}"))
}

const FAKE: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[test]
fn deleted_malicious_crate_is_reported_from_its_advisory() {
    let reg = FakeRegistry::start();
    let p = Project::new(&reg.index_url());
    // Neither crate exists in the registry any more: only the lockfile knows them.
    p.write("Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\narrayref = \"0.3\"\n");
    p.write(
        "Cargo.lock",
        &lock(&[
            pkg("app", "0.1.0", None, &["arrayref"]),
            pkg("arrayref", "0.3.10", Some(&FAKE.replace('0', "a")), &["proc-macro1"]),
            pkg("proc-macro1", "1.0.107", Some(&FAKE.replace('0', "b")), &[]),
        ]),
    );
    let (code, v) = p.json(&[]);
    assert_eq!(code, 1, "{v:#}");
    let r = report(&v, "proc-macro1");
    assert_eq!(r["verdict"], "malicious");
    assert_eq!(r["path"], serde_json::json!(["app", "arrayref", "proc-macro1"]));
    assert!(r["advisories"].as_array().unwrap().iter().any(|a| a["id"] == "RUSTSEC-2026-0265"), "{r:#}");
    assert!(r["error"].as_str().unwrap().contains("source not scanned"), "{r:#}");
    assert!(r["findings"].as_array().unwrap().iter().any(|f| f["code"] == "ADV001"));
    assert_eq!(report(&v, "arrayref")["verdict"], "malicious");
    assert!(v["advisory_data"]["date"].is_string() && v["advisory_data"]["age_days"].is_number(), "{:#}", v["advisory_data"]);
    assert!(v["reports"].as_array().unwrap().iter().all(|r| r["name"] != "app"), "workspace members are not audited");

    // Human output: the advisory and the chain.
    let out = p.cmd().output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("RUSTSEC-2026-0265"), "{text}");
    assert!(text.contains("app -> arrayref -> proc-macro1"), "{text}");
    assert!(text.contains("└── "), "tree summary: {text}");
    assert!(text.contains("advisory data:"), "{text}");
}

/// app -> front (clean, published) -> payload (malicious by its source, no advisory); app also
/// has a build-dependency.
fn laundering(reg: &FakeRegistry) -> Project {
    let front = CrateBuilder::new("front", "1.0.0")
        .file("Cargo.toml", "[package]\nname = \"front\"\nversion = \"1.0.0\"\n\n[dependencies]\nsolana-keyring-sync = \"0.2\"\n")
        .file("src/lib.rs", "pub fn add(a: u32, b: u32) -> u32 { a + b }\n")
        .build();
    let payload = crate_bytes_from_dir(&fixture("malicious/wallet-stealer"), "solana-keyring-sync", "0.2.7");
    let helper = CrateBuilder::new("helper", "0.1.0").minimal_manifest().file("src/lib.rs", "pub fn h() {}\n").build();
    let c_front = reg.publish("front", "1.0.0", front);
    let c_payload = reg.publish("solana-keyring-sync", "0.2.7", payload);
    let c_helper = reg.publish("helper", "0.1.0", helper);
    let p = Project::new(&reg.index_url());
    p.write("Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nfront = \"1\"\n\n[build-dependencies]\nhelper = \"0.1\"\n");
    p.write(
        "Cargo.lock",
        &lock(&[
            pkg("app", "0.1.0", None, &["front", "helper"]),
            pkg("front", "1.0.0", Some(&c_front), &["solana-keyring-sync"]),
            pkg("helper", "0.1.0", Some(&c_helper), &[]),
            pkg("solana-keyring-sync", "0.2.7", Some(&c_payload), &[]),
        ]),
    );
    p
}

#[test]
fn laundering_chain_kinds_and_cache() {
    let reg = FakeRegistry::start();
    let p = laundering(&reg);
    let (code, v) = p.json(&[]);
    assert_eq!(code, 1, "{v:#}");
    let payload = report(&v, "solana-keyring-sync");
    assert_eq!(payload["verdict"], "malicious", "{payload:#}");
    assert_eq!(payload["path"], serde_json::json!(["app", "front", "solana-keyring-sync"]));
    assert_eq!(payload["kind"], "normal");
    assert_eq!(payload["source"], "download");
    assert_eq!(report(&v, "front")["verdict"], "clean");
    assert_eq!(report(&v, "helper")["kind"], "build");
    assert_eq!(v["stats"]["downloaded"], 3);

    // Second run: every result from the cache, nothing downloaded.
    let downloads = reg.request_count("/api/v1/crates");
    let (code2, v2) = p.json(&[]);
    assert_eq!(code2, 1);
    assert_eq!(v2["stats"]["cached"], 3, "{:#}", v2["stats"]);
    assert_eq!(v2["stats"]["scanned"], 0);
    assert_eq!(reg.request_count("/api/v1/crates"), downloads, "no new download");
    assert_eq!(report(&v2, "solana-keyring-sync")["findings"], payload["findings"]);

    // Offline with a warm cache still works.
    let (code3, v3) = p.json(&["--offline"]);
    assert_eq!(code3, 1);
    assert_eq!(v3["stats"]["cached"], 3);

    // --fail-on suspicious / never.
    assert_eq!(p.json(&["--fail-on", "never"]).0, 0);
}

#[test]
fn ignores_with_and_without_expiry() {
    let reg = FakeRegistry::start();
    let p = laundering(&reg);
    p.write("ferret.toml", "[[ignore]]\ncrate = \"solana-keyring-sync\"\nversion = \"0.2.7\"\nreason = \"test: known\"\nexpires = 2999-12-31\n");
    let (code, v) = p.json(&[]);
    assert_eq!(code, 0, "{v:#}");
    let r = report(&v, "solana-keyring-sync");
    assert_eq!(r["verdict"], "clean");
    assert!(!r["ignored"].as_array().unwrap().is_empty());

    p.write("ferret.toml", "[[ignore]]\ncrate = \"solana-keyring-sync\"\nreason = \"test: known\"\nexpires = 2020-01-01\n");
    let (code, v) = p.json(&[]);
    assert_eq!(code, 1);
    let r = report(&v, "solana-keyring-sync");
    assert_eq!(r["verdict"], "malicious");
    assert!(!r["expired_ignores"].as_array().unwrap().is_empty(), "{r:#}");
    let out = p.cmd().output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("expired on 2020-01-01"), "{text}");

    // An ignore of one rule only leaves the others.
    p.write("ferret.toml", "fail-on = \"suspicious\"\n[[ignore]]\ncrate = \"front\"\nrule = \"ADV001\"\nreason = \"r\"\n");
    let (code, _) = p.json(&[]);
    assert_eq!(code, 1);
}

#[test]
fn unknown_config_key_names_key_and_line() {
    let reg = FakeRegistry::start();
    let p = Project::new(&reg.index_url());
    p.write("Cargo.lock", &lock(&[pkg("app", "0.1.0", None, &[])]));
    p.write("ferret.toml", "fail-on = \"malicious\"\n\n[[ignore]]\ncrate = \"x\"\nreason = \"r\"\nexpiry = 2026-01-01\n");
    let out = p.cmd().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ferret.toml:6") && err.contains("expiry"), "{err}");
}

#[test]
fn broken_lockfile_is_a_clear_error() {
    let reg = FakeRegistry::start();
    let p = Project::new(&reg.index_url());
    p.write("Cargo.lock", "version = 4\n\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\nchecksum = [\n");
    let out = p.cmd().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Cargo.lock:") && err.contains("not a valid Cargo.lock"), "{err}");
    let missing = p.cmd().args(["--lockfile", "nope/Cargo.lock"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope/Cargo.lock"));
}

fn git(dir: &Path, args: &[&str]) {
    let st = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.invalid")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.invalid")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(st.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&st.stderr));
}

#[test]
fn base_reviews_what_the_update_adds() {
    let reg = FakeRegistry::start();
    let c_old = reg.publish("arrayref", "0.3.9", crate_bytes_from_dir(&fixture("benign/arrayref-genuine"), "arrayref", "0.3.9"));
    let c_new = reg.publish("arrayref", "0.3.10", crate_bytes_from_dir(&fixture("malicious/arrayref-takeover"), "arrayref", "0.3.10"));
    let c_serde = reg.publish("tinyserde", "1.0.0", CrateBuilder::new("tinyserde", "1.0.0").minimal_manifest().file("src/lib.rs", "").build());
    let p = Project::new(&reg.index_url());
    p.write("Cargo.toml", "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\narrayref = \"0.3\"\ntinyserde = \"1\"\n");
    p.write("Cargo.lock", &lock(&[pkg("app", "0.1.0", None, &["arrayref", "tinyserde"]), pkg("arrayref", "0.3.9", Some(&c_old), &[]), pkg("tinyserde", "1.0.0", Some(&c_serde), &[])]));
    git(&p.app(), &["init", "-q"]);
    git(&p.app(), &["add", "Cargo.lock", "Cargo.toml"]);
    git(&p.app(), &["commit", "-q", "-m", "base"]);
    p.write(
        "Cargo.lock",
        &lock(&[
            pkg("app", "0.1.0", None, &["arrayref", "tinyserde"]),
            pkg("arrayref", "0.3.10", Some(&c_new), &["proc-macro1"]),
            pkg("proc-macro1", "1.0.107", Some(&FAKE.replace('0', "c")), &[]),
            pkg("tinyserde", "1.0.0", Some(&c_serde), &[]),
        ]),
    );
    let (code, v) = p.json(&["--base", "HEAD"]);
    assert_eq!(code, 1, "{v:#}");
    let names: Vec<&str> = v["reports"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["arrayref", "proc-macro1"], "only new or bumped crates");
    let a = report(&v, "arrayref");
    assert_eq!(a["update"]["old_version"], "0.3.9");
    assert_eq!(a["update"]["patch_release"], true);
    assert!(a["update"]["added_dependencies"].as_array().unwrap().iter().any(|d| d["name"] == "proc-macro1"), "{a:#}");
    assert!(a["findings"].as_array().unwrap().iter().any(|f| f["code"] == "UPD001" && f["message"].as_str().unwrap().contains("proc-macro1")), "{a:#}");

    let bad = p.cmd().args(["--base", "no-such-rev"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no-such-rev"));
}

fn diff_cmd(dir: &Path) -> Command {
    let mut c = Command::cargo_bin("cargo-ferret").unwrap();
    c.env("CARGO_HOME", dir.join("cargo-home")).env("FERRET_DATA_DIR", dir.join("data")).env("NO_COLOR", "1");
    c
}

#[test]
fn diff_flags_the_new_dependency() {
    let tmp = tempfile::tempdir().unwrap();
    let out = diff_cmd(tmp.path())
        .args(["diff", "--offline", "--format", "json"])
        .arg(fixture("benign/arrayref-genuine"))
        .arg(fixture("malicious/arrayref-takeover"))
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    let r = &v["reports"][0];
    assert_eq!(r["name"], "arrayref");
    assert_eq!(r["version"], "0.3.10");
    assert!(r["update"]["added_dependencies"].as_array().unwrap().iter().any(|d| d["name"] == "proc-macro1"));
    let upd = r["findings"].as_array().unwrap().iter().find(|f| f["code"] == "UPD001").unwrap_or_else(|| panic!("{r:#}"));
    assert!(upd["message"].as_str().unwrap().contains("proc-macro1"));
    assert_eq!(upd["severity"], "critical", "proc-macro1 has an advisory");
    assert_eq!(out.status.code(), Some(1));

    // The same versions from the registry, by name.
    let reg = FakeRegistry::start();
    reg.publish("arrayref", "0.3.9", crate_bytes_from_dir(&fixture("benign/arrayref-genuine"), "arrayref", "0.3.9"));
    reg.publish("arrayref", "0.3.10", crate_bytes_from_dir(&fixture("malicious/arrayref-takeover"), "arrayref", "0.3.10"));
    let out = diff_cmd(tmp.path())
        .args(["diff", "arrayref", "0.3.9", "0.3.10", "--index", &reg.index_url(), "--cache-dir"])
        .arg(tmp.path().join("dl"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(text.contains("+ normal dependency proc-macro1"), "{text}");
    assert!(text.contains("UPD001"), "{text}");

    // No change: nothing added, clean, exit 0.
    let same = diff_cmd(tmp.path()).args(["diff", "--offline"]).arg(fixture("benign/arrayref-genuine")).arg(fixture("benign/arrayref-genuine")).output().unwrap();
    assert_eq!(same.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&same.stdout).contains("adds no capability"));
}

#[test]
fn sarif_validates_against_the_schema() {
    let reg = FakeRegistry::start();
    let p = laundering(&reg);
    let out = p.cmd().args(["--format", "sarif"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let validator = jsonschema::draft4::options().should_validate_formats(true).build(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&v).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = v["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
}
