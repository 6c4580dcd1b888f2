//! Prints how long the advisory data takes to load and to match.
//!
//! `cargo run --release -p ferret-advisory --example bench`

use std::path::Path;
use std::time::Instant;

use ferret_advisory::{AdvisoryDb, Version};

fn main() {
    let start = Instant::now();
    let db = AdvisoryDb::embedded();
    let parse = start.elapsed();
    let start = Instant::now();
    let _again = AdvisoryDb::embedded();
    let cached = start.elapsed();
    println!("embedded snapshot: {} findings, first parse {:.2} ms, cached copy {:.3} ms",
        db.advisories().len(), parse.as_secs_f64() * 1e3, cached.as_secs_f64() * 1e3);

    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/advisories");
    let start = Instant::now();
    let disk = AdvisoryDb::load_rustsec(&data).unwrap().merge(AdvisoryDb::load_osv(&data).unwrap());
    println!("from disk (97 files): {} findings in {:.2} ms", disk.advisories().len(), start.elapsed().as_secs_f64() * 1e3);

    // A lockfile-sized workload: 400 packages, a few of them known malware, looked up 100 times.
    let mut names: Vec<String> = (0..396).map(|i| format!("some_dependency-{i}")).collect();
    names.extend(["rustdecimal", "arrayref", "proc_macro1", "lsh"].map(String::from));
    let version = Version::new(0, 3, 10);
    let rounds = 100;
    let start = Instant::now();
    let mut hits = 0usize;
    for _ in 0..rounds {
        for n in &names {
            hits += db.matches(n, &version).len();
        }
    }
    let elapsed = start.elapsed();
    let lookups = rounds * names.len();
    println!("matches(): {lookups} lookups ({hits} hits) in {:.2} ms = {:.0} ns/lookup",
        elapsed.as_secs_f64() * 1e3, elapsed.as_nanos() as f64 / lookups as f64);
}
