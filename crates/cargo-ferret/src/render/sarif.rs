//! SARIF 2.1.0 output, shaped for GitHub code scanning.
//!
//! One run; `tool.driver.rules` holds one `reportingDescriptor` per rule code used, with the
//! documentation from the caller's rule registry; one result per finding with a level, a
//! message naming the crate, a location (`<name>-<version>/<file>` or under the view's
//! `artifact_root`), a region when the finding has a line, a partial fingerprint that is stable
//! across runs, and the verdict/score/severity as properties.
//!
//! A report whose target could not be read becomes a result of the pseudo-rule
//! [`UNREADABLE_CODE`] (GitHub shows results, not notifications) and also a
//! `toolExecutionNotification` of level `error` in the run's invocation.

use std::collections::BTreeMap;

use ferret_core::{Finding, Report, Severity};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::ReportView;
use super::sanitize::{sanitize_lines, sanitize_terminal};

/// `$schema` written into the log (the URL GitHub's documentation uses).
pub const SARIF_SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
/// The project's home page, `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://github.com/ferret-rs/ferret";
/// Rule id of the result made for a target that could not be read.
pub const UNREADABLE_CODE: &str = "ERR001";
/// Rule name of [`UNREADABLE_CODE`].
pub const UNREADABLE_NAME: &str = "unreadable-target";
/// Key of ferret's entry in `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "ferretFinding/v1";

/// Documentation of one rule, from the rule registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleDoc {
    /// Kebab-case rule name, e.g. `build-script-download-exec`.
    pub name: String,
    /// One sentence: what the rule detects.
    pub summary: String,
    /// The full documentation in Markdown (what, why, example, known false positives).
    pub help_markdown: String,
}

/// SARIF `level` for a severity: critical/high are errors, medium warnings, low/info notes.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub's `security-severity` score (0.1-10) for a severity; `None` for info.
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Info => None,
    }
}

/// Characters kept as-is in a URI path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes one hostile path segment; `.` and `..` are encoded so they cannot climb.
fn encode_segment(seg: &str) -> String {
    match seg {
        "." => "%2E".to_owned(),
        ".." => "%2E%2E".to_owned(),
        _ => utf8_percent_encode(seg, SEGMENT).to_string(),
    }
}

/// Percent-encodes a hostile `/`-separated path, dropping empty segments.
fn encode_path(path: &str) -> String {
    path.split('/').filter(|s| !s.is_empty()).map(encode_segment).collect::<Vec<_>>().join("/")
}

/// The URI under which the view's files live.
fn artifact_root(view: &ReportView<'_>) -> String {
    if let Some(root) = view.artifact_root {
        return root.trim_end_matches('/').to_owned();
    }
    let r = view.report;
    let dir = if r.version.is_empty() { r.name.clone() } else { format!("{}-{}", r.name, r.version) };
    let encoded = encode_segment(&dir);
    if encoded.is_empty() { "unnamed".to_owned() } else { encoded }
}

/// SARIF plain-text messages treat `[text](target)` as embedded links: escape literal brackets.
fn escape_message(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Stable fingerprint of a finding: sha256 over crate name, code, file and snippet.
fn fingerprint(name: &str, code: &str, file: &str, snippet: &str) -> String {
    let mut h = Sha256::new();
    for part in [name, code, file, snippet] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for b in h.finalize().iter() {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 0xf)] as char);
    }
    out
}

/// What the run learned about one rule code.
struct RuleUse {
    name: String,
    worst: Severity,
}

