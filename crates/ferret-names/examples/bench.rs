//! Speed of the name checks: one-time corpus load and checker build, then names/s on one core.
//!
//! `cargo run -p ferret-names --release --example bench`

use std::hint::black_box;
use std::time::Instant;

use ferret_names::{Corpus, DEFAULT_TOP_N, NameChecker};

fn main() {
    let t = Instant::now();
    let corpus = Corpus::embedded();
    let load = t.elapsed();
    let t = Instant::now();
    let checker = NameChecker::new(&corpus, DEFAULT_TOP_N);
    let build = t.elapsed();

    // Every corpus name (10,000: the top 3,000 return at once, the rest go through every
    // technique) and a typo of each (a name that is not in the corpus).
    let mut names: Vec<String> = corpus.entries().iter().map(|e| e.name.clone()).collect();
    names.extend(corpus.entries().iter().map(|e| format!("{}x", e.name)));
    let rounds = 3;
    let t = Instant::now();
    let mut flagged = 0usize;
    for _ in 0..rounds {
        for n in &names {
            flagged += usize::from(black_box(checker.check(black_box(n))).flagged);
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let checked = names.len() * rounds;
    println!("corpus load (embedded CSV, {} crates): {:.1} ms", corpus.len(), load.as_secs_f64() * 1e3);
    println!("checker build (top {DEFAULT_TOP_N}): {:.1} ms", build.as_secs_f64() * 1e3);
    println!("checked {checked} names in {secs:.2} s on one thread: {:.0} names/s ({flagged} flagged)", checked as f64 / secs);

    let t = Instant::now();
    let outsiders: Vec<String> = corpus.entries()[DEFAULT_TOP_N..].iter().map(|e| e.name.clone()).collect();
    for n in &outsiders {
        black_box(checker.check(n));
    }
    let secs = t.elapsed().as_secs_f64();
    println!("names outside the top {DEFAULT_TOP_N} only: {:.0} names/s", outsiders.len() as f64 / secs);
}
