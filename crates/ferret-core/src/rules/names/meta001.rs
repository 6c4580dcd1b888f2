//! META001-META005: one rule per metadata signal of `ferret-names`.
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

/// A metadata rule: reports the signals of one kind.
pub struct MetaRule {
    info: &'static RuleInfo,
    kind: &'static str,
    key: &'static str,
}

impl crate::rules::Rule for MetaRule {
    fn info(&self) -> &'static RuleInfo {
        self.info
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        let text = i.facts.archive.text("Cargo.toml");
        for (kind, sev, message) in i.names.metadata.iter().filter(|(k, _, _)| k == self.kind) {
            let line = text.as_ref().and_then(|t| t.lines().position(|l| l.trim_start().starts_with(self.key)).map(|p| p as u32 + 1)).unwrap_or(0);
            let _ = kind;
            let sev: Severity = *sev;
            out.push(Hit::new(sev, "Cargo.toml", line, message.clone()));
        }
    }
}

pub static META001: MetaRule = MetaRule {
    kind: "repository-impersonation",
    key: "repository",
    info: &RuleInfo {
        code: "META001",
        name: "repository-impersonation",
        family: Family::Identity,
        severity: Severity::High,
        summary: "the crate claims a popular crate's repository under another name",
        doc: META001_DOC,
    },
};

const META001_DOC: &str = "## What it detects\nA `repository` URL (normalised: scheme, `www.`, case, trailing `.git` and `/`) that belongs to a popular crate of another name. High when the crate's own repository is a single-crate repository and the name looks like the popular crate's, or the URL sits in the squatted crate owner's namespace; low otherwise.\n\n## Why\nfaster_log copied fast_log's repository URL so that crates.io linked to the real project and its stars; proc-macro1 and rustdecimal did the same.\n\n## Example\n`name = \"faster_log\"`, `repository = \"https://github.com/rbatis/fast_log\"`.\n\n## Known false positives\nCrates of a monorepo sharing its URL (not flagged when the names share a family prefix) and forks that keep the parent's URL (low).";

pub static META002: MetaRule = MetaRule {
    kind: "description-copy",
    key: "description",
    info: &RuleInfo {
        code: "META002",
        name: "description-copy",
        family: Family::Identity,
        severity: Severity::High,
        summary: "the description or README copies a popular crate's",
        doc: "## What it detects\nA description (or README) equal, after normalising case and spacing, to a popular crate's, or a near copy of it. High with a look-alike name, medium for a near copy, low otherwise.\n\n## Why\nImpersonators copy the real crate's text so that search results and the crate page look right (faster_log, rustdecimal).\n\n## Example\n`description = \"Rust Fast Log .High-performance asynchronous logging\"` in a crate that is not fast_log.\n\n## Known false positives\nTemplate descriptions (\"A Rust library\") are too short to count; forks that keep the parent's README score low.",
    },
};

pub static META003: MetaRule = MetaRule {
    kind: "version-mimicry",
    key: "version",
    info: &RuleInfo {
        code: "META003",
        name: "version-mimicry",
        family: Family::Identity,
        severity: Severity::Medium,
        summary: "a brand-new crate starts at a mature version number copied from its target",
        doc: "## What it detects\nA crate whose first published version looks like an established crate's numbering (a new crate starting at 1.23.1), medium together with a name squat, low otherwise.\n\n## Why\nrustdecimal published 1.23.1, matching rust_decimal's numbering, so that a typo'd dependency line resolved without complaint.\n\n## Example\n`rustdecimal` 1.23.1 as its first release.\n\n## Known false positives\nCrates moved from another registry or renamed keep their numbering; an established (popular) crate is never flagged.",
    },
};

pub static META004: MetaRule = MetaRule {
    kind: "dependency-confusion-version",
    key: "version",
    info: &RuleInfo {
        code: "META004",
        name: "dependency-confusion-version",
        family: Family::Identity,
        severity: Severity::High,
        summary: "a first release at 9.x, 99.x or higher: a dependency-confusion probe",
        doc: "## What it detects\nA crate whose first release is 9.x or higher with few versions (high), or 99.x and above.\n\n## Why\nDependency confusion: a resolver that sees an internal crate name on the public registry picks the highest version, so probes publish at 99.0.1 (lsh, mysten-metrics, proton-pfff).\n\n## Example\n`lsh` 99.0.1.\n\n## Known false positives\nEstablished crates with large version numbers (openssl-src 300.x) are in the popularity corpus and are not flagged.",
    },
};

pub static META005: MetaRule = MetaRule {
    kind: "new-crate",
    key: "name",
    info: &RuleInfo {
        code: "META005",
        name: "new-crate",
        family: Family::Identity,
        severity: Severity::Low,
        summary: "the crate is new to the registry (one version, published recently)",
        doc: "## What it detects\nWhen the registry is known (a `name@version` scan, an audit download, the service): a crate with a single version published in the last days.\n\n## Why\nMalicious crates are young: most were removed within days of their first publish. Newness is context, never a verdict on its own (low).\n\n## Example\nA crate whose index has one line, `pubtime` yesterday.\n\n## Known false positives\nEvery legitimate new crate: that is why it is low.",
    },
};