/// Properties shared by every result of a view.
fn view_properties(view: &ReportView<'_>, severity: Option<Severity>) -> Map<String, Value> {
    let r = view.report;
    let mut p = Map::new();
    p.insert("crate".into(), json!(sanitize_terminal(&r.name)));
    p.insert("version".into(), json!(sanitize_terminal(&r.version)));
    p.insert("verdict".into(), json!(r.verdict.as_str()));
    p.insert("score".into(), json!(r.score));
    if let Some(s) = severity {
        p.insert("severity".into(), json!(s.as_str()));
    }
    if let Some(kind) = view.kind {
        p.insert("kind".into(), json!(sanitize_terminal(kind)));
    }
    if !view.path.is_empty() {
        let path: Vec<String> = view.path.iter().map(|c| sanitize_terminal(c).into_owned()).collect();
        p.insert("path".into(), json!(path));
    }
    if !view.advisories.is_empty() {
        let adv: Vec<Value> = view
            .advisories
            .iter()
            .map(|a| json!({"id": sanitize_terminal(a.id), "url": a.url.map(sanitize_terminal), "source": sanitize_terminal(a.source)}))
            .collect();
        p.insert("advisories".into(), Value::Array(adv));
    }
    p
}

fn crate_label(r: &Report) -> String {
    let name = sanitize_terminal(&r.name);
    if r.version.is_empty() { name.into_owned() } else { format!("{name}@{}", sanitize_terminal(&r.version)) }
}

fn finding_result(view: &ReportView<'_>, root: &str, f: &Finding, rule_index: usize) -> Value {
    let r = view.report;
    let file = if f.file.is_empty() { "Cargo.toml" } else { f.file.as_str() };
    let encoded_file = encode_path(file);
    let uri = if encoded_file.is_empty() { root.to_owned() } else { format!("{root}/{encoded_file}") };
    let mut physical = Map::new();
    physical.insert("artifactLocation".into(), json!({ "uri": uri }));
    let snippet = sanitize_lines(&f.snippet);
    if f.line >= 1 {
        let mut region = json!({ "startLine": f.line });
        if !snippet.is_empty() {
            region["snippet"] = json!({ "text": snippet });
        }
        physical.insert("region".into(), region);
    }
    let mut props = view_properties(view, Some(f.severity));
    props.insert("rule".into(), json!(sanitize_terminal(&f.rule)));
    if f.line == 0 && !snippet.is_empty() {
        props.insert("snippet".into(), json!(snippet));
    }
    json!({
        "ruleId": f.code,
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": { "text": escape_message(&format!("{}: {}", crate_label(r), sanitize_terminal(&f.message))) },
        "locations": [{ "physicalLocation": Value::Object(physical) }],
        "partialFingerprints": { FINGERPRINT_KEY: fingerprint(&r.name, &f.code, &f.file, &f.snippet) },
        "properties": Value::Object(props),
    })
}

fn rule_descriptor(code: &str, used: &RuleUse, doc: Option<RuleDoc>) -> Value {
    let (name, summary, help) = match doc {
        Some(d) => (d.name, d.summary, d.help_markdown),
        None if code == UNREADABLE_CODE => (
            UNREADABLE_NAME.to_owned(),
            "ferret could not read this target, so it could not be scanned.".to_owned(),
            "The target could not be read (bad archive, missing file, download or checksum failure). \
             It is reported as suspicious because a crate that defeats the scanner must not pass silently."
                .to_owned(),
        ),
        None => {
            let name = sanitize_terminal(&used.name).into_owned();
            let summary = format!("ferret rule {code} ({name}).");
            let help = format!("Run `cargo ferret rule {code}` for this rule's documentation.");
            (name, summary, help)
        }
    };
    let mut props = json!({ "tags": ["security", "malicious-code"] });
    if let Some(s) = security_severity(used.worst) {
        props["security-severity"] = json!(s);
    }
    json!({
        "id": code,
        "name": name,
        "shortDescription": { "text": summary },
        "fullDescription": { "text": summary },
        "help": { "text": help, "markdown": help },
        "helpUri": format!("{INFORMATION_URI}#rules"),
        "defaultConfiguration": { "level": level(used.worst) },
        "properties": props,
    })
}

