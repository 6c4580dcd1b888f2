//! Readers, matching and merging, on the real advisories in `data/advisories/`.

use std::path::{Path, PathBuf};

use ferret_advisory::{
    parse_osv, parse_rustsec, Advisory, AdvisoryDb, IndicatorKind, Origin, Source,
};
use semver::Version;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/advisories")
}

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn rustsec() -> AdvisoryDb {
    AdvisoryDb::load_rustsec(&data()).unwrap()
}

fn osv() -> AdvisoryDb {
    AdvisoryDb::load_osv(&data().join("osv")).unwrap()
}

fn ids(list: &[&Advisory]) -> Vec<String> {
    let mut out: Vec<String> = list.iter().map(|a| a.id.clone()).collect();
    out.sort();
    out
}

#[test]
fn all_77_rustsec_files_parse_and_are_malicious() {
    let db = rustsec();
    assert!(db.warnings().is_empty(), "{:?}", db.warnings());
    assert_eq!(db.advisories().len(), 77);
    assert_eq!(db.malicious().count(), 77);
    // rpc-check has two advisories: both kept.
    assert_eq!(db.for_package("rpc-check").len(), 2);
    let rd = db.get("RUSTSEC-2022-0042").unwrap();
    assert_eq!(rd.package, "rustdecimal");
    assert_eq!(rd.title, "malicious crate `rustdecimal`");
    assert!(rd.description.contains("GitLab CI") || rd.description.contains("GITLAB_CI"));
    assert_eq!(rd.date.to_string(), "2022-05-10");
    assert_eq!(rd.source, Source::RustSec);
    assert!(rd.aliases.contains(&"GHSA-7pwq-f4pq-78gm".to_owned()));
    assert_eq!(db.data_date().unwrap().to_string(), "2026-08-20");
    assert_eq!(db.loaded_from(), &[Origin::RustSec(data())]);
}

#[test]
fn all_20_osv_records_parse_and_are_malicious() {
    let db = osv();
    assert!(db.warnings().is_empty(), "{:?}", db.warnings());
    assert_eq!(db.advisories().len(), 20);
    assert_eq!(db.malicious().count(), 20);
    assert!(db.advisories().iter().all(|a| a.source == Source::Osv && a.id.starts_with("MAL-")));
    let lu = db.get("MAL-2026-16164").unwrap();
    assert_eq!(lu.package, "logs-update");
    assert_eq!(lu.title, "Malicious code in logs_update (crates.io)");
    assert_eq!(lu.url.as_deref(), Some("https://osv.dev/vulnerability/MAL-2026-16164"));
    assert_eq!(lu.date.to_string(), "2026-09-11");
}

#[test]
fn the_four_uncategorised_takedowns_are_malicious() {
    let dir = data().join("rustsec-crates");
    for name in ["arone", "aronenao", "tinymember", "logprinter"] {
        let folder = dir.join(name);
        let file = std::fs::read_dir(&folder).unwrap().next().unwrap().unwrap().path();
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(!text.contains("categories"), "{name} was expected to carry no categories");
        let a = parse_rustsec(&text, name).unwrap();
        assert!(a.malicious, "{name} not recognised as a malware takedown");
        assert!(a.affects(&v("0.1.0")) && a.affects(&v("1234.5.6")));
    }
}

#[test]
fn titles_that_only_mention_malice_are_not_malware() {
    let text = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"hyperish\"\ndate = \"2099-01-01\"\n\n[versions]\npatched = [\">= 1.2.3\"]\n```\n\n# A malicious server can crash the client\n\nDetails.\n";
    let a = parse_rustsec(text, "x").unwrap();
    assert!(!a.malicious);
    let removed = text.replace("A malicious server can crash the client", "`hyperish` was removed from crates.io");
    assert!(!parse_rustsec(&removed, "x").unwrap().malicious, "removed for no stated malware reason");
    let malware = text.replace("A malicious server can crash the client", "`hyperish` was removed from crates.io as MALWARE");
    assert!(parse_rustsec(&malware, "x").unwrap().malicious);
    let categorised = text.replace("date = ", "categories = [\"malicious\"]\ndate = ");
    assert!(parse_rustsec(&categorised, "x").unwrap().malicious);
}

