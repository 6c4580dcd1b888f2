use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "SRC002",
    name: "environment-harvest",
    family: Family::Source,
    severity: Severity::Medium,
    summary: "code enumerates the whole environment, or reads several secret-named variables",
    doc: "## What it detects\n`env::vars()`/`vars_os()` in library code, or three or more distinct secret-named variables (`*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `*PRIVATE*`, `AWS_*KEY*`, `*MNEMONIC*`) read in one file.\n\n## Why\nCI runners and developer shells carry registry tokens and cloud keys in the environment; the Telegram build scripts and sha-rust dumped it whole. Config libraries also iterate the environment, so alone this is low or medium.\n\n## Example\n```rust\nlet all: Vec<String> = std::env::vars().map(|(k, v)| format!(\"{k}={v}\")).collect();\n```\n\n## Known false positives\nConfiguration loaders (`envy`, `config`) that map variables by prefix: low.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in i.facts.files.iter().filter(|f| !f.context.runs_at_build()) {
            let secrets: std::collections::BTreeSet<&str> = f.evidence.iter().filter_map(|e| match &e.cap {
                Cap::EnvSecret { var } => Some(var.as_str()),
                _ => None,
            }).collect();
            if secrets.len() >= 3 {
                let e = f.find(|c| matches!(c, Cap::EnvSecret { .. })).map(|e| e.line).unwrap_or(0);
                let list: Vec<&str> = secrets.iter().copied().take(6).collect();
                out.push(Hit::new(in_context(Severity::Medium, f.context), &f.path, e, format!("reads {} secret-named variables: {}", secrets.len(), list.join(", "))));
            } else if let Some(e) = f.find(|c| matches!(c, Cap::EnvEnumerate)) {
                out.push(Hit::new(in_context(Severity::Low, f.context), &f.path, e.line, "enumerates the whole environment (`env::vars()`)"));
            }
        }
    }
}
