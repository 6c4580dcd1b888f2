use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "OBF002",
    name: "xor-decoded-data",
    family: Family::Obfuscation,
    severity: Severity::Medium,
    summary: "constant data is decoded by single-byte XOR or byte arithmetic",
    doc: "## What it detects\nA constant byte array or string decoded byte by byte with a constant key (`.map(|b| b ^ 0x5a)`, `b.wrapping_sub(3)`), or a byte array that turns into readable text only after a single-byte XOR.\n\n## Why\nSingle-byte XOR is the cheapest way to keep a payload's strings out of `grep` and out of a reviewer's sight. OBF001 reports what the decoding reveals when it names something; this rule reports the decoding itself.\n\n## Example\n```rust\nconst K: [u8; 5] = [0x32, 0x2e, 0x2e, 0x2a, 0x29];\nlet s: String = K.iter().map(|b| (b ^ 0x5a) as char).collect();\n```\n\n## Known false positives\nCodecs and checksum code that XOR runtime data (not constants) do not trip it.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            if let Some(e) = f.find(|c| matches!(c, Cap::XorDecode)) {
                out.push(Hit::new(in_context(Severity::Medium, f.context), &f.path, e.line, "decodes constant data with a single-byte XOR/arithmetic key"));
            }
        }
    }
}