#[test]
fn malware_with_no_patched_versions_matches_every_version() {
    let db = AdvisoryDb::embedded();
    for version in ["0.0.0", "1.23.1", "999.0.0", "0.1.0-alpha.1", "3.0.0+build.5"] {
        let hits = db.matches("rustdecimal", &v(version));
        assert_eq!(ids(&hits), vec!["RUSTSEC-2022-0042"], "version {version}");
    }
    // Names as crates.io compares them.
    assert_eq!(db.matches("RustDecimal", &v("1.0.0")).len(), 1);
    assert_eq!(db.matches("proc_macro1", &v("1.0.106")).len(), 1);
    assert_eq!(db.matches("PROC-MACRO1", &v("1.0.106")).len(), 1);
    assert!(db.matches("rust_decimal", &v("1.0.0")).is_empty());
    assert!(db.matches("rustdecimal2", &v("1.0.0")).is_empty());
    assert!(db.matches("serde", &v("1.0.0")).is_empty());
}

#[test]
fn version_specific_malware_matches_only_its_versions() {
    let db = AdvisoryDb::embedded();
    // RustSec unaffected = ["<= 0.3.9"], OSV versions = ["0.3.10"].
    assert_eq!(db.matches("arrayref", &v("0.3.10")).len(), 1);
    assert!(db.matches("arrayref", &v("0.3.9")).is_empty());
    assert!(db.matches("arrayref", &v("0.3.6")).is_empty());
    // onering: unaffected = ["< 1.4.1", "> 1.4.1"].
    assert_eq!(db.matches("onering", &v("1.4.1")).len(), 1);
    assert!(db.matches("onering", &v("1.4.0")).is_empty());
    assert!(db.matches("onering", &v("1.4.2")).is_empty());
    // OSV only, explicit versions (dependency confusion): lsh 99.0.1.
    assert_eq!(ids(&db.matches("lsh", &v("99.0.1"))), vec!["MAL-2026-3126"]);
    assert!(db.matches("lsh", &v("0.4.0")).is_empty());
    // mysten-metrics: RustSec says every version, OSV lists 9.0.0 and 9.0.3.
    assert_eq!(db.matches("mysten-metrics", &v("0.0.1")).len(), 1);
}

#[test]
fn a_vulnerability_with_patched_versions_uses_semver_logic() {
    let text = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0002\"\npackage = \"widget\"\ndate = \"2099-01-01\"\n\n[versions]\npatched = [\">= 1.2.3, < 2.0.0\", \">= 2.1.0\"]\nunaffected = [\"< 1.0.0\"]\n```\n\n# Out-of-bounds read\n";
    let a = parse_rustsec(text, "x").unwrap();
    assert!(!a.malicious);
    let cases = [
        ("0.9.0", false),
        ("1.0.0", true),
        ("1.2.2", true),
        ("1.2.3", false),
        ("1.9.9", false),
        ("2.0.0", true),
        ("2.0.5", true),
        ("2.1.0", false),
        ("7.0.0", false),
        // Pre-releases are ordered like their release: 1.3.0-rc.1 is above 1.2.3 (patched),
        // 2.1.0-rc.1 is below 2.1.0 (still vulnerable).
        ("1.3.0-rc.1", false),
        ("2.1.0-rc.1", true),
    ];
    for (version, affected) in cases {
        assert_eq!(a.affects(&v(version)), affected, "version {version}");
    }
    let db = AdvisoryDb::from_advisories(vec![a], Origin::Embedded, vec![]);
    assert_eq!(db.matches("widget", &v("1.2.0")).len(), 1);
    assert!(db.matches("widget", &v("1.2.3")).is_empty());
}

