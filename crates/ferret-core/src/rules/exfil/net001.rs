use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "NET001",
    name: "exfiltration-endpoint",
    family: Family::Network,
    severity: Severity::High,
    summary: "a hard-coded URL on a free anonymous host, a tunnel, a request-capture service or a bare public IP",
    doc: "## What it detects\nURLs and addresses on hosts attackers favour because they cost nothing and name no one: `*.workers.dev`, `*.pages.dev`, `*.vercel.app`, `*.netlify.app`, ngrok and Cloudflare tunnels, webhook.site and request bins, out-of-band testing hosts, paste sites, dynamic DNS, and bare public IP addresses. Medium in library code; high in build-time code.\n\n## Why\nfaster_log posted keys to a workers.dev host, logs-update to a vercel.app host, proc-macro1 fetched from a bare IP. Real libraries talk to their vendor's domain.\n\n## Example\n```rust\nconst C2: &str = \"https://mainnet.solana-rpc-pool.workers.dev/\";\n```\n\n## Known false positives\nDemo and documentation URLs on these hosts in library code (medium only; in tests they weigh nothing).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            if let Some(e) = f.find(|c| matches!(c, Cap::ExfilHost { .. })) {
                let Cap::ExfilHost { host, why } = &e.cap else { continue };
                if host == "api.telegram.org" {
                    continue; // EXF002 reports chat endpoints
                }
                let base = if f.context.runs_at_build() { Severity::High } else { Severity::Medium };
                out.push(Hit::new(in_context(base, f.context), &f.path, e.line, format!("hard-coded address `{host}`: {why}")));
            }
        }
    }
}
