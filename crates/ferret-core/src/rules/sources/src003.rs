use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "SRC003",
    name: "key-hunting",
    family: Family::Source,
    severity: Severity::High,
    summary: "a regex for private keys or wallet addresses, used to scan files",
    doc: "## What it detects\nRegular expressions written to find key material: 64 hex digits (`0x[0-9a-fA-F]{64}`, Ethereum/secp256k1 private keys), base58 runs (`[1-9A-HJ-NP-Za-km-z]{32,44}`, Solana keys and addresses), 64-number byte arrays (raw keypairs), PEM private-key headers. High when the same crate walks or reads files; medium otherwise.\n\n## Why\nfaster_log and async_println scanned every `.rs` file of the project that used them for exactly these patterns and posted the hits.\n\n## Example\n```rust\nlet re = Regex::new(r\"0x[0-9a-fA-F]{64}\")?;\nfor e in WalkDir::new(\".\") { .. re.find_iter(&text) .. }\n```\n\n## Known false positives\nWallet and chain libraries that validate an address format with such a regex and do not walk files (medium).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        let walks = i.facts.evidence(|c| !c.dev_only()).any(|(_, e)| matches!(e.cap, Cap::FsWalk));
        for f in &i.facts.files {
            if let Some(e) = f.find(|c| matches!(c, Cap::KeyPattern { .. })) {
                let Cap::KeyPattern { what, pattern } = &e.cap else { continue };
                let sev = if walks { Severity::High } else { Severity::Medium };
                let extra = if walks { " and the crate walks the file system" } else { "" };
                let p: String = pattern.chars().take(80).collect();
                out.push(Hit::new(in_context(sev, f.context), &f.path, e.line, format!("regex {p:?} hunts {what}{extra}")));
            }
        }
    }
}
