//! Benchmark: a burst of publishes of real crates into ferret-testkit's fake crates.io, followed
//! by the service (feed poller + worker pool + ferret-core); prints the time to drain the queue,
//! publish-to-verdict latency (median, p95, max) and how fast the web UI answered meanwhile.
//!
//! ```text
//! BURST_POLL=10 cargo run --release -p ferret-serve --example burst -- [N=500] [DIR...]
//! ```
//! `.crate` files are taken from the DIRs, else from `$CARGO_HOME/registry/cache/*/` and
//! `target/corpus-home/registry/cache/*/` (the corpus run's downloads).

use ferret_serve::{CoreEngine, Registry, ServeConfig, SparseRegistry, Store};
use ferret_testkit::FakeRegistry;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn crate_files(dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = dirs.to_vec();
    if roots.is_empty() {
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
        let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        for base in [home.map(|h| h.join("registry/cache")), Some(manifest.join("../../target/corpus-home/registry/cache"))]
            .into_iter()
            .flatten()
        {
            if let Ok(rd) = std::fs::read_dir(&base) {
                roots.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
            }
        }
    }
    let mut files: Vec<PathBuf> = roots
        .iter()
        .filter_map(|r| std::fs::read_dir(r).ok())
        .flat_map(|rd| rd.flatten().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "crate"))
        .collect();
    files.sort();
    // One file per (name, version).
    let mut seen = std::collections::HashSet::new();
    files.retain(|p| seen.insert(p.file_name().map(|f| f.to_owned())));
    files
}

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(500);
    let dirs: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let mut files = crate_files(&dirs);
    if files.is_empty() {
        eprintln!("no .crate files found: pass a directory of .crate files");
        std::process::exit(2);
    }
    files.truncate(n);

    let reg = FakeRegistry::start();
    let tmp = tempfile::tempdir().expect("temp dir");
    let client = ferret_registry::Registry::builder(ferret_registry::RegistrySource::sparse(&reg.index_url()).expect("url"))
        .cache(ferret_registry::DownloadCache::new(tmp.path().join("cache")))
        .build()
        .expect("registry client");
    let registry: Arc<dyn Registry> = Arc::new(SparseRegistry::new(client));
    let store = Arc::new(Store::open(&tmp.path().join("bench.db")).expect("db"));
    let engine = Arc::new(CoreEngine::new(ferret_core::Scanner::default()));
    let mut config = ServeConfig::new(Some(reg.feed_url()), "127.0.0.1:0".parse().unwrap());
    let poll: u64 = std::env::var("BURST_POLL").ok().and_then(|p| p.parse().ok()).unwrap_or(10);
    config.poll = Duration::from_secs(poll);
    let workers = config.workers;
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let running = rt.block_on(ferret_serve::start(config, store, registry.clone(), engine)).expect("start");
    let base = format!("http://{}", running.addr);

    // The burst.
    let mut published: HashMap<(String, String), i64> = HashMap::new();
    let mut bytes_total = 0u64;
    let t0 = Instant::now();
    for f in &files {
        let (name, version) = ferret_core::guess_name_version(f);
        let Ok(bytes) = std::fs::read(f) else { continue };
        bytes_total += bytes.len() as u64;
        reg.publish(&name, &version, bytes);
        published.insert((name, version), now_ms());
    }
    let publish_s = t0.elapsed().as_secs_f64();
    let total = published.len();
    println!("burst: {total} crates ({:.1} MB) published in {publish_s:.2} s; {workers} workers, poll {poll} s", bytes_total as f64 / 1e6);

    let http = reqwest::blocking::Client::new();
    let mut page_ms: Vec<f64> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(3600);
    let rows = loop {
        let t = Instant::now();
        let page = http.get(format!("{base}/")).send().and_then(|r| r.text());
        page_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(page.is_ok(), "queue page failed");
        let v: serde_json::Value = http
            .get(format!("{base}/api/versions?include_pending=true&limit=10000"))
            .send()
            .and_then(|r| r.json())
            .expect("api");
        let rows = v["versions"].as_array().cloned().unwrap_or_default();
        let finished = rows.iter().filter(|r| r["state"] == "done" || r["state"] == "failed").count();
        if finished >= total {
            break rows;
        }
        if Instant::now() > deadline {
            eprintln!("gave up after an hour: {finished}/{total}");
            std::process::exit(1);
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let drain_s = t0.elapsed().as_secs_f64();
    let mut lat: Vec<f64> = Vec::new();
    let mut verdicts: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        let key = (r["name"].as_str().unwrap_or("").to_string(), r["version"].as_str().unwrap_or("").to_string());
        *verdicts.entry(r["verdict"].as_str().unwrap_or("none").to_string()).or_default() += 1;
        let scanned = r["scanned_at"].as_str().and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok());
        if let (Some(p), Some(s)) = (published.get(&key), scanned) {
            lat.push((s.timestamp_millis() - p) as f64 / 1e3);
        }
    }
    lat.sort_by(f64::total_cmp);
    page_ms.sort_by(f64::total_cmp);
    let failed = rows.iter().filter(|r| r["state"] == "failed").count();
    println!("drained in {drain_s:.1} s ({:.1} crates/s); failed {failed}", total as f64 / drain_s);
    println!(
        "publish-to-verdict latency: median {:.1} s, p95 {:.1} s, max {:.1} s (goal p95 < 60 s: {})",
        pct(&lat, 0.5),
        pct(&lat, 0.95),
        lat.last().copied().unwrap_or(f64::NAN),
        if pct(&lat, 0.95) < 60.0 { "met" } else { "NOT met" }
    );
    println!(
        "queue page during the burst: {} loads, median {:.0} ms, p95 {:.0} ms, max {:.0} ms",
        page_ms.len(),
        pct(&page_ms, 0.5),
        pct(&page_ms, 0.95),
        page_ms.last().copied().unwrap_or(f64::NAN)
    );
    let mut v: Vec<_> = verdicts.into_iter().collect();
    v.sort();
    println!("verdicts: {v:?}");
    rt.block_on(running.stop());
    drop(rt);
    drop(registry);
}
