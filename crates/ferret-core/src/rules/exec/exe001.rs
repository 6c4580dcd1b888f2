use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::build::is_download;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "EXE001",
    name: "download-and-execute",
    family: Family::Execution,
    severity: Severity::Critical,
    summary: "library or binary code downloads a file, makes it executable and runs it",
    doc: "## What it detects\nIn one source file outside build scripts: a download (HTTP client, socket, `curl`/`wget`), a file made executable (mode 0o7xx, `chmod +x`) or a download-and-run command line, and a process spawned.\n\n## Why\nrustdecimal's `Decimal::new` fetched a binary into `/tmp`, marked it executable and ran it. A library has no reason to install and run programs behind its API.\n\n## Example\n```rust\nlet b = reqwest::blocking::get(URL)?.bytes()?;\nfs::write(\"/tmp/x\", &b)?; fs::set_permissions(\"/tmp/x\", Permissions::from_mode(0o755))?;\nCommand::new(\"/tmp/x\").spawn()?;\n```\n\n## Known false positives\nSelf-updaters that download their own release, verify a checksum or signature and replace the running executable (`current_exe` plus a verification), and tool fetchers that download a browser or compiler in the open (headless_chrome's Chromium fetcher): high (suspicious), not critical. Critical needs a sign of a hidden dropper: the payload in a temp directory, a CI gate, an anonymous host, or hidden strings.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        let self_update = i.facts.text_mentions(|c| !c.runs_at_build(), &["current_exe"])
            && i.facts.text_mentions(|c| !c.runs_at_build(), &["sha256", "Sha256", "verify", "signature", "minisign", "checksum"]);
        for f in i.facts.files.iter().filter(|f| !f.context.runs_at_build()) {
            let Some(dl) = f.find(is_download) else { continue };
            let mark = f.find(|c| matches!(c, Cap::SetExecutable | Cap::ShellPayload { .. }));
            let run = f.find(|c| matches!(c, Cap::Process { .. } | Cap::DynLoad { .. }));
            if let (Some(m), Some(r)) = (mark, run) {
                // Hidden-dropper signs: a temp-dir payload, a CI gate, an anonymous host, hidden strings.
                let stealthy = f.has(|c| matches!(c, Cap::CiGate { .. } | Cap::ExfilHost { .. } | Cap::Obfuscated { .. } | Cap::XorDecode | Cap::ShellPayload { .. }))
                    || i.facts.archive.file(&f.path).is_some_and(|cf| ["/tmp/", "temp_dir", "\\Temp\\", "AppData", "/dev/shm"].iter().any(|n| memchr::memmem::find(&cf.data, n.as_bytes()).is_some()));
                let (base, note) = if self_update {
                    (Severity::High, " (looks like a self-updater that verifies what it downloads)")
                } else if !stealthy {
                    (Severity::High, " (in the open: no temp-dir payload, CI gate, anonymous host or hidden strings; a tool fetcher looks like this)")
                } else {
                    (Severity::Critical, "")
                };
                out.push(Hit::new(
                    in_context(base, f.context),
                    &f.path,
                    m.line,
                    format!("downloads (line {}), makes it executable (line {}) and runs a program (line {}){note}", dl.line, m.line, r.line),
                ));
            }
        }
    }
}
