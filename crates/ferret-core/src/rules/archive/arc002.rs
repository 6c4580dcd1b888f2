use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};
use ferret_archive::Problem;

pub static INFO: RuleInfo = RuleInfo {
    code: "ARC002",
    name: "archive-limits",
    family: Family::Archive,
    severity: Severity::Medium,
    summary: "the archive broke a size, count or depth limit, or is damaged: parts were not read",
    doc: "## What it detects\nA crate that exceeds ferret's reading limits (total unpacked size, per-file size, file count, path depth, compression ratio) or whose gzip/tar stream is damaged.\n\n## Why\nGzip bombs and huge generated files are how an attacker would make a scanner give up or run out of memory; ferret stops reading instead and says so, because what it did not read it cannot vouch for.\n\n## Example\nA 40 KiB `.crate` that inflates to 4 GiB of zeros.\n\n## Known false positives\nVery large real crates (data tables, vendored C sources) may exceed the per-file limit: the finding then only says a file was truncated (low severity).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for p in &i.facts.archive.problems {
            let sev = match p {
                Problem::FileTooLarge { path, .. } if path.ends_with(".rs") => Severity::Medium,
                Problem::FileTooLarge { .. } | Problem::PathTooLong { .. } | Problem::InvalidUtf8Path { .. } | Problem::TrailingData { .. } => Severity::Low,
                Problem::TooDeep { .. } | Problem::Unreadable { .. } => Severity::Medium,
                p if p.stopped_reading() => Severity::Medium,
                _ => continue,
            };
            out.push(Hit::new(sev, p.path().unwrap_or(""), 0, format!("{p}")));
        }
    }
}
