//! The advisory model shared by both readers.

use jiff::civil::Date;
use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};

/// Which database a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The RustSec advisory database (`crates/<name>/RUSTSEC-*.md`).
    RustSec,
    /// An OSV record (for malware: OpenSSF malicious-packages, `MAL-*`).
    Osv,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::RustSec => "rustsec",
            Source::Osv => "osv",
        })
    }
}

/// One advisory about one crate.
///
/// When [`crate::AdvisoryDb::merge`] finds that two records describe the same finding (same
/// id or alias, or a RustSec and an OSV record about the same malicious crate and versions),
/// they become one `Advisory`: the first record stays primary and the others are listed in
/// [`Advisory::related`]; the version criteria of both are kept, and a version is affected when
/// either source says so.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Advisory {
    /// The record's id (`RUSTSEC-2022-0042`, `MAL-2022-1`).
    pub id: String,
    /// Other ids of the same record (GHSA, CVE, and the ids of merged records).
    pub aliases: Vec<String>,
    /// The crate name as the record spells it.
    pub package: String,
    /// One-line title (RustSec: the first Markdown heading; OSV: `summary`).
    pub title: String,
    /// The Markdown body (RustSec: the text after the title; OSV: `details`).
    pub description: String,
    /// The advisory's date (RustSec `date`; OSV `published`, else `modified`).
    pub date: Date,
    /// The advisory's main web page, if it names one.
    pub url: Option<String>,
    /// Further reference URLs.
    pub references: Vec<String>,
    /// The database the primary record came from.
    pub source: Source,
    /// The crate (or the affected versions) is malware, not merely vulnerable.
    pub malicious: bool,
    /// RustSec `versions.patched`: versions that are not affected because they fixed it.
    pub patched: Vec<VersionReq>,
    /// RustSec `versions.unaffected`: versions that never had the problem.
    pub unaffected: Vec<VersionReq>,
    /// OSV `affected[].ranges` and `affected[].versions` for this package.
    pub affected_ranges: Vec<AffectedRange>,
    /// The date the advisory was withdrawn; a withdrawn advisory never matches.
    pub withdrawn: Option<Date>,
    /// Indicators of compromise (OSV `database_specific.iocs`).
    pub indicators: Vec<Indicator>,
    /// Records folded into this one by a merge.
    pub related: Vec<RelatedRecord>,
    /// Where the primary record was read from (path relative to the folder that was loaded).
    pub file: Option<String>,
}

/// A record that a merge folded into another advisory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelatedRecord {
    /// Its id.
    pub id: String,
    /// Its database.
    pub source: Source,
    /// Its web page, if any.
    pub url: Option<String>,
    /// Where it was read from.
    pub file: Option<String>,
}

/// An OSV affected range or list of versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum AffectedRange {
    /// A `SEMVER` or `ECOSYSTEM` range: events in version order.
    Events {
        /// The events (`introduced`, `fixed`, `last_affected`, `limit`), sorted by version.
        events: Vec<RangeEvent>,
    },
    /// An explicit list of affected versions (OSV `versions`).
    Versions {
        /// The versions.
        versions: Vec<Version>,
    },
}

/// One event of an OSV range. `introduced: "0"` is stored as `0.0.0`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeEvent {
    /// Versions from here on are affected.
    Introduced(Version),
    /// Versions from here on are fixed.
    Fixed(Version),
    /// Versions after this one are not affected.
    LastAffected(Version),
    /// Versions from here on are outside the range.
    Limit(Version),
}

impl RangeEvent {
    /// The version the event is at.
    pub fn version(&self) -> &Version {
        match self {
            RangeEvent::Introduced(v)
            | RangeEvent::Fixed(v)
            | RangeEvent::LastAffected(v)
            | RangeEvent::Limit(v) => v,
        }
    }
}

/// What kind of indicator of compromise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorKind {
    /// An IP address (`iocs.ips`).
    Ip,
    /// A host name (`iocs.domains`).
    Domain,
    /// A URL (`iocs.urls`).
    Url,
    /// A file path (`iocs.files[].paths`): dropped on the victim or inside the package.
    File,
    /// A SHA-256 digest of a file (`iocs.files[].digests.sha256`).
    Sha256,
    /// Any other IoC list; the value is `key: value`.
    Other,
}

/// One indicator of compromise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Indicator {
    /// What it is.
    pub kind: IndicatorKind,
    /// The IP, host, URL, path or digest.
    pub value: String,
    /// The record's note about it, if any (for files: what it is and where it was seen).
    pub note: Option<String>,
}

/// Normalises a crate name the way crates.io compares names: ASCII case-insensitive, with `-`
/// and `_` equivalent.
pub fn normalize_name(name: &str) -> String {
    name.chars()
        .map(|c| if c == '_' { '-' } else { c.to_ascii_lowercase() })
        .collect()
}

impl Advisory {
    /// Every database this finding appears in (the primary source first, no duplicates).
    pub fn sources(&self) -> Vec<Source> {
        let mut out = vec![self.source];
        for r in &self.related {
            if !out.contains(&r.source) {
                out.push(r.source);
            }
        }
        out
    }

