use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "ADV001",
    name: "known-malware",
    family: Family::Dependency,
    severity: Severity::Critical,
    summary: "an advisory names this crate version as malware",
    doc: "## What it detects\nA crate name and version that a RustSec advisory (`categories = [\"malicious\"]`, or one of the takedowns that say so in their title) or an OSV `MAL-` record names as malicious. A malicious advisory with no patched versions matches every version, including versions the registry deleted.\n\n## Why\nOnce a crate is confirmed as malware, nobody should have to re-derive that from its code; the registry usually deletes it, so the advisory is the only trace left.\n\n## Example\n`rustdecimal` 1.23.1, RUSTSEC-2022-0042.\n\n## Known false positives\nNone: the advisory data decides. Update it with `cargo ferret advisories update`.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for (id, title) in &i.names.advisories {
            out.push(Hit::new(Severity::Critical, "", 0, format!("{id}: {title}")));
        }
    }
}
