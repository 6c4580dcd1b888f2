use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "SRC001",
    name: "secret-file-access",
    family: Family::Source,
    severity: Severity::Low,
    summary: "code reads a secret-bearing file: SSH keys, cloud or registry credentials, wallets, .env",
    doc: "## What it detects\nA file that names a secret-bearing path (`~/.ssh/id_*`, `~/.cargo/credentials.toml`, `~/.aws/credentials`, `.kube/config`, `.docker/config.json`, `.git-credentials`, `.npmrc`, `~/.config/solana/id.json`, keystores, wallet files, browser password stores, `.env`) and reads files.\n\n## Why\nThese are the sources of every theft in the attack table. On its own reading one is a capability many honest tools have (an SSH client loads keys, a cargo plugin reads the registry token, a wallet reads its keypair), so this rule is low; EXF001 decides when the data leaves.\n\n## Example\n```rust\nlet id = fs::read_to_string(home.join(\".config/solana/id.json\"))?;\n```\n\n## Known false positives\nSSH clients, cargo plugins, wallet libraries: expected, low.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in i.facts.files.iter().filter(|f| !f.context.runs_at_build()) {
            if !f.has(|c| matches!(c, Cap::FsRead | Cap::FsWalk)) {
                continue;
            }
            if let Some(e) = f.find(|c| matches!(c, Cap::SecretPath { .. })) {
                let Cap::SecretPath { what, path } = &e.cap else { continue };
                out.push(Hit::new(in_context(Severity::Low, f.context), &f.path, e.line, format!("reads {what} ({path:?})")));
            }
        }
    }
}
