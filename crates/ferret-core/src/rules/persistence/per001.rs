use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "PER001",
    name: "persistence-write",
    family: Family::Persistence,
    severity: Severity::Critical,
    summary: "code writes to a persistence location: authorized_keys, shell startup files, cron, systemd, launchd, Run keys",
    doc: "## What it detects\nA file that names a persistence location and writes files or runs `crontab`/`schtasks`/`reg`: `~/.ssh/authorized_keys` (critical: it opens remote login), and shell startup files, cron, systemd and launchd units, XDG autostart, the Windows Startup folder and Run keys (high).\n\n## Why\nlogs-update appended the attacker's key to `authorized_keys`; microsoftsystem64 installed itself via cron and systemd. Libraries never need to.\n\n## Example\n```rust\nOpenOptions::new().append(true).open(home.join(\".ssh/authorized_keys\"))?.write_all(KEY)?;\n```\n\n## Known false positives\nService installers and shell-completion installers that write a unit or an rc line on the user's explicit request (high, for review; add an ignore with a reason).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            let writes = f.has(|c| matches!(c, Cap::FsWrite | Cap::Process { .. }));
            if !writes {
                continue;
            }
            for e in &f.evidence {
                let Cap::PersistencePath { what, path } = &e.cap else { continue };
                let sev = if path.contains("authorized_keys") { Severity::Critical } else { Severity::High };
                out.push(Hit::new(in_context(sev, f.context), &f.path, e.line, format!("writes to {what} ({path:?})")));
                break;
            }
        }
    }
}
