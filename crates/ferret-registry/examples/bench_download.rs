//! Throughput of the download path against the fake registry on 127.0.0.1: cold downloads
//! (HTTP + sha256 + atomic store) and warm cache hits (re-hash of the cached file).
//! `cargo run --release -p ferret-registry --example bench_download [COUNT] [KIB]`
#![forbid(unsafe_code)]

use std::time::Instant;

use ferret_registry::{DownloadCache, Registry, RegistrySource};
use ferret_testkit::{CrateBuilder, FakeRegistry};

fn main() {
    let count: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let kib: usize = std::env::args().nth(2).and_then(|s| s.parse().ok()).unwrap_or(256);
    let reg = FakeRegistry::start();
    let mut total = 0usize;
    for i in 0..count {
        // Incompressible-ish payload so the .crate really is `kib` KiB.
        let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ i as u64;
        let payload: Vec<u8> = (0..kib * 1024)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        let bytes = CrateBuilder::new(&format!("c{i}"), "1.0.0").minimal_manifest().file("data.bin", payload).build();
        total += bytes.len();
        reg.publish(&format!("c{i}"), "1.0.0", bytes);
    }
    let cache = tempfile::tempdir().expect("temp dir");
    let registry = Registry::builder(RegistrySource::sparse(&reg.index_url()).expect("url"))
        .cache(DownloadCache::new(cache.path()))
        .build()
        .expect("client");
    let entries: Vec<_> = (0..count).map(|i| registry.resolve(&format!("c{i}"), None).expect("resolve")).collect();

    let mb = total as f64 / 1e6;
    let t = Instant::now();
    for e in &entries {
        registry.download(e).expect("cold download");
    }
    let cold = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for e in &entries {
        registry.download(e).expect("warm download");
    }
    let warm = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for i in 0..count {
        registry.resolve(&format!("c{i}"), None).expect("resolve");
    }
    let revalidate = t.elapsed().as_secs_f64();
    println!("{count} crates, {mb:.1} MB");
    println!("cold download: {:.0} crates/s, {:.1} MB/s", count as f64 / cold, mb / cold);
    println!("warm cache hit (re-verified): {:.0} crates/s, {:.1} MB/s", count as f64 / warm, mb / warm);
    println!("index revalidation (ETag, 304): {:.0} requests/s", count as f64 / revalidate);
}
