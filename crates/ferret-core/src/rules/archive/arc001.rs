use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};
use ferret_archive::Problem;

pub static INFO: RuleInfo = RuleInfo {
    code: "ARC001",
    name: "archive-tampering",
    family: Family::Archive,
    severity: Severity::High,
    summary: "the .crate archive holds entries cargo never writes: `..` paths, absolute paths, links, devices",
    doc: "## What it detects\nEntries in a `.crate` archive that `cargo package` never produces: paths with `..` components, absolute paths, symbolic or hard links, devices and FIFOs, entries outside the `name-version/` root, duplicates.\n\n## Why\nThey exist to attack whoever unpacks the crate (write outside the target directory, overwrite a file through a link) or to show one file to a scanner and another to cargo. ferret refuses them and reports them.\n\n## Example\nA tar entry named `serde-1.0.0/../../.bashrc`.\n\n## Known false positives\nNone for crates published with cargo; hand-made archives may carry duplicates.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for p in &i.facts.archive.problems {
            let tampering = matches!(
                p,
                Problem::PathTraversal { .. } | Problem::AbsolutePath { .. } | Problem::Link { .. } | Problem::Device { .. } | Problem::OutsideRoot { .. } | Problem::Duplicate { .. } | Problem::UnsupportedEntry { .. }
            );
            if tampering {
                out.push(Hit::new(Severity::High, p.path().unwrap_or(""), 0, format!("archive entry refused: {p}")));
            }
        }
    }
}
