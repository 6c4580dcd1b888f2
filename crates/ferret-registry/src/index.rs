//! Sparse index data: entries, parsing, paths, version selection, crate specs.

use std::collections::BTreeMap;

use semver::{Version, VersionReq};
use serde::{Deserialize, Serialize};

use crate::error::{RegistryError, Result};

/// One line of a sparse index file: one published version of a crate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// Crate name, as published.
    pub name: String,
    /// The version.
    pub vers: Version,
    /// Dependencies.
    #[serde(default)]
    pub deps: Vec<IndexDependency>,
    /// sha256 of the `.crate` file, lowercase hex.
    pub cksum: String,
    /// Features.
    #[serde(default)]
    pub features: BTreeMap<String, Vec<String>>,
    /// Features using newer syntax (`dep:`, `?`), kept apart for old cargo versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features2: Option<BTreeMap<String, Vec<String>>>,
    /// Whether the version is yanked.
    #[serde(default)]
    pub yanked: bool,
    /// The `links` key of the manifest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub links: Option<String>,
    /// Index format version (1 or 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub v: Option<u32>,
    /// The crate's minimum supported Rust version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_version: Option<String>,
    /// Publication time (RFC 3339, e.g. `2024-06-22T15:57:19Z`); crates.io writes it for
    /// versions published since 2024.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pubtime: Option<String>,
}

impl IndexEntry {
    /// Every feature, from `features` and `features2` together.
    pub fn all_features(&self) -> BTreeMap<String, Vec<String>> {
        let mut all = self.features.clone();
        if let Some(f2) = &self.features2 {
            for (k, v) in f2 {
                all.entry(k.clone()).or_default().extend(v.iter().cloned());
            }
        }
        all
    }
}

/// A dependency in an index entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDependency {
    /// The dependency's name in the depending crate (an alias when `package` is set).
    pub name: String,
    /// The version requirement.
    pub req: String,
    /// Features enabled.
    #[serde(default)]
    pub features: Vec<String>,
    /// Whether it is optional.
    #[serde(default)]
    pub optional: bool,
    /// Whether default features are on.
    #[serde(default = "yes")]
    pub default_features: bool,
    /// A `cfg(...)` or target triple the dependency is limited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// normal, build or dev; absent means normal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<DependencyKind>,
    /// The real crate name when the dependency is renamed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// The index URL of the registry the dependency comes from, when not this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}

fn yes() -> bool {
    true
}

impl IndexDependency {
    /// The crate depended on: `package` when renamed, else `name`.
    pub fn crate_name(&self) -> &str {
        self.package.as_deref().unwrap_or(&self.name)
    }
    /// The kind, `Normal` when absent.
    pub fn kind(&self) -> DependencyKind {
        self.kind.unwrap_or(DependencyKind::Normal)
    }
}

/// Kind of a dependency.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DependencyKind {
    /// `[dependencies]`
    Normal,
    /// `[build-dependencies]`
    Build,
    /// `[dev-dependencies]`
    Dev,
    /// A kind this version of ferret does not know.
    #[serde(other)]
    Unknown,
}

/// A parsed sparse index file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexFile {
    /// The crate name asked for.
    pub name: String,
    /// Where the file came from.
    pub url: String,
    /// Entries that parsed, in file order (oldest publish first on crates.io).
    pub entries: Vec<IndexEntry>,
    /// How many non-empty lines were skipped because they did not parse, had a bad checksum
    /// or named another crate.
    pub skipped: usize,
    /// Why the first skipped line was skipped.
    pub first_skip_reason: Option<String>,
}

/// Parses the body of a sparse index file for crate `name` fetched from `url`.
///
/// Lines that fail to parse are skipped and counted; a non-empty body in which no line is an
/// index entry is an error naming the URL.
pub fn parse_index_file(name: &str, url: &str, body: &[u8]) -> Result<IndexFile> {
    let mut entries = Vec::new();
    let mut skipped = 0;
    let mut first_skip_reason = None;
    for (lineno, line) in body.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let reason = match serde_json::from_slice::<IndexEntry>(line) {
            Ok(entry) if !entry.name.eq_ignore_ascii_case(name) => {
                format!("line {}: entry names crate {:?}", lineno + 1, entry.name)
            }
            Ok(entry) if !is_sha256_hex(&entry.cksum) => {
                format!("line {}: checksum {:?} is not 64 hex digits", lineno + 1, entry.cksum)
            }
            Ok(mut entry) => {
                entry.cksum.make_ascii_lowercase();
                entries.push(entry);
                continue;
            }
            Err(e) => format!("line {}: {e}", lineno + 1),
        };
        skipped += 1;
        first_skip_reason.get_or_insert(reason);
    }
    if entries.is_empty() && skipped > 0 {
        return Err(RegistryError::InvalidIndex {
            name: name.to_owned(),
            url: url.to_owned(),
            reason: first_skip_reason.unwrap_or_default(),
        });
    }
    Ok(IndexFile { name: name.to_owned(), url: url.to_owned(), entries, skipped, first_skip_reason })
}

