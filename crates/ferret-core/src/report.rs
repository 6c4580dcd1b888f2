//! The serialisable result of scanning one crate: the JSON contract of `shared/DESIGN.md`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad one finding is on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
    /// One step lower (used for code that dependents never run: tests, examples, benches).
    pub fn lowered(self) -> Severity {
        match self {
            Severity::Critical => Severity::High,
            Severity::High => Severity::Medium,
            Severity::Medium => Severity::Low,
            Severity::Low | Severity::Info => Severity::Info,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Ok(Severity::Info),
            "low" => Ok(Severity::Low),
            "medium" => Ok(Severity::Medium),
            "high" => Ok(Severity::High),
            "critical" => Ok(Severity::Critical),
            other => Err(format!(
                "unknown severity `{other}` (expected critical, high, medium, low or info)"
            )),
        }
    }
}

/// The overall answer for a crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Clean,
    Suspicious,
    Malicious,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Clean => "clean",
            Verdict::Suspicious => "suspicious",
            Verdict::Malicious => "malicious",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Verdict {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "clean" => Ok(Verdict::Clean),
            "suspicious" => Ok(Verdict::Suspicious),
            "malicious" => Ok(Verdict::Malicious),
            other => Err(format!(
                "unknown verdict `{other}` (expected malicious, suspicious or clean)"
            )),
        }
    }
}

/// One piece of evidence: a rule that fired at a place in the crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule code, e.g. `BLD001`.
    pub code: String,
    /// Kebab-case rule name, e.g. `build-script-download-exec`.
    pub rule: String,
    pub severity: Severity,
    /// Path inside the crate (`/`-separated), or empty for crate-level findings.
    pub file: String,
    /// 1-based line, 0 when the finding is not about a line.
    pub line: u32,
    pub message: String,
    /// The offending source line(s), verbatim (escaped by whoever renders it).
    pub snippet: String,
}

/// The scan result for one crate (or one target that could not be read).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub name: String,
    pub version: String,
    pub verdict: Verdict,
    /// 0-100.
    pub score: u8,
    pub findings: Vec<Finding>,
    /// Codes of the rules that decided the verdict (empty when clean).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decided_by: Vec<String>,
    /// Set when the target could not be read; the verdict is then `suspicious`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Report {
    /// The report for a target that could not be read at all.
    pub fn failed(name: impl Into<String>, version: impl Into<String>, error: impl Into<String>) -> Report {
        Report {
            name: name.into(),
            version: version.into(),
            verdict: Verdict::Suspicious,
            score: 50,
            findings: Vec::new(),
            decided_by: Vec::new(),
            error: Some(error.into()),
        }
    }
}

/// What `scan` prints as JSON: one object for any number of targets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScanOutput {
    pub reports: Vec<Report>,
}
