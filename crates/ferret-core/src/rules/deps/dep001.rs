use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "DEP001",
    name: "known-malicious-dependency",
    family: Family::Dependency,
    severity: Severity::Critical,
    summary: "the crate depends on a crate that an advisory names as malware",
    doc: "## What it detects\nA dependency (normal, build or dev) whose name is listed as malicious in the advisory data (RustSec `categories = [\"malicious\"]` or an OSV `MAL-` record) for every version.\n\n## Why\nLaundering: a clean front crate pulls in the payload crate so the front crate's own code looks harmless (finch-rust -> sha-rust, arrayref 0.3.10 -> proc-macro1).\n\n## Example\n```toml\n[dependencies]\nproc-macro1 = \"1\"\n```\n\n## Known false positives\nA new, unrelated crate that reuses a deleted malicious crate's name after crates.io freed it (rare: crates.io keeps such names reserved).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for (dep, advisory) in &i.names.malicious_deps {
            let line = i.facts.archive.text("Cargo.toml").and_then(|t| manifest_line(&t, dep)).unwrap_or(0);
            out.push(Hit::new(Severity::Critical, "Cargo.toml", line, format!("depends on `{dep}`, known malware ({advisory})")));
        }
    }
}

/// The line of `Cargo.toml` that declares `dep`.
pub fn manifest_line(text: &str, dep: &str) -> Option<u32> {
    let alt = dep.replace('-', "_");
    let alt2 = dep.replace('_', "-");
    text.lines().position(|l| {
        let t = l.trim_start();
        [dep, alt.as_str(), alt2.as_str()].iter().any(|d| {
            t.strip_prefix(d).is_some_and(|r| r.trim_start().starts_with('=') || r.starts_with(']'))
                || t.contains(&format!("package = \"{d}\""))
                || t.starts_with(&format!("[dependencies.{d}]"))
        })
    }).map(|p| p as u32 + 1)
}
