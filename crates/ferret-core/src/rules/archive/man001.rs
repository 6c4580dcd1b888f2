use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "MAN001",
    name: "unreadable-manifest",
    family: Family::Manifest,
    severity: Severity::High,
    summary: "the crate has no readable Cargo.toml",
    doc: "## What it detects\nA crate whose `Cargo.toml` is missing or is not valid TOML.\n\n## Why\ncargo itself writes a normalised manifest into every `.crate`; a missing or broken one means the archive was not made by cargo, or was tampered with, and ferret cannot tell which files are build scripts.\n\n## Example\nA `.crate` holding only `src/lib.rs`.\n\n## Known false positives\nNone for published crates.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        if let Some(e) = &i.facts.manifest_error {
            out.push(Hit::new(Severity::High, "Cargo.toml", 0, e.clone()));
        }
    }
}
