//! A real browser against `cargo-ferret serve`: headless Chromium (Debian's `chromium`) loads
//! the queue and a report page; the test checks the rendered DOM and saves screenshots under
//! `target/tmp/serve-screenshots/`.
//!
//! Skipped, with a message, when Chromium is not installed, unless `FERRET_REQUIRE_BROWSER=1`
//! (CI installs it with `.ci/install-chromium.sh` and sets that variable).

#[path = "serve_support.rs"]
mod support;

use ferret_testkit::{FakeRegistry, Publish};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::*;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FERRET_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// Run Chromium headless with the flags known to work on this machine kind, at most 90 s.
fn run_chromium(bin: &Path, extra: &[String], url: &str) -> String {
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            "--window-size=1280,900",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(url)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromium starts");
    let mut out = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > Duration::from_secs(90) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within 90 s on {url}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    reader.join().unwrap()
}

fn screenshot(bin: &Path, url: &str, name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("serve-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let _ = std::fs::remove_file(&path);
    run_chromium(bin, &[format!("--screenshot={}", path.display())], url);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", path.display()));
    assert!(bytes.starts_with(b"\x89PNG"), "{} is not a PNG", path.display());
    assert!(bytes.len() > 5_000, "screenshot {} is suspiciously small", path.display());
    path
}

#[test]
fn chromium_renders_the_queue_and_a_report_page() {
    let Some(bin) = chromium() else {
        let required = std::env::var("FERRET_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(!required, "FERRET_REQUIRE_BROWSER=1 but no chromium found (run .ci/install-chromium.sh)");
        eprintln!("SKIPPED chromium_renders_the_queue_and_a_report_page: chromium is not installed (run .ci/install-chromium.sh)");
        return;
    };
    let reg = FakeRegistry::start();
    let dir = tempfile::tempdir().unwrap();
    reg.publish("tidy-math", "1.0.0", clean_crate("tidy-math", "1.0.0"));
    reg.publish_with(
        Publish::new("build-helperz", "0.1.0", malicious_crate("build-helperz", "0.1.0"))
            .description("<script>document.title='owned'</script><b>bold</b> helpers"),
    );
    let served = Served::start(&reg, dir.path(), &["--token", "browser-test-token"]);
    wait_for(&served.base, "two verdicts", |l| all_done(l, 2));

    // The queue, rendered.
    let dom = run_chromium(&bin, &["--dump-dom".into()], &format!("{}/", served.base));
    assert!(dom.contains("id=\"queue\""), "{dom}");
    let first_row = dom.split("class=\"row\"").nth(1).expect("a queue row");
    assert!(first_row.contains("data-verdict=\"malicious\""), "worst first: {first_row}");
    assert!(first_row.contains("build-helperz"));
    assert!(dom.contains("data-verdict=\"clean\""));
    // The hostile description is text, not markup: no script element, no <b> element.
    assert!(!dom.contains("<script"), "{dom}");
    assert!(!dom.contains("<b>bold</b>"), "{dom}");
    assert!(dom.contains("&lt;script&gt;document.title='owned'&lt;/script&gt;"), "{dom}");
    assert!(dom.contains("<title>queue · ferret</title>"), "the page title was not changed");
    // Filtering through the form's query string.
    let dom = run_chromium(&bin, &["--dump-dom".into()], &format!("{}/?verdict=clean", served.base));
    assert!(dom.contains("tidy-math") && !dom.contains("data-verdict=\"malicious\""));

    // The report page: findings with highlighted evidence and the login link for triage.
    let url = format!("{}/crates/build-helperz/0.1.0", served.base);
    let dom = run_chromium(&bin, &["--dump-dom".into()], &url);
    assert!(dom.contains("class=\"badge v-malicious\""), "{dom}");
    assert!(dom.contains("class=\"finding\""));
    assert!(dom.contains("<mark>http://45.61.160.20:8080/stage2</mark>"), "{dom}");
    assert!(dom.contains("Log in"));

    let q = screenshot(&bin, &format!("{}/", served.base), "queue.png");
    let r = screenshot(&bin, &url, "report.png");
    eprintln!("screenshots: {} {}", q.display(), r.display());
}
