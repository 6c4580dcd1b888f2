use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "BLD003",
    name: "build-time-sensitive-access",
    family: Family::Build,
    severity: Severity::High,
    summary: "a build script or proc-macro touches secrets, host identity or persistence locations",
    doc: "## What it detects\nBuild-time code that names a secret-bearing file (SSH keys, cargo credentials, wallets, `.env`), reads a secret-named environment variable, enumerates the environment, collects the user or host name, names a persistence location, or carries a key-hunting regex.\n\n## Why\nA build script needs the `CARGO_*`, `TARGET` and `OUT_DIR` variables and the crate's own files; it has no business with `~/.ssh` or `AWS_SECRET_ACCESS_KEY`. Dependency-confusion beacons (mysten-metrics, lsh 99.0.1) collect user and host names at build time.\n\n## Example\n```rust\n// build.rs\nlet user = std::env::var(\"USER\").unwrap_or_default();\nlet key = std::fs::read_to_string(home.join(\".ssh/id_rsa\"));\n```\n\n## Known false positives\nBuild scripts that iterate `env::vars()` to collect `CARGO_FEATURE_*` flags (medium only).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in i.facts.files.iter().filter(|f| f.context.runs_at_build()) {
            let mut seen = std::collections::HashSet::new();
            for e in &f.evidence {
                let (sev, what) = match &e.cap {
                    Cap::SecretPath { what, .. } => (Severity::High, format!("names {what}")),
                    Cap::EnvSecret { var } => (Severity::High, format!("reads the secret environment variable `{var}`")),
                    Cap::PersistencePath { what, .. } => (Severity::High, format!("names {what}")),
                    Cap::KeyPattern { what, .. } => (Severity::High, format!("carries a regex hunting {what}")),
                    Cap::EnvEnumerate => (Severity::Medium, "enumerates the whole environment".to_string()),
                    Cap::Fingerprint { api } => (Severity::Medium, format!("collects host identity ({api})")),
                    _ => continue,
                };
                if seen.insert(what.clone()) {
                    out.push(Hit::new(sev, &f.path, e.line, format!("{} {what}", f.context.as_str())));
                }
            }
        }
    }
}
