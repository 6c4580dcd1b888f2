//! `ferret.toml`: the project's audit configuration.
//!
//! ```toml
//! fail-on = "suspicious"          # malicious (default), suspicious or never
//!
//! [severity]                      # per rule code: critical, high, medium, low, info
//! OBF002 = "low"
//!
//! [[ignore]]
//! crate = "openssl-src"           # required
//! version = "300.5.0"             # optional: an exact version or a requirement (">=300, <301")
//! rule = "ARC002"                 # optional: code or name; without it every finding of the crate
//! reason = "vendored C sources"   # required
//! expires = 2026-12-31            # optional: after this date the ignore stops applying
//! ```
//!
//! Unknown keys are errors that name the key and the line.

use ferret_core::{Finding, Severity, Verdict};
use jiff::civil::Date;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// The file name looked for at the workspace root.
pub const CONFIG_FILE: &str = "ferret.toml";

/// A configuration error, naming the file and the line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid, or has an unknown key or a bad value.
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line of the offending key or value (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// When `audit` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// Any malicious verdict.
    Malicious,
    /// Any suspicious or malicious verdict.
    Suspicious,
    /// Never.
    Never,
}

impl FailOn {
    /// The lowest verdict that fails, `None` for never.
    pub fn threshold(self) -> Option<Verdict> {
        match self {
            FailOn::Malicious => Some(Verdict::Malicious),
            FailOn::Suspicious => Some(Verdict::Suspicious),
            FailOn::Never => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    fail_on: Option<toml::Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, toml::Spanned<String>>,
    #[serde(default)]
    ignore: Vec<toml::Spanned<RawIgnore>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    #[serde(rename = "crate")]
    krate: String,
    version: Option<String>,
    rule: Option<String>,
    reason: Option<String>,
    expires: Option<toml::Spanned<DateValue>>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DateValue {
    Toml(toml::value::Datetime),
    Text(String),
}

/// Which versions an ignore applies to.
#[derive(Debug, Clone, PartialEq)]
pub enum VersionMatch {
    /// Every version.
    Any,
    /// Exactly this version.
    Exact(semver::Version),
    /// Versions matching this requirement.
    Req(semver::VersionReq),
}

impl VersionMatch {
    /// Whether `version` (text from a lockfile) is covered.
    pub fn matches(&self, version: &str) -> bool {
        match self {
            VersionMatch::Any => true,
            VersionMatch::Exact(v) => semver::Version::parse(version).is_ok_and(|x| &x == v),
            VersionMatch::Req(r) => semver::Version::parse(version).is_ok_and(|x| r.matches(&x)),
        }
    }
}

/// One `[[ignore]]` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Ignore {
    /// The crate name (compared as crates.io does: case-insensitive, `-` = `_`).
    pub krate: String,
    /// Versions covered.
    pub version: VersionMatch,
    /// The rule code it silences (`None`: every finding of the crate).
    pub rule: Option<String>,
    /// Why (required).
    pub reason: String,
    /// The last day it applies.
    pub expires: Option<Date>,
    /// Line in the file, for messages.
    pub line: usize,
}

impl Ignore {
    /// Whether this ignore covers `finding` of `name` `version` (expiry not considered).
    pub fn covers(&self, name: &str, version: &str, finding: &Finding) -> bool {
        ferret_advisory::names_equal(&self.krate, name)
            && self.version.matches(version)
            && self.rule.as_deref().is_none_or(|r| r.eq_ignore_ascii_case(&finding.code))
    }

    /// Whether the ignore has expired on `today` (it applies through its `expires` day).
    pub fn expired(&self, today: Date) -> bool {
        self.expires.is_some_and(|d| today > d)
    }
}

/// The parsed configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// Where it was read from (`None`: defaults).
    pub path: Option<PathBuf>,
    /// `fail-on`, when set.
    pub fail_on: Option<FailOn>,
    /// Severity overrides per rule code (upper-case codes).
    pub severity: HashMap<String, Severity>,
    /// Ignores, in file order.
    pub ignores: Vec<Ignore>,
}

/// Rule codes that `ferret.toml` may name: the engine's rules and the update-review rules.
pub fn known_rule_code(code_or_name: &str) -> Option<String> {
    if let Some(info) = ferret_core::rules::find(code_or_name) {
        return Some(info.code.to_string());
    }
    crate::diff::UPDATE_RULES
        .iter()
        .find(|r| r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name))
        .map(|r| r.code.to_string())
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

impl Config {
    /// Reads `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io { path: path.to_path_buf(), source })?;
        Config::parse(&text, path)
    }