    /// All ids this finding is known by: its id, its aliases and the related records' ids.
    pub fn all_ids(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.id.as_str())
            .chain(self.aliases.iter().map(String::as_str))
            .chain(self.related.iter().map(|r| r.id.as_str()))
    }

    /// Whether `name` is this advisory's crate (compared as crates.io does).
    pub fn is_for(&self, name: &str) -> bool {
        names_equal(&self.package, name)
    }

    /// Whether the advisory affects `version` of its crate.
    ///
    /// - A withdrawn advisory affects nothing.
    /// - RustSec criteria: affected unless a `patched` or `unaffected` requirement matches; so an
    ///   advisory with neither (malware, `patched = []`) affects every version, including ones
    ///   no index ever listed.
    /// - OSV criteria: affected when a range contains the version (events evaluated in version
    ///   order as the OSV schema describes) or the version is listed explicitly.
    /// - A merged finding is affected when either source's criteria say so.
    pub fn affects(&self, version: &Version) -> bool {
        if self.withdrawn.is_some() {
            return false;
        }
        let sources = self.sources();
        let rustsec = sources.contains(&Source::RustSec)
            && !self.patched.iter().any(|r| req_matches(r, version))
            && !self.unaffected.iter().any(|r| req_matches(r, version));
        rustsec
            || (sources.contains(&Source::Osv)
                && self.affected_ranges.iter().any(|r| range_contains(r, version)))
    }

    /// Whether the advisory affects every version of its crate (malware takedowns).
    pub fn affects_all_versions(&self) -> bool {
        if self.withdrawn.is_some() {
            return false;
        }
        let sources = self.sources();
        (sources.contains(&Source::RustSec) && self.patched.is_empty() && self.unaffected.is_empty())
            || (sources.contains(&Source::Osv)
                && self.affected_ranges.iter().any(|r| match r {
                    AffectedRange::Events { events } => {
                        matches!(events.first(), Some(RangeEvent::Introduced(v)) if *v == Version::new(0, 0, 0))
                            && events.len() == 1
                    }
                    AffectedRange::Versions { .. } => false,
                }))
    }

    /// Days between the advisory's date and `today` (negative if dated in the future).
    pub fn age_days(&self, today: Date) -> i64 {
        days_between(self.date, today)
    }
}

/// Whether two crate names are the same crate on crates.io.
pub fn names_equal(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes().zip(b.bytes()).all(|(x, y)| {
            let x = if x == b'_' { b'-' } else { x.to_ascii_lowercase() };
            let y = if y == b'_' { b'-' } else { y.to_ascii_lowercase() };
            x == y
        })
}

pub(crate) fn days_between(from: Date, to: Date) -> i64 {
    // `Date::until` with day units cannot fail for civil dates within jiff's range.
    from.until((jiff::Unit::Day, to)).map(|s| i64::from(s.get_days())).unwrap_or(0)
}

/// `VersionReq::matches`, except for pre-releases. semver's own rule makes any requirement
/// without a pre-release reject every pre-release (`>= 1.0.0` rejects `1.2.0-rc.1`), which would
/// call a pre-release of a patched series vulnerable. For a pre-release, each comparator is
/// judged by plain version order instead (`~`, `^` and `*` by the release it precedes).
fn req_matches(req: &VersionReq, version: &Version) -> bool {
    if version.pre.is_empty() {
        return req.matches(version);
    }
    let mut release = version.clone();
    release.pre = semver::Prerelease::EMPTY;
    req.comparators.iter().all(|c| comparator_matches_ordered(c, version, &release))
}

fn comparator_matches_ordered(c: &semver::Comparator, v: &Version, release: &Version) -> bool {
    use semver::Op;
    use std::cmp::Ordering::*;
    let mut bound = Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
    bound.pre = c.pre.clone();
    // Compare only the parts the comparator names (`> 1.2` compares major.minor).
    let partial = |v: &Version| -> std::cmp::Ordering {
        match (c.minor, c.patch) {
            (None, _) => v.major.cmp(&c.major),
            (Some(minor), None) => (v.major, v.minor).cmp(&(c.major, minor)),
            (Some(_), Some(_)) => {
                let mut v = v.clone();
                v.build = semver::BuildMetadata::EMPTY;
                v.cmp(&bound)
            }
        }
    };
    match c.op {
        Op::Exact => partial(v) == Equal,
        Op::Greater => partial(v) == Greater,
        Op::GreaterEq => partial(v) != Less,
        Op::Less => {
            if c.patch.is_some() {
                partial(v) == Less
            } else {
                v < &bound
            }
        }
        Op::LessEq => partial(v) != Greater,
        _ => {
            let single = VersionReq { comparators: vec![c.clone()] };
            single.matches(release)
        }
    }
}

/// Whether an OSV range or version list contains `version`.
pub(crate) fn range_contains(range: &AffectedRange, version: &Version) -> bool {
    match range {
        AffectedRange::Versions { versions } => versions.iter().any(|v| versions_equal(v, version)),
        AffectedRange::Events { events } => {
            let mut affected = false;
            for event in events {
                match event {
                    RangeEvent::Introduced(v) if version >= v => affected = true,
                    RangeEvent::Fixed(v) | RangeEvent::Limit(v) if version >= v => affected = false,
                    RangeEvent::LastAffected(v) if version > v => affected = false,
                    _ => {}
                }
            }
            affected
        }
    }
}

/// Version equality ignoring build metadata (crates.io treats `1.0.0+a` and `1.0.0` as one).
fn versions_equal(a: &Version, b: &Version) -> bool {
    a.major == b.major && a.minor == b.minor && a.patch == b.patch && a.pre == b.pre
}
