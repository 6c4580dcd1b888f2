//! Reader for OSV records (<https://ossf.github.io/osv-schema/>), crates.io entries only.

use semver::Version;
use serde::Deserialize;
use serde_json::Value;

use crate::error::ParseError;
use crate::model::{
    normalize_name, Advisory, AffectedRange, Indicator, IndicatorKind, RangeEvent, Source,
};
use crate::rustsec::parse_date;

/// The OSV ecosystem name of crates.io.
pub const CRATES_IO: &str = "crates.io";

#[derive(Debug, Deserialize)]
struct Record {
    id: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    details: Option<String>,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    modified: Option<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    #[serde(default)]
    affected: Vec<Affected>,
    #[serde(default)]
    references: Vec<Reference>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Affected {
    package: Option<Package>,
    #[serde(default)]
    ranges: Vec<Range>,
    #[serde(default)]
    versions: Vec<String>,
    #[serde(default)]
    database_specific: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Package {
    ecosystem: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct Range {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    events: Vec<Event>,
}

#[derive(Debug, Deserialize)]
struct Event {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Reference {
    #[serde(default)]
    url: Option<String>,
}

/// Parses one OSV record (JSON). Returns one [`Advisory`] per crates.io package the record
/// affects; a record about other ecosystems only gives an empty list.
///
/// The record is **malicious** when its id starts with `MAL-` (the OpenSSF malicious-packages
/// namespace) or an affected entry lists CWE-506 (embedded malicious code). Indicators of
/// compromise come from `database_specific.iocs` (`ips`, `domains`, `urls`, `files[].paths`,
/// `files[].digests.sha256`). Ranges of type `SEMVER` and `ECOSYSTEM` (crates.io versions are
/// semver) are kept; `GIT` ranges say nothing about published versions and are skipped.
pub fn parse_osv(text: &str, file: &str) -> Result<Vec<Advisory>, ParseError> {
    let err = |message: String| ParseError { file: file.to_owned(), message };
    let rec: Record = serde_json::from_str(text).map_err(|e| err(format!("OSV JSON: {e}")))?;
    if rec.id.trim().is_empty() {
        return Err(err("empty OSV id".into()));
    }
    let crates: Vec<&Affected> = rec
        .affected
        .iter()
        .filter(|a| a.package.as_ref().is_some_and(|p| p.ecosystem == CRATES_IO))
        .collect();
    if crates.is_empty() {
        return Ok(Vec::new());
    }
    let date_text = rec
        .published
        .as_deref()
        .or(rec.modified.as_deref())
        .ok_or_else(|| err("neither `published` nor `modified` is set".into()))?;
    let date = parse_date(date_text).map_err(|m| err(format!("date {date_text:?}: {m}")))?;
    let withdrawn = match &rec.withdrawn {
        Some(w) => Some(parse_date(w).map_err(|m| err(format!("withdrawn {w:?}: {m}")))?),
        None => None,
    };
    let malicious = rec.id.starts_with("MAL-") || crates.iter().any(|a| lists_cwe_506(a));
    let indicators = rec
        .database_specific
        .as_ref()
        .and_then(|d| d.get("iocs"))
        .map(indicators_from)
        .unwrap_or_default();
    let details = rec.details.clone().unwrap_or_default();
    let title = rec
        .summary
        .clone()
        .filter(|s| !s.trim().is_empty())
        .or_else(|| details.lines().find(|l| !l.trim().is_empty()).map(|l| l.trim().to_owned()))
        .unwrap_or_else(|| rec.id.clone());
    let references: Vec<String> = rec.references.iter().filter_map(|r| r.url.clone()).collect();

    // One advisory per package (an OSV record may list the same package more than once).
    let mut out: Vec<Advisory> = Vec::new();
    for a in crates {
        let name = &a.package.as_ref().expect("filtered on package").name;
        if name.trim().is_empty() {
            return Err(err("affected package has an empty name".into()));
        }
        let mut ranges = Vec::new();
        for r in &a.ranges {
            if r.kind != "SEMVER" && r.kind != "ECOSYSTEM" {
                continue;
            }
            let mut events = Vec::new();
            for e in &r.events {
                events.push(event_from(e).map_err(|m| err(format!("range of {name}: {m}")))?);
            }
            // Evaluate in version order, as the schema says; a stable sort keeps an
            // `introduced` before a `fixed` of the same version as written.
            events.sort_by(|x, y| x.version().cmp(y.version()));
            ranges.push(AffectedRange::Events { events });
        }
        if !a.versions.is_empty() {
            let versions = a
                .versions
                .iter()
                .map(|v| lenient_version(v).map_err(|m| err(format!("version of {name}: {m}"))))
                .collect::<Result<Vec<_>, _>>()?;
            ranges.push(AffectedRange::Versions { versions });
        }
        if let Some(existing) =
            out.iter_mut().find(|x| normalize_name(&x.package) == normalize_name(name))
        {
            existing.affected_ranges.extend(ranges);
            continue;
        }
        out.push(Advisory {
            id: rec.id.trim().to_owned(),
            aliases: rec.aliases.clone(),
            package: name.trim().to_owned(),
            title: title.clone(),
            description: details.clone(),
            date,
            url: Some(format!("https://osv.dev/vulnerability/{}", rec.id.trim())),
            references: references.clone(),
            source: Source::Osv,
            malicious,
            patched: Vec::new(),
            unaffected: Vec::new(),
            affected_ranges: ranges,
            withdrawn,
            indicators: indicators.clone(),
            related: Vec::new(),
            file: Some(file.to_owned()),
        });
    }
    Ok(out)
}

fn lists_cwe_506(a: &Affected) -> bool {
    a.database_specific
        .as_ref()
        .and_then(|d| d.get("cwes"))
        .and_then(Value::as_array)
        .is_some_and(|cwes| {
            cwes.iter().any(|c| c.get("cweId").and_then(Value::as_str) == Some("CWE-506"))
        })
}

fn event_from(e: &Event) -> Result<RangeEvent, String> {
    let set = [&e.introduced, &e.fixed, &e.last_affected, &e.limit];
    if set.iter().filter(|x| x.is_some()).count() != 1 {
        return Err("an event must have exactly one of introduced, fixed, last_affected, limit".into());
    }
    Ok(if let Some(v) = &e.introduced {
        RangeEvent::Introduced(lenient_version(v)?)
    } else if let Some(v) = &e.fixed {
        RangeEvent::Fixed(lenient_version(v)?)
    } else if let Some(v) = &e.last_affected {
        RangeEvent::LastAffected(lenient_version(v)?)
    } else {
        RangeEvent::Limit(lenient_version(e.limit.as_deref().unwrap_or_default())?)
    })
}

/// Parses a version as OSV writes them: `0` means "from the start", and `1.2` is `1.2.0`.
pub(crate) fn lenient_version(s: &str) -> Result<Version, String> {
    let t = s.trim();
    if let Ok(v) = Version::parse(t) {
        return Ok(v);
    }
    let core_end = t.find(['-', '+']).unwrap_or(t.len());
    let (core, rest) = t.split_at(core_end);
    let dots = core.matches('.').count();
    let padded = match dots {
        0 => format!("{core}.0.0{rest}"),
        1 => format!("{core}.0{rest}"),
        _ => return Err(format!("{s:?} is not a semver version")),
    };
    Version::parse(&padded).map_err(|e| format!("{s:?}: {e}"))
}

fn indicators_from(iocs: &Value) -> Vec<Indicator> {
    let mut out: Vec<Indicator> = Vec::new();
    let Some(map) = iocs.as_object() else {
        return out;
    };
    let mut push = |kind, value: &str, note: Option<String>| {
        let ind = Indicator { kind, value: value.to_owned(), note };
        if !value.trim().is_empty() && !out.contains(&ind) {
            out.push(ind);
        }
    };
    for (key, value) in map {
        match key.as_str() {
            "ips" | "domains" | "urls" => {
                let kind = match key.as_str() {
                    "ips" => IndicatorKind::Ip,
                    "domains" => IndicatorKind::Domain,
                    _ => IndicatorKind::Url,
                };
                for v in value.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    push(kind, v, None);
                }
            }
            "files" => {
                for f in value.as_array().into_iter().flatten() {
                    let note = f.get("note").and_then(Value::as_str);
                    let source = f.get("source").and_then(Value::as_str);
                    let note = match (source, note) {
                        (Some(s), Some(n)) => Some(format!("{}: {n}", s.to_lowercase())),
                        (Some(s), None) => Some(s.to_lowercase()),
                        (None, Some(n)) => Some(n.to_owned()),
                        (None, None) => None,
                    };
                    let paths: Vec<&str> = f
                        .get("paths")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    for p in &paths {
                        push(IndicatorKind::File, p, note.clone());
                    }
                    if let Some(sha) =
                        f.get("digests").and_then(|d| d.get("sha256")).and_then(Value::as_str)
                    {
                        let note = match paths.first() {
                            Some(p) => Some(format!("of {p}")),
                            None => note.clone(),
                        };
                        push(IndicatorKind::Sha256, sha, note);
                    }
                }
            }
            other => {
                for v in value.as_array().into_iter().flatten().filter_map(Value::as_str) {
                    push(IndicatorKind::Other, &format!("{other}: {v}"), None);
                }
            }
        }
    }
    out
}
