//! Advisory drafts for a confirmed version: RustSec markdown in the advisory-db layout and an
//! OSV record (the layout of OpenSSF's malicious-packages records, with indicators).

use crate::db::VersionDetail;
use crate::indicators;
use ferret_core::report::Finding;
use serde_json::json;

fn toml_str(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Escape text for Markdown prose so crate-controlled text cannot inject links, HTML or
/// headings.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '{' | '}' | '[' | ']' | '(' | ')' | '#' | '+' | '!' | '|' | '<' | '>' | '~'
            | '&' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn fence_for(s: &str) -> String {
    let longest = s
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

fn date_of(ms: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

fn all_findings(d: &VersionDetail) -> Vec<&Finding> {
    let mut v: Vec<&Finding> = d.report.iter().flat_map(|r| r.findings.iter()).collect();
    for f in &d.diff {
        if !v.contains(&f) {
            v.push(f);
        }
    }
    v
}

fn is_squat(d: &VersionDetail) -> bool {
    all_findings(d).iter().any(|f| {
        let r = f.rule.to_ascii_lowercase();
        r.contains("squat") || r.contains("typo")
    })
}

/// The RustSec advisory draft (`crates/<name>/RUSTSEC-0000-0000.md`) for a confirmed version.
///
/// A crate whose only known version is malicious is expected to be deleted
/// (`expect-deleted = true`, `patched = []`); a malicious release of an older crate (account
/// takeover) instead marks earlier versions unaffected, like RUSTSEC-2026-0260 (arrayref).
pub fn rustsec_markdown(d: &VersionDetail) -> String {
    let name = &d.row.name;
    let version = &d.row.version;
    let at = d.triage.as_ref().map_or(0, |t| t.at);
    let date = date_of(at).format("%Y-%m-%d").to_string();
    let mut out = String::new();
    out.push_str("```toml\n[advisory]\n");
    out.push_str("id = \"RUSTSEC-0000-0000\"\n");
    out.push_str(&format!("package = {}\n", toml_str(name)));
    out.push_str(&format!("date = {}\n", toml_str(&date)));
    out.push_str(&format!("url = {}\n", toml_str(&format!("https://crates.io/crates/{name}/{version}"))));
    out.push_str("categories = [\"malicious\"]\n");
    if is_squat(d) {
        out.push_str("keywords = [\"typosquatting\"]\n");
    }
    if d.previous_version.is_none() {
        out.push_str("expect-deleted = true\n");
    }
    out.push_str("\n[versions]\n");
    if d.previous_version.is_some() {
        out.push_str(&format!("unaffected = [{}]\n", toml_str(&format!("< {version}"))));
    }
    out.push_str("patched = []\n```\n\n");
    if d.previous_version.is_some() {
        out.push_str(&format!("# `{name}` {version} was removed from crates.io for malicious code\n\n"));
    } else {
        out.push_str(&format!("# `{name}` was removed from crates.io for malicious code\n\n"));
    }
    let report = d.report.as_ref();
    out.push_str(&format!(
        "Version {version} of the `{name}` crate was found to contain malicious code.\n"
    ));
    if let Some(r) = report {
        let rules = if r.decided_by.is_empty() { String::new() } else { format!(" (rules: {})", md_escape(&r.decided_by.join(", "))) };
        out.push_str(&format!(
            "An automated scan rated it {} with a score of {}{rules}, and an analyst confirmed it.\n",
            r.verdict, r.score
        ));
    }
    if let Some(t) = d.triage.as_ref().filter(|t| !t.note.trim().is_empty()) {
        out.push_str(&format!("\n{}\n", md_escape(t.note.trim())));
    }
    let findings = all_findings(d);
    if !findings.is_empty() {
        out.push_str("\n## Evidence\n\n");
        for f in findings.iter().take(20) {
            let place = if f.file.is_empty() {
                String::new()
            } else if f.line > 0 {
                format!(" in {}:{}", md_escape(&f.file), f.line)
            } else {
                format!(" in {}", md_escape(&f.file))
            };
            out.push_str(&format!(
                "- {} {} ({}){place}: {}\n",
                md_escape(&f.code),
                md_escape(&f.rule),
                f.severity,
                md_escape(&f.message)
            ));
        }
    }
    let ind = indicators::from_findings(findings.iter().copied());
    if !ind.is_empty() {
        out.push_str("\n## Indicators of compromise\n\n");
        let list: Vec<&String> = ind.urls.iter().chain(&ind.ips).chain(&ind.domains).collect();
        let joined = list.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("\n");
        let fence = fence_for(&joined);
        out.push_str(&format!("{fence}text\n{joined}\n{fence}\n"));
    }
    out.push_str(&format!(
        "\nIf you depend on `{name}` {version}, remove it and treat the machines that built it as compromised.\n"
    ));
    out
}

/// The OSV draft for a confirmed version, with the indicators of its findings in
/// `database_specific.iocs`.
pub fn osv_json(d: &VersionDetail) -> serde_json::Value {
    let name = &d.row.name;
    let version = &d.row.version;
    let at = d.triage.as_ref().map_or(0, |t| t.at);
    let when = date_of(at).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let findings = all_findings(d);
    let ind = indicators::from_findings(findings.iter().copied());
    let mut details = format!("Version {version} of the crates.io crate {name} contains malicious code.");
    if let Some(t) = d.triage.as_ref().filter(|t| !t.note.trim().is_empty()) {
        details.push_str("\n\n");
        details.push_str(t.note.trim());
    }
    if !findings.is_empty() {
        details.push_str("\n\nEvidence:\n");
        for f in findings.iter().take(20) {
            details.push_str(&format!("- {} {} ({}) {}:{}: {}\n", f.code, f.rule, f.severity, f.file, f.line, f.message));
        }
    }
    let mut affected = json!({
        "package": {"ecosystem": "crates.io", "name": name},
        "versions": [version],
    });
    if d.previous_version.is_none() {
        affected["ranges"] = json!([{"type": "SEMVER", "events": [{"introduced": "0"}]}]);
    }
    let mut credits = vec![json!({"name": "ferret", "type": "TOOL"})];
    if let Some(t) = &d.triage {
        credits.push(json!({"name": t.who, "type": "ANALYST"}));
    }
    let report = d.report.as_ref();
    json!({
        "schema_version": "1.7.4",
        "id": "MAL-0000-0000",
        "modified": when,
        "published": when,
        "summary": format!("Malicious code in {name} (crates.io)"),
        "details": details,
        "affected": [affected],
        "references": [{"type": "PACKAGE", "url": format!("https://crates.io/crates/{name}")}],
        "credits": credits,
        "database_specific": {
            "iocs": {"urls": ind.urls, "ips": ind.ips, "domains": ind.domains},
            "ferret": {
                "verdict": report.map(|r| r.verdict.as_str()),
                "score": report.map(|r| r.score),
                "decided_by": report.map(|r| r.decided_by.clone()).unwrap_or_default(),
                "previous_version": d.previous_version,
            }
        }
    })
}