/// Builds the SARIF 2.1.0 log for `views`. `rule_doc` looks up a rule code's documentation in
/// the rule registry; codes it does not know get a generic description.
pub fn sarif(views: &[ReportView<'_>], rule_doc: &dyn Fn(&str) -> Option<RuleDoc>) -> Value {
    // Rules first, sorted by code, so that results can carry a stable `ruleIndex`.
    let mut rules: BTreeMap<&str, RuleUse> = BTreeMap::new();
    for view in views {
        let r = view.report;
        for f in &r.findings {
            let e = rules.entry(f.code.as_str()).or_insert_with(|| RuleUse { name: f.rule.clone(), worst: f.severity });
            e.worst = e.worst.max(f.severity);
        }
        if r.error.is_some() {
            rules.entry(UNREADABLE_CODE).or_insert_with(|| RuleUse { name: UNREADABLE_NAME.to_owned(), worst: Severity::Medium });
        }
    }
    let index: BTreeMap<&str, usize> = rules.keys().enumerate().map(|(i, k)| (*k, i)).collect();
    let descriptors: Vec<Value> = rules.iter().map(|(code, used)| rule_descriptor(code, used, rule_doc(code))).collect();

    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for view in views {
        let r = view.report;
        let root = artifact_root(view);
        for f in &r.findings {
            results.push(finding_result(view, &root, f, index[f.code.as_str()]));
        }
        if let Some(err) = &r.error {
            let text = escape_message(&format!("{}: could not be read: {}", crate_label(r), sanitize_terminal(err)));
            let mut props = view_properties(view, None);
            props.insert("error".into(), json!(sanitize_terminal(err)));
            results.push(json!({
                "ruleId": UNREADABLE_CODE,
                "ruleIndex": index[UNREADABLE_CODE],
                "level": "warning",
                "message": { "text": text },
                "locations": [{ "physicalLocation": { "artifactLocation": { "uri": root } } }],
                "partialFingerprints": { FINGERPRINT_KEY: fingerprint(&r.name, UNREADABLE_CODE, "", err) },
                "properties": Value::Object(props),
            }));
            notifications.push(json!({
                "level": "error",
                "message": { "text": text },
                "descriptor": { "id": UNREADABLE_CODE },
            }));
        }
    }

    let mut invocation = json!({ "executionSuccessful": true });
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    json!({
        "$schema": SARIF_SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "ferret",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": INFORMATION_URI,
                "rules": descriptors,
            }},
            "invocations": [invocation],
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    })
}

/// [`sarif`] as pretty JSON with a trailing newline.
pub fn sarif_string(views: &[ReportView<'_>], rule_doc: &dyn Fn(&str) -> Option<RuleDoc>) -> String {
    let mut s = serde_json::to_string_pretty(&sarif(views, rule_doc)).unwrap_or_else(|e| {
        // A `Value` always serialises; keep a valid document even so.
        format!("{{\"error\":{}}}", Value::String(e.to_string()))
    });
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_severity() {
        assert_eq!(level(Severity::Critical), "error");
        assert_eq!(level(Severity::High), "error");
        assert_eq!(level(Severity::Medium), "warning");
        assert_eq!(level(Severity::Low), "note");
        assert_eq!(level(Severity::Info), "note");
    }

    #[test]
    fn hostile_paths_are_encoded() {
        assert_eq!(encode_path("src/a b#?.rs"), "src/a%20b%23%3F.rs");
        assert_eq!(encode_path("../../etc/passwd"), "%2E%2E/%2E%2E/etc/passwd");
        assert_eq!(encode_path("/abs//x"), "abs/x");
        assert_eq!(encode_path("é"), "%C3%A9");
        assert_eq!(encode_segment("evil-1.0.0"), "evil-1.0.0");
    }

    #[test]
    fn brackets_are_escaped_in_messages() {
        assert_eq!(escape_message("see [here](0)"), "see \\[here\\](0)");
    }

    #[test]
    fn fingerprint_is_stable_and_separates_fields() {
        let a = fingerprint("evil", "BLD001", "build.rs", "x");
        assert_eq!(a, fingerprint("evil", "BLD001", "build.rs", "x"));
        assert_eq!(a.len(), 64);
        assert_ne!(a, fingerprint("evil", "BLD001", "build.r", "sx"));
        assert_ne!(a, fingerprint("evil2", "BLD001", "build.rs", "x"));
    }
}
