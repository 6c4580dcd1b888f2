//! `cargo-ferret serve` as a process: verdicts from the real engine, and a real `kill -9`
//! followed by a restart on the same database.

#[path = "serve_support.rs"]
mod support;

use ferret_testkit::{FakeRegistry, Publish};
use std::collections::HashSet;
use support::*;

#[test]
fn serve_scans_publishes_and_survives_kill_9() {
    let reg = FakeRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    reg.publish("tidy-math", "1.0.0", clean_crate("tidy-math", "1.0.0"));
    reg.publish_with(
        Publish::new("build-helperz", "0.1.0", malicious_crate("build-helperz", "0.1.0"))
            .description("<script>alert(1)</script> build helpers"),
    );
    let mut served = Served::start(&reg, dir.path(), &[]);
    let list = wait_for(&served.base, "two verdicts", |l| all_done(l, 2));
    let bad = list.iter().find(|v| v["name"] == "build-helperz").unwrap();
    assert_eq!(bad["verdict"], "malicious", "{list:#?}");
    let atom = http().get(format!("{}/feed.atom", served.base)).send().unwrap().text().unwrap();
    assert!(atom.contains("build-helperz"));
    let page = http().get(format!("{}/", served.base)).send().unwrap().text().unwrap();
    assert!(!page.contains("<script>alert(1)"));
    let first_scan = bad["scanned_at"].clone();

    // A burst, killed with SIGKILL while it is being worked on.
    for i in 0..12 {
        let n = format!("burst{i}");
        reg.publish(&n, "1.0.0", clean_crate(&n, "1.0.0"));
    }
    wait_for(&served.base, "the burst to be seen", |l| l.len() == 14);
    served.kill9();
    reg.publish("late", "1.0.0", clean_crate("late", "1.0.0"));

    let served = Served::start(&reg, dir.path(), &[]);
    let list = wait_for(&served.base, "everything after restart", |l| all_done(l, 15));
    let keys: HashSet<_> = list.iter().map(|v| (v["name"].to_string(), v["version"].to_string())).collect();
    assert_eq!(keys.len(), 15, "each version once");
    assert!(list.iter().all(|v| v["state"] == "done"), "{list:#?}");
    let bad = list.iter().find(|v| v["name"] == "build-helperz").unwrap();
    assert_eq!(bad["scanned_at"], first_scan, "a finished scan is not repeated");
    let status = get_json(&served.base, "/api/status");
    assert_eq!(status["jobs"]["done"], 15);
}

#[test]
fn serve_refuses_bad_options_with_a_clear_error() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-ferret"))
        .args(["serve", "--poll", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--poll"));
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("Cargo.lock");
    std::fs::write(&lock, "not [a lockfile").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-ferret"))
        .arg("serve")
        .arg("--db")
        .arg(dir.path().join("x.db"))
        .args(["--no-feed", "--index", "http://127.0.0.1:9/", "--listen", "127.0.0.1:0", "--watch-lockfile"])
        .arg(&lock)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Cargo.lock"), "{err}");
}
