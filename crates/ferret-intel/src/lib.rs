//! What ferret knows beyond a crate's own files: the popularity corpus (for names and
//! metadata), the known-malware advisories, and what the registry says about a version.
//! [`Intel`] implements [`ferret_core::NameOracle`], so every front end (scan, audit, serve)
//! gets the same NAM/META/DEP/ADV findings.
#![forbid(unsafe_code)]

use ferret_advisory::AdvisoryDb;
use ferret_core::manifest::{DepKind, Manifest};
use ferret_core::{NameFacts, NameOracle, Severity};
use ferret_names::{Corpus, CrateMeta, NameChecker, RegistryFacts};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Names, advisories and registry facts, shareable across threads.
pub struct Intel {
    checker: NameChecker<'static>,
    advisories: Arc<AdvisoryDb>,
    registry_facts: Mutex<HashMap<(String, String), RegistryFacts>>,
}

/// The popularity rank up to which names count as squat targets (crates.io uses ~3,000).
pub const DEFAULT_TOP: usize = 3000;

impl Intel {
    /// From a corpus and advisory data. The corpus lives as long as the process (it is
    /// loaded once and shared by every scan).
    pub fn new(corpus: Corpus, advisories: AdvisoryDb, top_n: usize) -> Intel {
        let corpus: &'static Corpus = Box::leak(Box::new(corpus));
        Intel { checker: NameChecker::new(corpus, top_n), advisories: Arc::new(advisories), registry_facts: Mutex::new(HashMap::new()) }
    }

    /// The embedded corpus (or the user's updated one) and the preferred advisory data
    /// (an installed advisory-db if `advisories update` was run, else the embedded snapshot).
    pub fn default_offline() -> Intel {
        Intel::new(ferret_names::Corpus::embedded(), AdvisoryDb::preferred(), DEFAULT_TOP)
    }

    pub fn advisories(&self) -> &AdvisoryDb {
        &self.advisories
    }

    pub fn checker(&self) -> &NameChecker<'static> {
        &self.checker
    }

    /// Record what the registry index says about `name` `version` before it is scanned.
    pub fn set_registry_facts(&self, name: &str, version: &str, facts: RegistryFacts) {
        if let Ok(mut m) = self.registry_facts.lock() {
            m.insert((name.to_string(), version.to_string()), facts);
        }
    }

    /// Malicious advisories naming `name` at `version` (every version when unparseable).
    pub fn malicious_advisories(&self, name: &str, version: &str) -> Vec<&ferret_advisory::Advisory> {
        match semver::Version::parse(version) {
            Ok(v) => self.advisories.matches(name, &v).into_iter().filter(|a| a.malicious).collect(),
            Err(_) => self.advisories.for_package(name).into_iter().filter(|a| a.malicious && a.affects_all_versions()).collect(),
        }
    }
}

fn severity(s: ferret_names::Severity) -> Severity {
    use ferret_names::Severity as S;
    match s {
        S::High => Severity::High,
        S::Medium => Severity::Medium,
        S::Low => Severity::Low,
        S::Info => Severity::Info,
    }
}

impl NameOracle for Intel {
    fn facts(&self, name: &str, version: &str, manifest: &Manifest, readme: Option<&str>) -> NameFacts {
        let mut out = NameFacts::default();
        let check = self.checker.check(name);
        out.squat_of = check.matches.iter().filter(|m| !fork_successor(name, m)).map(|m| (m.target.clone(), m.technique.as_str().to_string(), m.target_downloads)).collect();
        let meta = CrateMeta {
            name: name.to_string(),
            version: version.to_string(),
            repository: manifest.repository.clone(),
            homepage: manifest.homepage.clone(),
            description: manifest.description.clone(),
            readme: readme.map(|r| r.chars().take(64 * 1024).collect()),
            authors: manifest.authors.clone(),
        };
        let reg = self.registry_facts.lock().ok().and_then(|m| m.get(&(name.to_string(), version.to_string())).cloned());
        let established = self.checker.corpus().get(name).is_some();
        for s in self.checker.check_metadata(&meta, reg.as_ref()) {
            // An established (popular) crate's own numbering is not a probe or a mimicry.
            use ferret_names::SignalKind as K;
            if established && matches!(s.kind, K::DependencyConfusionVersion | K::VersionMimicry | K::NewCrate) {
                continue;
            }
            out.metadata.push((s.kind.as_str().to_string(), severity(s.severity), s.message));
        }
        let mut seen = std::collections::HashSet::new();
        for dep in &manifest.dependencies {
            if dep.source.is_some() || !seen.insert(dep.name.clone()) {
                continue;
            }
            // Only advisories that condemn every version: a hijacked release (arrayref 0.3.10)
            // does not make every dependent of the crate malicious.
            if let Some(a) = self.advisories.for_package(&dep.name).into_iter().find(|a| a.malicious && a.affects_all_versions()) {
                out.malicious_deps.push((dep.name.clone(), a.id.clone()));
                continue;
            }
            if dep.kind == DepKind::Dev {
                continue;
            }
            let c = self.checker.check(&dep.name);
            if let Some(m) = c.matches.iter().find(|m| !fork_successor(&dep.name, m)) {
                // A crate depending on its own family (`foo-core` from `foo`) is not laundering.
                if !family(name, &dep.name) {
                    out.squat_deps.push((dep.name.clone(), m.target.clone(), m.technique.as_str().to_string()));
                }
            }
        }
        for a in self.malicious_advisories(name, version) {
            out.advisories.push((a.id.clone(), a.title.clone()));
        }
        out
    }
}

/// `proc-macro-error3` after `proc-macro-error2`: a successor fork numbers upward from a
/// target that already ends in a digit. Squats seen so far went sideways or down
/// (`proc-macro1` for `proc-macro2`).
fn fork_successor(name: &str, m: &ferret_names::NameMatch) -> bool {
    let last_digit = |s: &str| s.chars().last().and_then(|c| c.to_digit(10));
    m.technique == ferret_names::Technique::DigitBump
        && matches!((last_digit(name), last_digit(&m.target)), (Some(a), Some(b)) if a == b + 1 && b >= 2)
}

/// Two names share a family prefix (`tokio` / `tokio-macros`).
fn family(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let (a, b) = (norm(a), norm(b));
    let head = |s: &str| s.split('-').next().unwrap_or("").to_string();
    head(&a) == head(&b) && head(&a).len() >= 3
}