#[test]
fn osv_ranges_are_evaluated_in_version_order() {
    let json = r#"{"id":"GHSA-test-0001","modified":"2024-01-02T00:00:00Z","published":"2024-01-01T00:00:00Z",
      "affected":[{"package":{"ecosystem":"crates.io","name":"thing"},
        "ranges":[{"type":"SEMVER","events":[{"fixed":"1.2.0"},{"introduced":"1.0.0"},{"introduced":"2.0"},{"last_affected":"2.1.0"}]},
                  {"type":"GIT","repo":"https://example.invalid/x","events":[{"introduced":"abc"}]}]}]}"#;
    let list = parse_osv(json, "x.json").unwrap();
    assert_eq!(list.len(), 1);
    let a = &list[0];
    assert!(!a.malicious);
    for (version, affected) in [
        ("0.9.0", false),
        ("1.0.0", true),
        ("1.1.9", true),
        ("1.2.0", false),
        ("1.9.0", false),
        ("2.0.0", true),
        ("2.1.0", true),
        ("2.1.1", false),
    ] {
        assert_eq!(a.affects(&v(version)), affected, "version {version}");
    }
}

#[test]
fn withdrawn_advisories_never_match() {
    let text = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0003\"\npackage = \"oops\"\ndate = \"2099-01-01\"\nwithdrawn = \"2099-02-01\"\ncategories = [\"malicious\"]\n\n[versions]\npatched = []\n```\n\n# `oops` was removed from crates.io for malicious code\n";
    let a = parse_rustsec(text, "x").unwrap();
    assert_eq!(a.withdrawn.unwrap().to_string(), "2099-02-01");
    let db = AdvisoryDb::from_advisories(vec![a], Origin::Embedded, vec![]);
    assert!(db.matches("oops", &v("1.0.0")).is_empty());
    assert_eq!(db.for_package("oops").len(), 1);
}

#[test]
fn merge_folds_osv_malware_into_the_rustsec_finding() {
    let db = AdvisoryDb::embedded();
    assert!(db.warnings().is_empty(), "{:?}", db.warnings());
    // 12 of the 20 OSV crates also have a RustSec advisory (append-only-vec, arone, aronenao,
    // arrayref, internment, littest, mysten-metrics, proc-macro1, proc-macro-en,
    // replit_ruspty, rustdecimal, tinymember): 77 + 20 - 12.
    assert_eq!(db.advisories().len(), 85);
    for (name, version) in [
        ("append-only-vec", "0.1.9"),
        ("arone", "0.1.0"),
        ("aronenao", "0.1.0"),
        ("arrayref", "0.3.10"),
        ("internment", "0.8.7"),
        ("littest", "0.3.1"),
        ("mysten-metrics", "9.0.3"),
        ("proc-macro1", "1.0.107"),
        ("proc-macro-en", "0.1.0"),
        ("replit_ruspty", "1.0.0"),
        ("rustdecimal", "1.23.1"),
        ("tinymember", "0.1.0"),
    ] {
        let hits = db.matches(name, &v(version));
        assert_eq!(hits.len(), 1, "{name}: {:?}", ids(&hits));
        assert_eq!(hits[0].source, Source::RustSec, "{name}");
        assert_eq!(hits[0].sources(), vec![Source::RustSec, Source::Osv], "{name}");
        assert!(hits[0].related.iter().any(|r| r.id.starts_with("MAL-")), "{name}");
    }
    // Found by alias too: `show MAL-2022-1` finds the RustSec advisory.
    assert_eq!(db.get("MAL-2022-1").unwrap().id, "RUSTSEC-2022-0042");
    assert_eq!(db.get("ghsa-7pwq-f4pq-78gm").unwrap().id, "RUSTSEC-2022-0042");
    // OSV-only records stay on their own.
    for name in ["aovine", "logs-update", "supertag", "amzn_consolas_client"] {
        let list = db.for_package(name);
        assert_eq!(list.len(), 1, "{name}");
        assert_eq!(list[0].sources(), vec![Source::Osv]);
    }
    // The merged arrayref finding carries the OSV indicators.
    let arrayref = db.get("RUSTSEC-2026-0260").unwrap();
    assert!(arrayref.indicators.iter().any(|i| i.kind == IndicatorKind::Ip && i.value == "23.254.165.112"));
}

