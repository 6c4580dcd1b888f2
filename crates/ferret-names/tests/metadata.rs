//! Metadata signals on a small hand-made corpus.

use ferret_names::{Corpus, CorpusSource, CrateEntry, CrateMeta, NameChecker, RegistryFacts, Severity, SignalKind};

fn entry(name: &str, downloads: u64, repo: &str, desc: &str) -> CrateEntry {
    CrateEntry { name: name.into(), downloads, repository: repo.into(), created: "2020-01-01".into(), description: desc.into() }
}

fn corpus() -> Corpus {
    Corpus::from_entries(
        vec![
            entry("fast_log", 9_000_000, "https://github.com/rbatis/fast_log", "Rust async log High-performance asynchronous logging"),
            entry("proc-macro2", 700_000_000, "https://github.com/dtolnay/proc-macro2", "A substitute implementation of the compiler's proc_macro API"),
            entry("syn", 900_000_000, "https://github.com/dtolnay/syn", "Parser for Rust source code"),
            entry("tokio", 400_000_000, "https://github.com/tokio-rs/tokio", "An event-driven, non-blocking I/O platform for writing asynchronous I/O backed applications."),
            entry("tokio-util", 300_000_000, "https://github.com/tokio-rs/tokio", "Additional utilities for working with Tokio."),
            entry("sha2", 300_000_000, "https://github.com/RustCrypto/hashes", "Pure Rust implementation of the SHA-2 hash function family"),
            entry("sha1", 200_000_000, "https://github.com/RustCrypto/hashes", "SHA-1 hash function"),
        ],
        CorpusSource::Embedded,
    )
}

fn now() -> jiff::Timestamp {
    "2026-09-01T00:00:00Z".parse().unwrap()
}

fn meta(name: &str) -> CrateMeta {
    CrateMeta { name: name.into(), version: "0.1.0".into(), ..CrateMeta::default() }
}

fn kinds(c: &NameChecker, m: &CrateMeta, r: Option<&RegistryFacts>) -> Vec<(SignalKind, Severity, Option<String>)> {
    c.check_metadata_at(m, r, now()).into_iter().map(|s| (s.kind, s.severity, s.target)).collect()
}

#[test]
fn repository_claimed_by_a_look_alike() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let mut m = meta("faster_log");
    m.repository = Some("git+https://www.GitHub.com/rbatis/fast_log.git/".into());
    assert_eq!(kinds(&c, &m, None), vec![(SignalKind::RepositoryImpersonation, Severity::High, Some("fast_log".into()))]);
    // The crate itself, under any spelling of its URL, claims nothing.
    let mut own = meta("fast_log");
    own.repository = Some("https://github.com/rbatis/fast_log.git".into());
    assert!(kinds(&c, &own, None).is_empty());
}

#[test]
fn repository_claimed_by_an_unrelated_name_is_weak() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let mut m = meta("async_println");
    m.repository = Some("https://github.com/rbatis/fast_log".into());
    assert_eq!(kinds(&c, &m, None), vec![(SignalKind::RepositoryImpersonation, Severity::Low, Some("fast_log".into()))]);
}

#[test]
fn monorepo_members_are_fine() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let mut m = meta("tokio-stream");
    m.repository = Some("https://github.com/tokio-rs/tokio/tree/master/tokio-stream".into());
    assert!(kinds(&c, &m, None).is_empty());
    // A new hash in RustCrypto/hashes with a sibling-like name: low at most.
    let mut m = meta("sha3");
    m.repository = Some("https://github.com/RustCrypto/hashes".into());
    assert!(kinds(&c, &m, None).iter().all(|(_, s, _)| *s <= Severity::Low));
}

#[test]
fn owner_namespace_with_a_squatted_name() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let mut m = meta("proc-macro1");
    m.repository = Some("https://github.com/dtolnay/proc-macro1".into());
    m.authors = vec!["David Tolnay <rchaitm@gmail.com>".into()];
    assert_eq!(kinds(&c, &m, None), vec![(SignalKind::RepositoryImpersonation, Severity::High, Some("proc-macro2".into()))]);
    // dtolnay's namespace with an unrelated name is nothing.
    let mut m = meta("anyhow-ext");
    m.repository = Some("https://github.com/dtolnay/anyhow-ext".into());
    assert!(kinds(&c, &m, None).is_empty());
}

#[test]
fn description_copies() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let mut m = meta("faster_log");
    m.description = Some("Rust async log: high-performance, asynchronous logging!".into());
    assert_eq!(kinds(&c, &m, None), vec![(SignalKind::DescriptionCopy, Severity::High, Some("fast_log".into()))]);
    let mut m = meta("quick-logger");
    m.description = Some("Rust async log High-performance asynchronous logging".into());
    assert_eq!(kinds(&c, &m, None), vec![(SignalKind::DescriptionCopy, Severity::Low, Some("fast_log".into()))]);
    // An exact copy by an unrelated name is weak; a short description is not a copy; nor is a
    // crate's own description.
    let mut m = meta("my-parser");
    m.description = Some("Parser for Rust source code".into());
    assert_eq!(kinds(&c, &m, None).len(), 1);
    let mut m = meta("other");
    m.description = Some("A logger".into());
    assert!(kinds(&c, &m, None).is_empty());
    let mut m = meta("syn");
    m.description = Some("Parser for Rust source code".into());
    assert!(kinds(&c, &m, None).is_empty());
}

