use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "TLS001",
    name: "tls-verification-disabled",
    family: Family::Tls,
    severity: Severity::High,
    summary: "certificate verification is turned off unconditionally",
    doc: "## What it detects\n`danger_accept_invalid_certs(true)` / `danger_accept_invalid_hostnames(true)` with a constant, curl's `ssl_verify_peer(false)`, OpenSSL `SslVerifyMode::NONE`, and custom rustls `ServerCertVerifier`s that return `ServerCertVerified::assertion()` without checking anything. High in build-time code, medium elsewhere.\n\n## Why\nproc-macro1's build script installed an accept-all verifier so its download worked against a self-signed C2 server. Turning verification off with a constant (not a user option) means the author expects a certificate nobody would issue.\n\n## Example\n```rust\nimpl ServerCertVerifier for NoVerify { fn verify_server_cert(..) -> Result<ServerCertVerified, Error> { Ok(ServerCertVerified::assertion()) } }\n```\n\n## Known false positives\nHTTP clients exposing an `insecure` option pass a variable, not a constant, and do not trip it; test helpers in `tests/` weigh nothing.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            if let Some(e) = f.find(|c| matches!(c, Cap::TlsDisabled { .. })) {
                let Cap::TlsDisabled { how } = &e.cap else { continue };
                let base = if f.context.runs_at_build() { Severity::High } else { Severity::Medium };
                out.push(Hit::new(in_context(base, f.context), &f.path, e.line, format!("{} disables certificate verification: {how}", f.context.as_str())));
            }
        }
    }
}
