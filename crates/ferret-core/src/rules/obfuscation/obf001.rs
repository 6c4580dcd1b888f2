use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "OBF001",
    name: "obfuscated-indicator",
    family: Family::Obfuscation,
    severity: Severity::High,
    summary: "a URL, IP, path or command is hidden by encoding (base64, hex, XOR, reversal, byte arrays)",
    doc: "## What it detects\nA string that ferret recovers by folding constants through an obfuscating transform (base64 or hex decoding, single-byte XOR or byte arithmetic, reversal, bytes turned into a string, string-hiding macros) and that names a URL, an IP, a host, a secret or persistence path, or a shell command. Plain `concat!`/`format!` of visible literals is not obfuscation and does not trip it.\n\n## Why\nHonest code has no reason to hide where it connects; proc-macro1 split its URL into base64 pieces, rustdecimal and others used byte arrays and XOR, so that grep finds nothing.\n\n## Example\n```rust\nlet u = String::from_utf8(BASE64.decode(\"aHR0cHM6Ly94LndvcmtlcnMuZGV2\")?)?;\n```\n\n## Known false positives\nTest blobs in `tests/` (they weigh nothing), and libraries that store encoded well-known URLs for size reasons (rare).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            let mut n = 0;
            for e in &f.evidence {
                let Cap::Obfuscated { text, transforms } = &e.cap else { continue };
                let how: Vec<&str> = transforms.iter().map(|t| t.as_str()).collect();
                let shown: String = text.chars().take(120).collect();
                out.push(Hit::new(in_context(Severity::High, f.context), &f.path, e.line, format!("recovered {:?} hidden by {}", shown, how.join(" + "))));
                n += 1;
                if n >= 5 {
                    break;
                }
            }
        }
    }
}