/// Whether `s` is 64 hex digits.
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Checks a crate name: 1 to 64 ASCII letters, digits, `-` or `_`. Anything else can never
/// be on crates.io and is refused before it reaches a URL or a file path.
pub fn validate_crate_name(name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        "empty"
    } else if name.len() > 64 {
        "longer than 64 characters"
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        "only ASCII letters, digits, '-' and '_' are allowed"
    } else {
        return Ok(());
    };
    Err(RegistryError::InvalidName { name: name.to_owned(), reason })
}

/// Parses and checks a version of crate `name`.
pub(crate) fn parse_version(name: &str, version: &str) -> Result<Version> {
    Version::parse(version).map_err(|e| RegistryError::InvalidVersion {
        name: name.to_owned(),
        version: version.to_owned(),
        reason: e.to_string(),
    })
}

/// The directory part of a crate's index path, as cargo computes it (original case):
/// `1`, `2`, `3/a`, `ab/cd`. Used for the `{prefix}` download-template marker.
pub fn index_prefix(name: &str) -> String {
    match name.len() {
        0 => String::new(),
        1 => "1".to_owned(),
        2 => "2".to_owned(),
        3 => format!("3/{}", &name[..1]),
        _ => format!("{}/{}", &name[..2], &name[2..4]),
    }
}

/// The path of a crate's file in a sparse index, lowercased: `1/a`, `2/ab`, `3/a/abc`,
/// `se/rd/serde`. `name` must be a valid crate name (ASCII).
pub fn index_path(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    format!("{}/{lower}", index_prefix(&lower))
}

/// A `name[@version]` argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrateSpec {
    /// Crate name.
    pub name: String,
    /// Exact version (`1.2.3`) or requirement (`^1.2`, `=1.0.0`, `>=0.3, <0.5`); `None`
    /// for the newest.
    pub version_req: Option<String>,
}

/// Parses `serde`, `serde@1.0.1` or `serde@^1`.
pub fn parse_spec(spec: &str) -> Result<CrateSpec> {
    let invalid = |reason: &str| RegistryError::InvalidSpec { spec: spec.to_owned(), reason: reason.to_owned() };
    let (name, req) = match spec.split_once('@') {
        Some((name, req)) => (name, Some(req.trim())),
        None => (spec, None),
    };
    if name.is_empty() {
        return Err(invalid("missing crate name before '@'"));
    }
    validate_crate_name(name).map_err(|e| invalid(&e.to_string()))?;
    let version_req = match req {
        None => None,
        Some("") => return Err(invalid("missing version after '@'")),
        Some(req) => {
            if Version::parse(req).is_err() {
                VersionReq::parse(req).map_err(|e| invalid(&format!("version {req:?}: {e}")))?;
            }
            Some(req.to_owned())
        }
    };
    Ok(CrateSpec { name: name.to_owned(), version_req })
}