#[test]
fn merge_dedupes_by_id_and_alias() {
    let twice = rustsec().merge(rustsec());
    assert_eq!(twice.advisories().len(), 77);
    assert_eq!(twice.loaded_from().len(), 1);
    assert!(twice.advisories().iter().all(|a| a.related.is_empty()));

    // A GHSA record about lazystatic that names the RustSec id as an alias: one finding.
    let ghsa = r#"{"id":"GHSA-aaaa-bbbb-cccc","aliases":["RUSTSEC-2023-0097"],"modified":"2023-08-01T00:00:00Z",
      "summary":"lazystatic is malware","affected":[{"package":{"ecosystem":"crates.io","name":"lazystatic"},
      "ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#;
    let extra = AdvisoryDb::from_advisories(parse_osv(ghsa, "g.json").unwrap(), Origin::Embedded, vec![]);
    let merged = rustsec().merge(extra);
    assert_eq!(merged.advisories().len(), 77);
    let a = merged.get("GHSA-aaaa-bbbb-cccc").unwrap();
    assert_eq!(a.id, "RUSTSEC-2023-0097");
    assert_eq!(a.sources(), vec![Source::RustSec, Source::Osv]);
}

#[test]
fn merge_keeps_records_that_disagree_on_versions_apart() {
    // RustSec says only arrayref 0.3.10+ is affected; an OSV record claiming every version is
    // a different statement and must not be folded in.
    let all = r#"{"id":"MAL-2099-1","modified":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"arrayref"},
      "ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#;
    let extra = AdvisoryDb::from_advisories(parse_osv(all, "m.json").unwrap(), Origin::Embedded, vec![]);
    let merged = rustsec().merge(extra);
    assert_eq!(merged.advisories().len(), 78);
    assert_eq!(ids(&merged.matches("arrayref", &v("0.3.10"))), vec!["MAL-2099-1", "RUSTSEC-2026-0260"]);
    assert_eq!(ids(&merged.matches("arrayref", &v("0.3.9"))), vec!["MAL-2099-1"]);
}

#[test]
fn osv_indicators_are_extracted() {
    let db = osv();
    let a = db.get("MAL-2026-14336").unwrap();
    let of = |k: IndicatorKind| -> Vec<&str> {
        a.indicators.iter().filter(|i| i.kind == k).map(|i| i.value.as_str()).collect()
    };
    assert_eq!(of(IndicatorKind::Ip), vec!["23.254.165.112"]);
    assert_eq!(of(IndicatorKind::Url).len(), 4);
    assert!(of(IndicatorKind::Url).contains(&"https://23.254.165.112:9089/rust-crate_0.1.0"));
    assert_eq!(of(IndicatorKind::File), vec!["/tmp/rust-setup", "%TEMP%\\rust-setup.ps1", "%TEMP%\\rust-setup-launch.vbs"]);
    let dropped = a.indicators.iter().find(|i| i.value == "/tmp/rust-setup").unwrap();
    assert!(dropped.note.as_deref().unwrap().starts_with("dropped: Unix second-stage"));

    let lu = db.get("MAL-2026-16164").unwrap();
    assert!(lu.indicators.iter().any(|i| i.kind == IndicatorKind::Domain && i.value == "rust-api-jet.vercel.app"));
    assert_eq!(lu.indicators.iter().filter(|i| i.kind == IndicatorKind::Sha256).count(), 4);
    // Records without iocs have none.
    assert!(db.get("MAL-2022-1").unwrap().indicators.is_empty());
}

#[test]
fn unknown_ecosystems_are_ignored() {
    let pypi = r#"{"id":"MAL-2099-2","modified":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"requests2"},"versions":["1.0"]}]}"#;
    assert!(parse_osv(pypi, "p.json").unwrap().is_empty());
    let mixed = r#"{"id":"MAL-2099-3","modified":"2099-01-01T00:00:00Z","affected":[
        {"package":{"ecosystem":"npm","name":"evil"},"versions":["1.0.0"]},
        {"package":{"ecosystem":"crates.io","name":"evil"},"versions":["0.2.0"]}]}"#;
    let list = parse_osv(mixed, "m.json").unwrap();
    assert_eq!(list.len(), 1);
    assert!(list[0].affects(&v("0.2.0")) && !list[0].affects(&v("1.0.0")));

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pypi/requests2")).unwrap();
    std::fs::write(dir.path().join("pypi/requests2/MAL-2099-2.json"), pypi).unwrap();
    let db = AdvisoryDb::load_osv(dir.path()).unwrap();
    assert!(db.advisories().is_empty() && db.warnings().is_empty());
}