    /// `ferret.toml` in `dir` when it exists, else the defaults.
    pub fn discover(dir: &Path) -> Result<Config, ConfigError> {
        let p = dir.join(CONFIG_FILE);
        if p.is_file() { Config::load(&p) } else { Ok(Config::default()) }
    }

    /// Parses configuration text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |line: usize, message: String| ConfigError::Invalid { path: path.to_path_buf(), line, message };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start)).unwrap_or(0);
            invalid(line, e.message().trim().to_string())
        })?;
        let mut cfg = Config { path: Some(path.to_path_buf()), ..Config::default() };
        if let Some(f) = raw.fail_on {
            let line = line_of(text, f.span().start);
            cfg.fail_on = Some(match f.get_ref().to_ascii_lowercase().as_str() {
                "malicious" => FailOn::Malicious,
                "suspicious" => FailOn::Suspicious,
                "never" => FailOn::Never,
                other => return Err(invalid(line, format!("fail-on: unknown value `{other}` (expected malicious, suspicious or never)"))),
            });
        }
        for (code, sev) in raw.severity {
            let line = line_of(text, sev.span().start);
            let Some(known) = known_rule_code(&code) else {
                return Err(invalid(line, format!("[severity]: unknown rule `{code}` (`cargo ferret rules` lists them)")));
            };
            let s: Severity = sev.get_ref().parse().map_err(|e: String| invalid(line, format!("[severity] {code}: {e}")))?;
            cfg.severity.insert(known, s);
        }
        for entry in raw.ignore {
            let line = line_of(text, entry.span().start);
            let raw = entry.into_inner();
            let reason = raw.reason.unwrap_or_default();
            if reason.trim().is_empty() {
                return Err(invalid(line, format!("[[ignore]] of `{}`: `reason` is required", raw.krate)));
            }
            if raw.krate.trim().is_empty() {
                return Err(invalid(line, "[[ignore]]: `crate` must not be empty".to_string()));
            }
            let version = match raw.version.as_deref().map(str::trim) {
                None | Some("*") => VersionMatch::Any,
                Some(v) => match semver::Version::parse(v) {
                    Ok(x) => VersionMatch::Exact(x),
                    Err(_) => VersionMatch::Req(
                        semver::VersionReq::parse(v).map_err(|e| invalid(line, format!("[[ignore]] of `{}`: version `{v}`: {e}", raw.krate)))?,
                    ),
                },
            };
            let rule = match raw.rule {
                None => None,
                Some(r) => Some(known_rule_code(&r).ok_or_else(|| invalid(line, format!("[[ignore]] of `{}`: unknown rule `{r}`", raw.krate)))?),
            };
            let expires = match raw.expires {
                None => None,
                Some(d) => {
                    let dline = line_of(text, d.span().start);
                    Some(match d.into_inner() {
                        DateValue::Toml(dt) => match (dt.date, dt.time) {
                            (Some(date), None) => Date::new(date.year as i16, date.month as i8, date.day as i8)
                                .map_err(|e| invalid(dline, format!("expires: {e}")))?,
                            _ => return Err(invalid(dline, "expires: expected a date like 2026-12-31".into())),
                        },
                        DateValue::Text(s) => s.trim().parse::<Date>().map_err(|e| invalid(dline, format!("expires: `{s}` is not a date like 2026-12-31: {e}")))?,
                    })
                }
            };
            cfg.ignores.push(Ignore { krate: raw.krate, version, rule, reason, expires, line });
        }
        Ok(cfg)
    }
}

