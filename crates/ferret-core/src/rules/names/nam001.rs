use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "NAM001",
    name: "typosquat-name",
    family: Family::Identity,
    severity: Severity::High,
    summary: "the crate's name imitates a popular crate's",
    doc: "## What it detects\nA crate name one plausible slip away from a popular crate (top 3,000 by downloads by default): omitted, repeated, swapped or bit-flipped characters, keyboard neighbours, swapped words, `-`/`_` changes, added affixes (`-rs`, `-rust`, `-rst`, `-sdk(s)`, `-client(s)`, `-util(s)`, `-main`, `-lib`, `-cli`, `-core`, `-sys`, `-api`, `cargo-`), plural/singular, a bumped digit (`proc-macro1`), look-alike ASCII (0/o, 1/l/i, rn/m, vv/w). A name equal to the popular crate once case and `-`/`_` are folded *is* that crate, and a candidate comparably popular to its target is not a squat.\n\n## Why\nrustdecimal, postgress, lazystatic, serd, bit-flags, faster_log, finch-rst, polymarket-client-sdks and proc-macro1 all borrowed a popular crate's name. Alone it is at most suspicious; with any risky capability it decides `malicious` (COR001).\n\n## Example\n`rustdecimal` imitates `rust_decimal` (omitted separator).\n\n## Known false positives\nLegitimate small crates with similar names (extensions, forks). They stay at most suspicious unless they also do something risky.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        if let Some((target, technique, downloads)) = i.names.squat_of.first() {
            let line = i.facts.archive.text("Cargo.toml").and_then(|t| t.lines().position(|l| l.trim_start().starts_with("name")).map(|p| p as u32 + 1)).unwrap_or(0);
            let others = if i.names.squat_of.len() > 1 { format!(" (and {} more)", i.names.squat_of.len() - 1) } else { String::new() };
            out.push(Hit::new(
                Severity::High,
                "Cargo.toml",
                line,
                format!("name `{}` imitates `{target}` ({technique}; {downloads} downloads){others}", i.facts.name),
            ));
        }
    }
}