#[test]
fn a_broken_file_becomes_a_warning_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(data().join("rustsec-crates/serd/RUSTSEC-2023-0102.md")).unwrap();
    std::fs::create_dir_all(dir.path().join("crates/serd")).unwrap();
    std::fs::create_dir_all(dir.path().join("crates/broken")).unwrap();
    std::fs::create_dir_all(dir.path().join("crates/badver")).unwrap();
    std::fs::write(dir.path().join("crates/serd/RUSTSEC-2023-0102.md"), good).unwrap();
    std::fs::write(dir.path().join("crates/broken/RUSTSEC-2099-0009.md"), "```toml\n[advisory]\nid = \n```\n").unwrap();
    std::fs::write(
        dir.path().join("crates/badver/RUSTSEC-2099-0010.md"),
        "```toml\n[advisory]\nid = \"RUSTSEC-2099-0010\"\npackage = \"badver\"\ndate = \"2099-01-01\"\n[versions]\npatched = [\">= one\"]\n```\n# t\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("crates/broken/RUSTSEC-2099-0011.md"), [0xffu8, 0xfe, 0x00]).unwrap();
    let db = AdvisoryDb::load_rustsec(dir.path()).unwrap();
    assert_eq!(db.advisories().len(), 1);
    assert_eq!(db.warnings().len(), 3, "{:?}", db.warnings());
    let text: Vec<String> = db.warnings().iter().map(ToString::to_string).collect();
    assert!(text.iter().any(|w| w.contains("RUSTSEC-2099-0009.md") && w.contains("front matter")), "{text:?}");
    assert!(text.iter().any(|w| w.contains("RUSTSEC-2099-0010.md") && w.contains("patched")), "{text:?}");
    assert!(text.iter().any(|w| w.contains("RUSTSEC-2099-0011.md") && w.contains("UTF-8")), "{text:?}");

    let osv_dir = tempfile::tempdir().unwrap();
    std::fs::write(osv_dir.path().join("MAL-bad.json"), "{\"id\": ").unwrap();
    std::fs::write(
        osv_dir.path().join("MAL-badrange.json"),
        r#"{"id":"MAL-2099-4","modified":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"one"}]}]}]}"#,
    )
    .unwrap();
    let db = AdvisoryDb::load_osv(osv_dir.path()).unwrap();
    assert!(db.advisories().is_empty());
    let text: Vec<String> = db.warnings().iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 2, "{text:?}");
    assert!(text.iter().any(|w| w.contains("MAL-bad.json") && w.contains("OSV JSON")));
    assert!(text.iter().any(|w| w.contains("MAL-badrange.json") && w.contains("\"one\"")));
}

