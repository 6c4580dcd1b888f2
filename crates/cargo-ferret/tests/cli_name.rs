//! `cargo ferret name` and `cargo ferret corpus`.

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

/// The binary with a private, empty data directory (so a user's corpus never leaks in).
fn ferret(data_dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cargo-ferret").unwrap();
    cmd.env_remove("FERRET_CORPUS").env("FERRET_DATA_DIR", data_dir);
    cmd
}

#[test]
fn json_output_and_exit_code() {
    let data = tempfile::tempdir().unwrap();
    let out = ferret(data.path()).args(["ferret", "name", "serd", "serde", "--format", "json"]).assert().code(1);
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let names = v["names"].as_array().unwrap();
    assert_eq!(v.as_object().unwrap().len(), 1);
    assert_eq!(names.len(), 2);
    assert_eq!(names[0]["name"], "serd");
    assert_eq!(names[0]["flagged"], true);
    let m = &names[0]["matches"][0];
    assert_eq!(m["target"], "serde");
    assert_eq!(m["technique"], "omitted-character");
    assert!(m["target_downloads"].as_u64().unwrap() > 1_000_000);
    assert_eq!(m.as_object().unwrap().keys().collect::<Vec<_>>(), ["target", "target_downloads", "technique"]);
    assert_eq!(names[1], serde_json::json!({"name": "serde", "flagged": false, "matches": []}));
}

#[test]
fn clean_names_exit_zero() {
    let data = tempfile::tempdir().unwrap();
    ferret(data.path())
        .args(["name", "serde", "tokio", "Serde_Json", "lazy-static"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("serde: ok").and(predicate::str::contains("lazy-static: ok")));
}

#[test]
fn human_output_lists_technique_and_downloads() {
    let data = tempfile::tempdir().unwrap();
    ferret(data.path())
        .args(["name", "proc-macro1", "rands"])
        .assert()
        .code(1)
        .stdout(
            predicate::str::contains("proc-macro1: possible typosquat")
                .and(predicate::str::contains("proc-macro2 (756,912,885 downloads): digit-bump"))
                .and(predicate::str::contains("rand (692,557,936 downloads): plural")),
        );
}

#[test]
fn invalid_names_are_tool_errors() {
    let data = tempfile::tempdir().unwrap();
    ferret(data.path())
        .args(["name", "serde", "bad\u{1b}[31mname"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a valid crate name").and(predicate::str::contains("\\u{1b}")));
    ferret(data.path()).args(["name", "serde", "--top", "0"]).assert().code(2);
    ferret(data.path()).arg("name").assert().code(2);
}

#[test]
fn explicit_corpus_and_top() {
    let data = tempfile::tempdir().unwrap();
    let csv = data.path().join("mine.csv");
    std::fs::write(&csv, "name,downloads,repository,created,description\ninternal-widgets,1000,,,\nother,10,,,\n").unwrap();
    ferret(data.path())
        .args(["name", "internal-widget", "--format", "json", "--corpus"])
        .arg(&csv)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"target\": \"internal-widgets\""));
    // Against the embedded corpus the same name is unknown.
    ferret(data.path()).args(["name", "internal-widget"]).assert().code(0);
    // `--top 1` still contains it; a missing corpus file is an error naming it.
    ferret(data.path()).args(["name", "internal-widget", "--top", "1", "--corpus"]).arg(&csv).assert().code(1);
    ferret(data.path())
        .args(["name", "x", "--corpus", "/nonexistent/corpus.csv"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("/nonexistent/corpus.csv"));
}

fn write_dump(root: &Path) {
    let data = root.join("2026-01-02-020003").join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut f = std::fs::File::create(data.join("crates.csv")).unwrap();
    writeln!(f, "created_at,description,documentation,homepage,id,max_features,max_upload_size,name,readme,repository,updated_at").unwrap();
    writeln!(f, "2024-01-01 00:00:00+00,Widgets for the enterprise,,,1,,,acme-widgets,\"# acme\",https://github.com/acme/widgets,2026-01-01 00:00:00+00").unwrap();
    writeln!(f, "2024-01-01 00:00:00+00,Small,,,2,,,tiny,,,2026-01-01 00:00:00+00").unwrap();
    writeln!(f, "2024-01-01 00:00:00+00,Smaller,,,3,,,tinier,,,2026-01-01 00:00:00+00").unwrap();
    drop(f);
    std::fs::write(data.join("crate_downloads.csv"), "crate_id,downloads\n1,5000000\n2,100\n3,1\n").unwrap();
}

#[test]
fn corpus_update_from_a_dump_replaces_the_embedded_corpus() {
    let data = tempfile::tempdir().unwrap();
    let dump = tempfile::tempdir().unwrap();
    write_dump(dump.path());
    ferret(data.path())
        .args(["corpus", "update", "--top", "2", "--db-dump"])
        .arg(dump.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("wrote 2 crates"));
    let written = std::fs::read_to_string(data.path().join("popular-crates.csv")).unwrap();
    assert!(written.starts_with("name,downloads,repository,created,description\nacme-widgets,5000000,https://github.com/acme/widgets,2024-01-01,Widgets for the enterprise\n"), "{written}");
    assert!(!written.contains("tinier"));
    // The user's corpus is now in use: a squat of a dump-only crate is caught, serde is unknown.
    ferret(data.path()).args(["name", "acme-widget"]).assert().code(1).stdout(predicate::str::contains("acme-widgets"));
    ferret(data.path()).args(["name", "serd"]).assert().code(0);
    ferret(data.path())
        .args(["corpus", "info"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("crates: 2").and(predicate::str::contains("(present)")));
}

#[test]
fn corpus_update_from_a_tarball_to_an_output_file() {
    let data = tempfile::tempdir().unwrap();
    let dump = tempfile::tempdir().unwrap();
    write_dump(&dump.path().join("src"));
    let tgz = dump.path().join("db-dump.tar.gz");
    let gz = flate2::write::GzEncoder::new(std::fs::File::create(&tgz).unwrap(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all("2026-01-02-020003", dump.path().join("src/2026-01-02-020003")).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let out = data.path().join("sub/dir/corpus.csv");
    ferret(data.path()).args(["corpus", "update", "--db-dump"]).arg(&tgz).arg("--output").arg(&out).assert().code(0);
    assert!(std::fs::read_to_string(&out).unwrap().contains("tinier,1,"));
    // The user's data dir was not touched, so the embedded corpus is still in use.
    assert!(!data.path().join("popular-crates.csv").exists());
    ferret(data.path()).args(["corpus", "info"]).assert().code(0).stdout(predicate::str::contains("crates: 10000"));
}

#[test]
fn corpus_update_rejects_what_is_not_a_dump() {
    let data = tempfile::tempdir().unwrap();
    let empty = tempfile::tempdir().unwrap();
    ferret(data.path())
        .args(["corpus", "update", "--db-dump"])
        .arg(empty.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a crates.io database dump"));
    assert!(!data.path().join("popular-crates.csv").exists());
}