/// Picks a version of crate `name` among `entries`.
///
/// * `None`: the newest non-yanked release, or the newest non-yanked pre-release when there
///   is no release.
/// * An exact version (`1.2.3`): that version, even if yanked (scanning a yanked version is
///   legitimate).
/// * A requirement (`^1.2`, `=1.0.0`, `~0.3`): the newest non-yanked version matching it.
pub fn select_version(name: &str, entries: &[IndexEntry], version_req: Option<&str>) -> Result<IndexEntry> {
    let no_match = |req: &str| RegistryError::NoMatchingVersion {
        name: name.to_owned(),
        req: req.to_owned(),
        available: entries.len(),
    };
    let live = entries.iter().filter(|e| !e.yanked);
    let chosen = match version_req.map(str::trim) {
        None | Some("") => live
            .clone()
            .filter(|e| e.vers.pre.is_empty())
            .max_by(|a, b| a.vers.cmp(&b.vers))
            .or_else(|| live.max_by(|a, b| a.vers.cmp(&b.vers)))
            .ok_or_else(|| no_match("newest")),
        Some(req) => {
            if let Ok(exact) = Version::parse(req) {
                entries.iter().find(|e| e.vers == exact).ok_or_else(|| no_match(req))
            } else {
                let parsed = VersionReq::parse(req).map_err(|e| RegistryError::InvalidVersionReq {
                    name: name.to_owned(),
                    req: req.to_owned(),
                    reason: e.to_string(),
                })?;
                live.filter(|e| parsed.matches(&e.vers))
                    .max_by(|a, b| a.vers.cmp(&b.vers))
                    .ok_or_else(|| no_match(req))
            }
        }
    }?;
    Ok(chosen.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(name: &str, vers: &str, yanked: bool) -> String {
        format!(r#"{{"name":"{name}","vers":"{vers}","deps":[],"cksum":"{}","features":{{}},"yanked":{yanked}}}"#, "a".repeat(64))
    }

    fn entries(lines: &[String]) -> Vec<IndexEntry> {
        parse_index_file("foo", "u", lines.join("\n").as_bytes()).unwrap().entries
    }

    #[test]
    fn paths() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("AB"), "2/ab");
        assert_eq!(index_path("Foo"), "3/f/foo");
        assert_eq!(index_path("Serde"), "se/rd/serde");
        assert_eq!(index_prefix("Serde"), "Se/rd");
    }

    #[test]
    fn names() {
        assert!(validate_crate_name("serde_json-2").is_ok());
        for bad in ["", "../x", "a/b", "é", "a b", &"x".repeat(65)] {
            assert!(validate_crate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn specs() {
        assert_eq!(parse_spec("serde@1.0.1").unwrap(), CrateSpec { name: "serde".into(), version_req: Some("1.0.1".into()) });
        assert_eq!(parse_spec("serde").unwrap().version_req, None);
        assert_eq!(parse_spec("serde@^1").unwrap().version_req.as_deref(), Some("^1"));
        for bad in ["@1", "serde@", "ser/de@1", "serde@not a version"] {
            let err = parse_spec(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
    }

    #[test]
    fn parse_skips_bad_lines_and_rejects_garbage() {
        let body = [line("foo", "1.0.0", false), "{oops".into(), line("other", "1.0.0", false), String::new()].join("\n");
        let f = parse_index_file("foo", "http://x/3/f/foo", body.as_bytes()).unwrap();
        assert_eq!(f.entries.len(), 1);
        assert_eq!(f.skipped, 2);
        assert!(f.first_skip_reason.unwrap().starts_with("line 2"));
        let err = parse_index_file("foo", "http://x/3/f/foo", b"<html>hi</html>\n").unwrap_err();
        assert!(err.to_string().contains("http://x/3/f/foo"), "{err}");
        assert!(parse_index_file("foo", "u", b"").unwrap().entries.is_empty());
        let bad_ck = line("foo", "1.0.0", false).replace(&"a".repeat(64), "zz");
        assert!(parse_index_file("foo", "u", bad_ck.as_bytes()).is_err());
    }

    #[test]
    fn unknown_dep_kind_and_extra_fields_are_tolerated() {
        let l = format!(
            r#"{{"name":"foo","vers":"1.0.0","deps":[{{"name":"b","req":"^1","kind":"weird","features":[],"optional":false,"default_features":true,"target":null}}],"cksum":"{}","features":{{}},"yanked":false,"new_field":1,"pubtime":"2024-06-22T15:57:19Z"}}"#,
            "A".repeat(64)
        );
        let e = &entries(&[l])[0];
        assert_eq!(e.deps[0].kind(), DependencyKind::Unknown);
        assert_eq!(e.cksum, "a".repeat(64));
        assert_eq!(e.pubtime.as_deref(), Some("2024-06-22T15:57:19Z"));
    }

    #[test]
    fn selection() {
        let es = entries(&[
            line("foo", "1.0.0", false),
            line("foo", "1.1.0", false),
            line("foo", "1.2.0", true),
            line("foo", "2.0.0-rc.1", false),
            line("foo", "0.9.0", false),
        ]);
        let pick = |r| select_version("foo", &es, r).map(|e| e.vers.to_string());
        assert_eq!(pick(None).unwrap(), "1.1.0");
        assert_eq!(pick(Some("1.2.0")).unwrap(), "1.2.0", "exact version may be yanked");
        assert_eq!(pick(Some("^1")).unwrap(), "1.1.0", "requirement skips yanked");
        assert_eq!(pick(Some("=1.0.0")).unwrap(), "1.0.0");
        assert_eq!(pick(Some("<1")).unwrap(), "0.9.0");
        assert!(matches!(select_version("foo", &es, Some("3")), Err(RegistryError::NoMatchingVersion { .. })));
        assert!(matches!(select_version("foo", &es, Some("%%")), Err(RegistryError::InvalidVersionReq { .. })));
        let only_pre = entries(&[line("foo", "0.1.0-alpha", false)]);
        assert_eq!(select_version("foo", &only_pre, None).unwrap().vers.to_string(), "0.1.0-alpha");
        let all_yanked = entries(&[line("foo", "0.1.0", true)]);
        assert!(select_version("foo", &all_yanked, None).is_err());
    }
}
