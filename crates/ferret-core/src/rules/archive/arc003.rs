use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "ARC003",
    name: "unparseable-rust",
    family: Family::Archive,
    severity: Severity::High,
    summary: "a Rust file cannot be analysed (not valid Rust, or nested beyond the parser's bounds)",
    doc: "## What it detects\nA `.rs` file that does not lex or parse as Rust, or whose nesting or expression length exceeds the bounds ferret parses within.\n\n## Why\nA file a scanner cannot read is a place to hide a payload; deeply nested code is also how one would crash a recursive parser. Such files are evidence, never a crash. Weighs most in build scripts and proc-macros.\n\n## Example\nA `build.rs` that nests 10,000 parentheses.\n\n## Known false positives\nFiles written for a newer Rust syntax than ferret's parser knows, and intentionally broken test inputs (in tests, they weigh little).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            if let Some((why, line)) = &f.parse_error {
                let sev = if f.context.runs_at_build() {
                    Severity::High
                } else if f.context.dev_only() {
                    Severity::Info
                } else {
                    Severity::Low
                };
                out.push(Hit::new(sev, &f.path, *line, format!("{} file {why}", f.context.as_str())));
            }
        }
    }
}
