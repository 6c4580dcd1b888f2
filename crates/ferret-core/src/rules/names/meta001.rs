use crate::rules::{Family, Hit, Input, RuleInfo};
use crate::report::Severity;

pub static INFO: RuleInfo = RuleInfo {
    code: "META001",
    name: "identity-spoofing",
    family: Family::Identity,
    severity: Severity::High,
    summary: "the crate's metadata claims another crate's identity, or looks like dependency confusion",
    doc: "## What it detects\nMetadata that borrows a popular crate's identity or probes for an internal name: the `repository` URL of a popular crate under another name, a description or README copied from a popular crate, a first release that copies the target's version numbering (a brand-new crate starting at 1.23.1), a first release at 9.x, 99.x or higher (dependency confusion), and a crate new to the registry when that is known.\n\n## Why\nfaster_log copied fast_log's README and repository; proc-macro1 and rustdecimal copied their targets' metadata; lsh 99.0.1 and mysten-metrics probed for internal names with huge versions so that resolvers prefer them.\n\n## Example\n`repository = \"https://github.com/rbatis/fast_log\"` in a crate named `faster_log`.\n\n## Known false positives\nCrates from a monorepo that share its repository URL (ignored when the names share a family prefix), and forks that keep the parent's URL.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        let text = i.facts.archive.text("Cargo.toml");
        for (kind, sev, message) in &i.names.metadata {
            let key = match kind.as_str() {
                k if k.contains("repository") => "repository",
                k if k.contains("description") => "description",
                k if k.contains("version") => "version",
                _ => "name",
            };
            let line = text.as_ref().and_then(|t| t.lines().position(|l| l.trim_start().starts_with(key)).map(|p| p as u32 + 1)).unwrap_or(0);
            let _: Severity = *sev;
            out.push(Hit::new(*sev, "Cargo.toml", line, format!("{message} [{kind}]")));
        }
    }
}
