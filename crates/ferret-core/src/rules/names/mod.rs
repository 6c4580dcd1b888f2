//! NAM / META: who a crate claims to be. The facts are computed by the scanner from the
//! popularity corpus and the advisory data; the rules only report them.
pub mod meta001;
pub mod nam001;

use crate::report::Severity;

/// Name and identity facts about a crate and its dependencies.
#[derive(Debug, Clone, Default)]
pub struct NameFacts {
    /// Popular crates this crate's name imitates: (target, technique, target downloads).
    pub squat_of: Vec<(String, String, u64)>,
    /// Metadata signals: (kind, severity, message).
    pub metadata: Vec<(String, Severity, String)>,
    /// Dependencies whose names imitate popular crates: (dependency, target, technique).
    pub squat_deps: Vec<(String, String, String)>,
    /// Dependencies named as malware by an advisory: (dependency, advisory id).
    pub malicious_deps: Vec<(String, String)>,
    /// Malware advisories naming this crate at this version: (advisory id, title).
    pub advisories: Vec<(String, String)>,
}
