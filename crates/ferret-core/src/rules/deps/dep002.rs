use super::dep001::manifest_line;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "DEP002",
    name: "look-alike-dependency",
    family: Family::Dependency,
    severity: Severity::High,
    summary: "the crate depends on a crate whose name imitates a popular crate",
    doc: "## What it detects\nA dependency whose name is a typosquat of a popular crate (the same checks as NAM001: a bumped digit, an added suffix, a swapped letter), when the depending crate is not itself that look-alike's author family.\n\n## Why\nThe account takeover of arrayref 0.3.10 added exactly one thing: a dependency on `proc-macro1`, a look-alike of `proc-macro2`. A reviewer skims a manifest; a one-character difference passes.\n\n## Example\n```toml\n[dependencies]\nproc-macro1 = \"1.0\"\n```\n\n## Known false positives\nSmall real crates whose names sit close to popular ones (`serde_json5`): the name checks rank by popularity and skip candidates that are themselves popular.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for (dep, target, technique) in &i.names.squat_deps {
            let line = i.facts.archive.text("Cargo.toml").and_then(|t| manifest_line(&t, dep)).unwrap_or(0);
            out.push(Hit::new(Severity::High, "Cargo.toml", line, format!("depends on `{dep}`, which looks like `{target}` ({technique})")));
        }
    }
}