#[test]
fn a_full_advisory_db_checkout_is_read_and_other_folders_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for name in ["serd", "lazystatic"] {
        let from = std::fs::read_dir(data().join("rustsec-crates").join(name)).unwrap().next().unwrap().unwrap();
        std::fs::create_dir_all(root.join("crates").join(name)).unwrap();
        std::fs::copy(from.path(), root.join("crates").join(name).join(from.file_name())).unwrap();
    }
    // Toolchain advisories and repository files are not crate advisories.
    std::fs::create_dir_all(root.join("rust/std")).unwrap();
    std::fs::write(root.join("rust/std/RUSTSEC-2099-0100.md"), "not read").unwrap();
    std::fs::write(root.join("README.md"), "# advisory-db").unwrap();
    std::fs::write(root.join("crates/serd/notes.txt"), "ignored").unwrap();
    let db = AdvisoryDb::load_rustsec(root).unwrap();
    assert_eq!(db.advisories().len(), 2);
    assert!(db.warnings().is_empty(), "{:?}", db.warnings());

    let empty = tempfile::tempdir().unwrap();
    let err = AdvisoryDb::load_rustsec(empty.path()).unwrap_err();
    assert!(err.to_string().contains("does not look like a RustSec advisory database"), "{err}");
    let err = AdvisoryDb::load_rustsec(&root.join("missing")).unwrap_err();
    assert!(err.to_string().contains("missing"), "{err}");
}

#[test]
fn the_embedded_snapshot_matches_the_files_on_disk() {
    let mut on_disk = Vec::new();
    for entry in walkdir::WalkDir::new(data()).sort_by_file_name() {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(data()).unwrap().to_string_lossy().replace('\\', "/");
            on_disk.push((rel, std::fs::read(entry.path()).unwrap()));
        }
    }
    on_disk.sort();
    let embedded: Vec<(String, Vec<u8>)> =
        ferret_advisory::embedded_files().iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect();
    assert_eq!(embedded.len(), 97);
    assert_eq!(embedded, on_disk);

    let from_disk = rustsec().merge(AdvisoryDb::load_osv(&data()).unwrap());
    let embedded = AdvisoryDb::embedded();
    assert_eq!(
        serde_json::to_value(embedded.advisories()).unwrap(),
        serde_json::to_value(from_disk.advisories()).unwrap()
    );
    assert_eq!(embedded.data_date(), from_disk.data_date());
    assert_eq!(embedded.loaded_from(), &[Origin::Embedded]);
}

#[test]
fn data_age_is_stated() {
    let db = AdvisoryDb::embedded();
    let newest = db.data_date().unwrap();
    assert_eq!(newest.to_string(), "2026-09-11");
    let today: jiff::civil::Date = "2026-10-01".parse().unwrap();
    assert_eq!(db.age_days(today), Some(20));
    assert_eq!(
        db.describe(today),
        "advisory data: built-in snapshot, newest advisory 2026-09-11 (20 days old)"
    );
    let rd = db.get("RUSTSEC-2022-0042").unwrap();
    assert_eq!(rd.age_days("2022-05-11".parse().unwrap()), 1);
    let empty = AdvisoryDb::from_advisories(vec![], Origin::Embedded, vec![]);
    assert_eq!(empty.age_days(today), None);
}

#[test]
fn the_database_round_trips_through_serde() {
    let db = AdvisoryDb::embedded();
    let json = serde_json::to_string(&db).unwrap();
    let back: AdvisoryDb = serde_json::from_str(&json).unwrap();
    assert_eq!(back.advisories(), db.advisories());
    assert_eq!(back.matches("rustdecimal", &v("1.0.0")).len(), 1);
}

#[test]
fn hostile_text_is_an_error_not_a_panic() {
    for text in ["", "```toml", "```toml\n", "```toml\n[advisory]\n```", "\u{feff}```toml\n\u{0}\n```", "# just markdown"] {
        assert!(parse_rustsec(text, "f").is_err(), "{text:?}");
    }
    for text in ["", "[]", "{}", "{\"id\":\"\"}", "{\"id\":\"X\",\"affected\":[{\"package\":{\"ecosystem\":\"crates.io\",\"name\":\"a\"}}]}"] {
        assert!(parse_osv(text, "f").is_err(), "{text:?}");
    }
    let deep = "[".repeat(100_000);
    assert!(parse_osv(&deep, "f").is_err());
}
