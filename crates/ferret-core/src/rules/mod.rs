//! Detection rules: small named units with stable codes. One file per rule, grouped by
//! family; [`RULES`] is the single table of codes. Codes are never reused.

use crate::context::FileContext;
use crate::crate_facts::CrateFacts;
use crate::report::Severity;

mod archive;
mod build;
mod context_rules;
mod deps;
mod exec;
mod exfil;
mod names;
mod obfuscation;
mod persistence;
mod sources;
mod tls;

pub use names::NameFacts;

/// The families, by code prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// ARC: the archive itself.
    Archive,
    /// MAN: the manifest.
    Manifest,
    /// BLD: build scripts and proc-macros (code that runs at build time).
    Build,
    /// EXF: data leaving the machine.
    Exfiltration,
    /// NET: network destinations.
    Network,
    /// SRC: sensitive sources.
    Source,
    /// EXE: running code.
    Execution,
    /// PER: persistence.
    Persistence,
    /// TLS: transport security.
    Tls,
    /// OBF: hidden strings.
    Obfuscation,
    /// CTX: code that runs unasked or only in some places.
    Context,
    /// DEP: dependencies.
    Dependency,
    /// NAM / META: names and metadata.
    Identity,
    /// COR: correlations across families.
    Correlation,
}

impl Family {
    /// Families that describe something the code can do (as opposed to who it claims to be).
    pub fn is_capability(self) -> bool {
        !matches!(self, Family::Identity | Family::Correlation | Family::Archive | Family::Manifest)
    }
}

/// What a rule is, for listings, docs and SARIF.
#[derive(Debug)]
pub struct RuleInfo {
    pub code: &'static str,
    pub name: &'static str,
    pub family: Family,
    /// Severity in the worst context; contexts lower it.
    pub severity: Severity,
    pub summary: &'static str,
    /// Markdown: what it detects, why, an example, known false positives.
    pub doc: &'static str,
}

/// A rule firing at a place, before it is turned into a [`crate::Finding`].
#[derive(Debug, Clone)]
pub struct Hit {
    pub severity: Severity,
    pub file: String,
    pub line: u32,
    pub message: String,
}

impl Hit {
    pub fn new(severity: Severity, file: &str, line: u32, message: impl Into<String>) -> Hit {
        Hit { severity, file: file.to_string(), line, message: message.into() }
    }
}

/// The input every rule sees.
pub struct Input<'a, 'b> {
    pub facts: &'b CrateFacts<'a>,
    pub names: &'b NameFacts,
}

pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, input: &Input, out: &mut Vec<Hit>);
}

/// Severity of a capability in a context: dev-only code weighs two steps less.
pub fn in_context(sev: Severity, ctx: FileContext) -> Severity {
    if ctx.dev_only() { sev.lowered().lowered() } else { sev }
}

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &deps::adv001::Rule,
    &archive::arc001::Rule,
    &archive::arc002::Rule,
    &archive::arc003::Rule,
    &archive::man001::Rule,
    &build::bld001::Rule,
    &build::bld002::Rule,
    &build::bld003::Rule,
    &build::bld004::Rule,
    &context_rules::ctx001::Rule,
    &context_rules::ctx002::Rule,
    &deps::dep001::Rule,
    &deps::dep002::Rule,
    &exec::exe001::Rule,
    &exec::exe002::Rule,
    &exec::exe003::Rule,
    &exec::exe004::Rule,
    &exfil::exf001::Rule,
    &exfil::exf002::Rule,
    &exfil::exf003::Rule,
    &exfil::exf004::Rule,
    &exfil::net001::Rule,
    &names::nam001::Rule,
    &names::meta001::META001,
    &names::meta001::META002,
    &names::meta001::META003,
    &names::meta001::META004,
    &names::meta001::META005,
    &obfuscation::obf001::Rule,
    &obfuscation::obf002::Rule,
    &persistence::per001::Rule,
    &sources::src001::Rule,
    &sources::src002::Rule,
    &sources::src003::Rule,
    &tls::tls001::Rule,
];

/// The correlation rule is applied after all others (see [`crate::verdict`]).
pub static COR001: RuleInfo = RuleInfo {
    code: "COR001",
    name: "impersonation-with-capability",
    family: Family::Correlation,
    severity: Severity::Critical,
    summary: "a crate under a borrowed name or identity that also does something risky",
    doc: "## What it detects\nA crate with a name or metadata finding (NAM/META: a typosquat, a copied repository or description) that also has any capability finding (network, process, secrets, build-time code, obfuscation).\n\n## Why\nEvery typosquat of 2022-2026 (rustdecimal, faster_log, finch-rst, proc-macro1, polymarket-client-sdks) paired a borrowed identity with a payload. Either alone is common; together they are the attack.\n\n## Example\n`faster_log` copies `fast_log`'s repository URL and scans files for private keys.\n\n## Known false positives\nA legitimate fork that keeps its parent's repository URL and adds networking; add an ignore with a reason.",
};

/// Look a rule up by code or name (case-insensitive).
pub fn find(code_or_name: &str) -> Option<&'static RuleInfo> {
    let q = code_or_name.trim();
    RULES
        .iter()
        .map(|r| r.info())
        .chain(std::iter::once(&COR001))
        .find(|i| i.code.eq_ignore_ascii_case(q) || i.name.eq_ignore_ascii_case(q))
}

/// All rule infos (including the correlation rule), in code order.
pub fn all() -> Vec<&'static RuleInfo> {
    let mut v: Vec<&'static RuleInfo> = RULES.iter().map(|r| r.info()).chain(std::iter::once(&COR001)).collect();
    v.sort_by_key(|i| i.code);
    v
}