/// What applying the ignores did to one report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IgnoreOutcome {
    /// Findings removed: (rule code, ignore reason).
    pub ignored: Vec<(String, String)>,
    /// Expired ignores that would have matched: (rule code, expiry date, reason).
    pub expired: Vec<(String, String, String)>,
}

/// Removes findings covered by an unexpired ignore; notes the expired ones that matched.
pub fn apply_ignores(ignores: &[Ignore], name: &str, version: &str, findings: &mut Vec<Finding>, today: Date) -> IgnoreOutcome {
    let mut out = IgnoreOutcome::default();
    findings.retain(|f| {
        let mut keep = true;
        for ig in ignores.iter().filter(|ig| ig.covers(name, version, f)) {
            if ig.expired(today) {
                let d = ig.expires.map(|d| d.to_string()).unwrap_or_default();
                let e = (f.code.clone(), d, ig.reason.clone());
                if !out.expired.contains(&e) {
                    out.expired.push(e);
                }
            } else {
                keep = false;
                let e = (f.code.clone(), ig.reason.clone());
                if !out.ignored.contains(&e) {
                    out.ignored.push(e);
                }
            }
        }
        keep
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<Config, ConfigError> {
        Config::parse(t, Path::new("ferret.toml"))
    }

    #[test]
    fn full_config() {
        let c = parse("fail-on = \"suspicious\"\n[severity]\nOBF002 = \"low\"\n[[ignore]]\ncrate = \"a\"\nversion = \"1.0.0\"\nrule = \"xor-decoded-data\"\nreason = \"r\"\nexpires = 2026-12-31\n[[ignore]]\ncrate = \"b\"\nreason = \"x\"\nexpires = \"2020-01-01\"\n").unwrap();
        assert_eq!(c.fail_on, Some(FailOn::Suspicious));
        assert_eq!(c.severity.get("OBF002"), Some(&Severity::Low));
        assert_eq!(c.ignores.len(), 2);
        assert_eq!(c.ignores[0].rule.as_deref(), Some(ferret_core::rules::find("xor-decoded-data").map(|i| i.code).unwrap_or("?")));
        assert_eq!(c.ignores[0].expires, Some(Date::new(2026, 12, 31).unwrap()));
        assert_eq!(c.ignores[0].line, 4);
        assert!(c.ignores[1].expired(Date::new(2020, 1, 2).unwrap()));
        assert!(!c.ignores[1].expired(Date::new(2020, 1, 1).unwrap()));
    }

    #[test]
    fn unknown_keys_name_key_and_line() {
        let e = parse("fail-on = \"malicious\"\n\n[[ignore]]\ncrate = \"a\"\nreason = \"r\"\nexpire = 2026-01-01\n").unwrap_err().to_string();
        assert!(e.contains("ferret.toml:6") && e.contains("expire"), "{e}");
        let e = parse("failon = 1\n").unwrap_err().to_string();
        assert!(e.contains(":1:") && e.contains("failon"), "{e}");
    }

    #[test]
    fn bad_values() {
        assert!(parse("[[ignore]]\ncrate = \"a\"\n").unwrap_err().to_string().contains("reason"));
        assert!(parse("[severity]\nNOPE001 = \"low\"\n").unwrap_err().to_string().contains(":2:"));
        assert!(parse("[severity]\nOBF002 = \"loud\"\n").unwrap_err().to_string().contains("loud"));
        assert!(parse("fail-on = \"often\"\n").is_err());
        assert!(parse("[[ignore]]\ncrate = \"a\"\nreason = \"r\"\nexpires = 2026-13-01\n").is_err());
        assert!(parse("[[ignore]]\ncrate = \"a\"\nreason = \"r\"\nversion = \"not a version\"\n").is_err());
    }
}