#[test]
fn readme_repeating_a_popular_description() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let mut m = meta("faster_log");
    m.readme = Some("# fast_log\n\nA substitute implementation of the compiler's `proc_macro` API, see proc-macro2.\n".into());
    let k = kinds(&c, &m, None);
    assert_eq!(k, vec![(SignalKind::DescriptionCopy, Severity::Medium, Some("proc-macro2".into()))]);
    m.readme = Some("# faster_log\n\nUses proc-macro2 for parsing.".into());
    assert!(kinds(&c, &m, None).is_empty());
}

#[test]
fn version_mimicry() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let facts = |v: &str| RegistryFacts { versions_published: 1, first_version: v.into(), first_pubtime: None, this_pubtime: Some("2025-01-01T00:00:00Z".into()) };
    let m = meta("proc-macro1");
    let k = kinds(&c, &m, Some(&facts("1.0.101")));
    assert!(k.contains(&(SignalKind::VersionMimicry, Severity::Medium, Some("proc-macro2".into()))), "{k:?}");
    let k = kinds(&c, &meta("brand-new"), Some(&facts("1.23.1")));
    assert!(k.contains(&(SignalKind::VersionMimicry, Severity::Low, None)), "{k:?}");
    for ordinary in ["0.1.0", "0.0.3", "1.0.0", "0.3.0", "2.0.0"] {
        let k = kinds(&c, &meta("brand-new"), Some(&facts(ordinary)));
        assert!(!k.iter().any(|(k, _, _)| *k == SignalKind::VersionMimicry), "{ordinary}: {k:?}");
    }
    // Without registry facts the first version is unknown: nothing.
    let mut m = meta("brand-new");
    m.version = "1.23.1".into();
    assert!(kinds(&c, &m, None).is_empty());
}

#[test]
fn dependency_confusion_versions() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let facts = |v: &str, n| RegistryFacts { versions_published: n, first_version: v.into(), first_pubtime: None, this_pubtime: None };
    let has = |k: &[(SignalKind, Severity, Option<String>)], s| k.contains(&(SignalKind::DependencyConfusionVersion, s, None));
    assert!(has(&kinds(&c, &meta("lsh"), Some(&facts("99.0.1", 1))), Severity::High));
    assert!(has(&kinds(&c, &meta("mysten-metrics"), Some(&facts("9.0.3", 1))), Severity::High));
    assert!(has(&kinds(&c, &meta("old-crate"), Some(&facts("9.0.0", 40))), Severity::Medium));
    assert!(!kinds(&c, &meta("x"), Some(&facts("8.1.0", 40))).iter().any(|(k, _, _)| *k == SignalKind::DependencyConfusionVersion));
    // Without registry facts: only the version being checked, and only 99+.
    let mut m = meta("proton-pfff");
    m.version = "99.99.5".into();
    assert!(has(&kinds(&c, &m, None), Severity::High));
    m.version = "9.0.3".into();
    assert!(kinds(&c, &m, None).is_empty());
}

#[test]
fn new_crate() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let facts = |n, t: &str| RegistryFacts { versions_published: n, first_version: "0.1.0".into(), first_pubtime: Some(t.into()), this_pubtime: Some(t.into()) };
    let k = kinds(&c, &meta("fresh"), Some(&facts(1, "2026-08-29T12:00:00Z")));
    assert_eq!(k, vec![(SignalKind::NewCrate, Severity::Low, None)]);
    let k = kinds(&c, &meta("fresh"), Some(&facts(1, "2024-01-01T00:00:00Z")));
    assert_eq!(k, vec![(SignalKind::NewCrate, Severity::Info, None)]);
    assert!(kinds(&c, &meta("fresh"), Some(&facts(5, "2026-08-29T12:00:00Z"))).is_empty());
    // A garbage timestamp is treated as unknown, not a crash.
    let k = kinds(&c, &meta("fresh"), Some(&facts(1, "yesterday")));
    assert_eq!(k, vec![(SignalKind::NewCrate, Severity::Low, None)]);
}

#[test]
fn signals_serialise_kebab_case() {
    let corpus = corpus();
    let c = NameChecker::new(&corpus, 3000);
    let mut m = meta("faster_log");
    m.repository = Some("https://github.com/rbatis/fast_log".into());
    let v = serde_json::to_value(c.check_metadata(&m, None)).unwrap();
    assert_eq!(v[0]["kind"], "repository-impersonation");
    assert_eq!(v[0]["severity"], "high");
    assert_eq!(v[0]["target"], "fast_log");
}
