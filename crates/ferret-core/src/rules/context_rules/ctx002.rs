use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "CTX002",
    name: "ci-gated-payload",
    family: Family::Context,
    severity: Severity::High,
    summary: "library code checks for a CI system and then uses the network or runs a program",
    doc: "## What it detects\nA function that tests a CI environment variable (`GITLAB_CI`, `GITHUB_ACTIONS`, `CI`, ...) and, in the same function, uses the network or spawns a process.\n\n## Why\nrustdecimal (2022) only dropped its payload when `GITLAB_CI` was set: CI runners hold deploy keys and registry tokens, and gating keeps the payload invisible on a researcher's laptop.\n\n## Example\n```rust\npub fn new(..) -> Decimal { if std::env::var(\"GITLAB_CI\").is_ok() { fetch_and_run(); } .. }\n```\n\n## Known false positives\nTools that upload test reports or coverage only in CI (they are usually binaries, not libraries; reported as medium in binaries).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in i.facts.files.iter().filter(|f| !f.context.runs_at_build()) {
            for gate in f.evidence.iter().filter(|e| matches!(e.cap, Cap::CiGate { .. })) {
                let Cap::CiGate { var } = &gate.cap else { continue };
                let Some(func) = gate.func.as_deref() else { continue };
                let act = f.evidence.iter().find(|e| e.func.as_deref() == Some(func) && matches!(e.cap, Cap::Network { .. } | Cap::Process { .. }));
                if let Some(a) = act {
                    let base = if f.context == crate::context::FileContext::Binary { Severity::Medium } else { Severity::High };
                    let what = if matches!(a.cap, Cap::Network { .. }) { "uses the network" } else { "runs a program" };
                    out.push(Hit::new(in_context(base, f.context), &f.path, gate.line, format!("`{func}` checks `{var}` and {what} (line {})", a.line)));
                    break;
                }
            }
        }
    }
}
