//! Metadata checks: a crate that borrows a popular crate's identity (repository, description,
//! README) or whose version history looks like a probe (dependency confusion) or a copy.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::checker::NameChecker;
use crate::corpus::{Corpus, CrateEntry};
use crate::normalize::{fold_name, normalize_repo_url, normalize_text, repo_owner};

/// What the lead extracts from a crate's `Cargo.toml` (and README) for the metadata checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateMeta {
    /// `package.name`.
    pub name: String,
    /// `package.version`.
    pub version: String,
    /// `package.repository`.
    #[serde(default)]
    pub repository: Option<String>,
    /// `package.homepage`.
    #[serde(default)]
    pub homepage: Option<String>,
    /// `package.description`.
    #[serde(default)]
    pub description: Option<String>,
    /// The text of the README file, if any (cut to a sane size by the caller).
    #[serde(default)]
    pub readme: Option<String>,
    /// `package.authors`.
    #[serde(default)]
    pub authors: Vec<String>,
}

/// What the registry index says about the crate, when known.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistryFacts {
    /// Versions the crate has published (yanked ones included).
    pub versions_published: usize,
    /// Its first published version.
    pub first_version: String,
    /// When the first version was published (RFC 3339, the index's `pubtime`).
    #[serde(default)]
    pub first_pubtime: Option<String>,
    /// When the version being checked was published (RFC 3339).
    #[serde(default)]
    pub this_pubtime: Option<String>,
}

/// The kind of a metadata signal; the lead maps these to rule codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SignalKind {
    /// Claims a popular crate's repository (or its owner's namespace with a look-alike name).
    RepositoryImpersonation,
    /// The description or README copies a popular crate's.
    DescriptionCopy,
    /// A brand-new crate whose first version looks like an established crate's numbering.
    VersionMimicry,
    /// First version 9.x, 99.x or higher: a dependency-confusion probe.
    DependencyConfusionVersion,
    /// The crate is new to the registry (one version, published recently).
    NewCrate,
}

impl SignalKind {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::RepositoryImpersonation => "repository-impersonation",
            SignalKind::DescriptionCopy => "description-copy",
            SignalKind::VersionMimicry => "version-mimicry",
            SignalKind::DependencyConfusionVersion => "dependency-confusion-version",
            SignalKind::NewCrate => "new-crate",
        }
    }
}

/// A suggested severity, in the same words as ferret's findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a line in a report.
    Info,
    /// Weak alone.
    Low,
    /// Suspicious alone.
    Medium,
    /// Strong evidence of impersonation.
    High,
}

/// One metadata signal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetadataSignal {
    /// What was seen.
    pub kind: SignalKind,
    /// A sentence for humans (contains crate-supplied text: escape it when rendering).
    pub message: String,
    /// The popular crate imitated, when there is one.
    pub target: Option<String>,
    /// Suggested severity.
    pub severity: Severity,
    /// Suggested contribution to a 0-100 score.
    pub weight: u8,
}

/// Indexes over the whole corpus, built on first use.
#[derive(Debug, Default)]
pub(crate) struct MetaIndex {
    /// normalised repository -> corpus indices.
    repos: HashMap<String, Vec<usize>>,
    /// repository owner (`github.com/dtolnay`) -> corpus indices.
    owners: HashMap<String, Vec<usize>>,
    /// normalised description -> corpus indices (descriptions of 4+ words).
    descriptions: HashMap<String, Vec<usize>>,
    /// word sets of descriptions with 8+ distinct words, for near-copies.
    desc_words: Vec<(usize, HashSet<String>)>,
}

/// A repository shared by this many corpus crates is a monorepo.
pub const MONOREPO_MIN: usize = 2;

/// Descriptions with fewer words are too generic to call a copy.
const MIN_DESC_WORDS: usize = 4;
/// Near-copies need this many distinct words and this Jaccard similarity.
const MIN_SIMILAR_WORDS: usize = 8;
const MIN_JACCARD: f64 = 0.85;

impl MetaIndex {
    pub(crate) fn build(corpus: &Corpus) -> MetaIndex {
        let mut idx = MetaIndex::default();
        for (i, e) in corpus.entries().iter().enumerate() {
            if let Some(repo) = normalize_repo_url(&e.repository) {
                if let Some(owner) = repo_owner(&repo) {
                    idx.owners.entry(owner.to_owned()).or_default().push(i);
                }
                idx.repos.entry(repo).or_default().push(i);
            }
            let desc = normalize_text(&e.description);
            let words = desc.split(' ').filter(|w| !w.is_empty()).count();
            if words >= MIN_DESC_WORDS && desc != normalize_text(&e.name) {
                let set: HashSet<String> = desc.split(' ').map(str::to_owned).collect();
                if set.len() >= MIN_SIMILAR_WORDS {
                    idx.desc_words.push((i, set));
                }
                idx.descriptions.entry(desc).or_default().push(i);
            }
        }
        idx
    }
}

/// Words of a folded name.
fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split('-').filter(|w| !w.is_empty())
}

/// Two crates of one project: same first word (`tokio-util`/`tokio`), or one name a word-prefix
/// of the other (`serde`/`serde-json`).
pub(crate) fn same_family(a: &str, b: &str) -> bool {
    let (a, b) = (fold_name(a), fold_name(b));
    if a == b {
        return true;
    }
    let (fa, fb) = (words(&a).next(), words(&b).next());
    if fa.is_some() && fa == fb {
        return true;
    }
    let (short, long) = if a.len() <= b.len() { (&a, &b) } else { (&b, &a) };
    long.starts_with(short.as_str()) && long[short.len()..].starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
}

/// A look-alike of `target`: at most two character edits, yet a different name
/// (`faster_log`/`fast_log`, `proc-macro1`/`proc-macro2`).
pub(crate) fn look_alike_name(a: &str, b: &str) -> bool {
    let (a, b) = (fold_name(a), fold_name(b));
    if a == b || a.len() < 4 || b.len() < 4 {
        return false;
    }
    // Both names extend a common stem with different suffix words: siblings, not look-alikes
    // (`windows-x86-64-gnu` / `windows-x86-64-msvc` share a repository legitimately).
    let max = if a.len().min(b.len()) >= 8 { 2 } else { 1 };
    strsim::osa_distance(&a, &b) <= max
}

fn parse_version(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v.trim()).ok()
}

fn days_between(earlier: &str, now: jiff::Timestamp) -> Option<i64> {
    let t: jiff::Timestamp = earlier.trim().parse().ok()?;
    Some(now.duration_since(t).as_secs() / 86_400)
}

/// A crate whose only version was published within this many days is "new".
pub const NEW_CRATE_DAYS: i64 = 30;

impl NameChecker<'_> {
    pub(crate) fn meta_index(&self) -> &MetaIndex {
        static_index(self)
    }

    /// Metadata checks on one crate, with `now` taken from the system clock. See
    /// [`NameChecker::check_metadata_at`].
    pub fn check_metadata(&self, meta: &CrateMeta, registry: Option<&RegistryFacts>) -> Vec<MetadataSignal> {
        self.check_metadata_at(meta, registry, jiff::Timestamp::now())
    }

    /// Metadata checks on one crate as of `now`: repository impersonation, description/README
    /// copies, version mimicry, dependency-confusion versions and (with registry facts) newness.
    /// Signals come strongest first.
    pub fn check_metadata_at(
        &self,
        meta: &CrateMeta,
        registry: Option<&RegistryFacts>,
        now: jiff::Timestamp,
    ) -> Vec<MetadataSignal> {
        self.metadata_signals(meta, registry, now, false)
    }

    /// As [`NameChecker::check_metadata_at`], but as if the crate were not in the corpus: its own
    /// corpus entry is ignored. For measuring false positives on the corpus itself.
    #[doc(hidden)]
    pub fn check_metadata_as_new(&self, meta: &CrateMeta, registry: Option<&RegistryFacts>, now: jiff::Timestamp) -> Vec<MetadataSignal> {
        self.metadata_signals(meta, registry, now, true)
    }

    fn metadata_signals(
        &self,
        meta: &CrateMeta,
        registry: Option<&RegistryFacts>,
        now: jiff::Timestamp,
        as_new: bool,
    ) -> Vec<MetadataSignal> {
        let corpus = self.corpus();
        let me = fold_name(&meta.name);
        let squat_targets: HashSet<String> =
            self.check(&meta.name).matches.into_iter().map(|m| fold_name(&m.target)).collect();
        let mut out = Vec::new();
        let idx = self.meta_index();

        // Repository (and homepage) claims.
        let mut claimed_repo = false;
        for url in [meta.repository.as_deref(), meta.homepage.as_deref()].into_iter().flatten() {
            if claimed_repo {
                break;
            }
            let Some(repo) = normalize_repo_url(url) else { continue };
            if let Some(owners) = idx.repos.get(&repo) {
                let mut siblings: Vec<&CrateEntry> = owners.iter().map(|&i| &corpus.entries()[i]).collect();
                if as_new {
                    siblings.retain(|e| fold_name(&e.name) != me);
                }
                if siblings.is_empty() || siblings.iter().any(|e| fold_name(&e.name) == me) {
                    continue;
                }
                let top = siblings[0];
                // A repository shared by several popular crates is a monorepo: a new member with
                // a sibling-like name is ordinary there (`sha1`/`sha2`), so only a single-crate
                // repository claimed by a look-alike is strong evidence.
                let monorepo = siblings.len() > MONOREPO_MIN - 1;
                let look_alike = siblings
                    .iter()
                    .find(|e| squat_targets.contains(&fold_name(&e.name)) || look_alike_name(&meta.name, &e.name));
                if let Some(target) = look_alike {
                    claimed_repo = true;
                    out.push(MetadataSignal {
                        kind: SignalKind::RepositoryImpersonation,
                        message: format!(
                            "claims the repository of `{}` ({} downloads), `{url}`, under the look-alike name `{}`",
                            target.name, target.downloads, meta.name
                        ),
                        target: Some(target.name.clone()),
                        severity: if monorepo { Severity::Low } else { Severity::High },
                        weight: if monorepo { 10 } else { 60 },
                    });
                } else if !monorepo && !siblings.iter().any(|e| same_family(&meta.name, &e.name)) {
                    claimed_repo = true;
                    out.push(MetadataSignal {
                        kind: SignalKind::RepositoryImpersonation,
                        message: format!(
                            "claims the repository of `{}` ({} downloads), `{url}`, under the unrelated name `{}`",
                            top.name, top.downloads, meta.name
                        ),
                        target: Some(top.name.clone()),
                        severity: Severity::Low,
                        weight: 15,
                    });
                }
            } else if let Some(owner) = repo_owner(&repo) {
                // proc-macro1: `github.com/dtolnay/proc-macro1` does not exist, but the owner
                // is proc-macro2's.
                if let Some(owned) = idx.owners.get(owner) {
                    if let Some(target) = owned
                        .iter()
                        .map(|&i| &corpus.entries()[i])
                        .find(|e| squat_targets.contains(&fold_name(&e.name)))
                    {
                        claimed_repo = true;
                        out.push(MetadataSignal {
                            kind: SignalKind::RepositoryImpersonation,
                            message: format!(
                                "points its repository at `{url}`, in the namespace of `{}`'s owner, under the look-alike name `{}`",
                                target.name, meta.name
                            ),
                            target: Some(target.name.clone()),
                            severity: Severity::High,
                            weight: 50,
                        });
                    }
                }
            }
        }

        // Description copies.
        if let Some(desc) = meta.description.as_deref() {
            if let Some(sig) = self.description_copy(&me, &meta.name, desc, "description", as_new) {
                out.push(sig);
            }
        }
        // README: a popular crate's description inside a README that also names that crate.
        if let Some(readme) = meta.readme.as_deref() {
            let text = normalize_text(readme);
            let tokens: HashSet<&str> = readme
                .split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
                .filter(|t| t.len() >= 2)
                .take(200_000)
                .collect();
            let mut seen = HashSet::new();
            for tok in tokens {
                let Some(rank) = corpus.rank(tok) else { continue };
                let e = &corpus.entries()[rank];
                let folded = fold_name(&e.name);
                if folded == me || same_family(&me, &folded) || !seen.insert(rank) {
                    continue;
                }
                let desc = normalize_text(&e.description);
                if desc.split(' ').count() >= 6 && text.contains(&desc) && !out.iter().any(|s: &MetadataSignal| s.kind == SignalKind::DescriptionCopy) {
                    out.push(MetadataSignal {
                        kind: SignalKind::DescriptionCopy,
                        message: format!(
                            "its README names `{}` and repeats that crate's description word for word",
                            e.name
                        ),
                        target: Some(e.name.clone()),
                        severity: if squat_targets.contains(&folded) { Severity::High } else { Severity::Medium },
                        weight: 30,
                    });
                }
            }
        }

        // Versions.
        let first = registry.map(|r| r.first_version.as_str()).unwrap_or("");
        let first_v = parse_version(first);
        let this_v = parse_version(&meta.version);
        let new_crate = registry.is_some_and(|r| r.versions_published <= 1);
        let probe_v = first_v.as_ref().or(if registry.is_none() { this_v.as_ref() } else { None });
        if let Some(v) = probe_v {
            let few = registry.map(|r| r.versions_published <= 3).unwrap_or(false);
            let (hit, severity, weight) = if v.major >= 99 {
                (true, Severity::High, 45)
            } else if v.major >= 9 && registry.is_some() {
                (true, if few { Severity::High } else { Severity::Medium }, if few { 40 } else { 20 })
            } else {
                (false, Severity::Info, 0)
            };
            if hit {
                let which = if registry.is_some() { "first published version" } else { "version" };
                out.push(MetadataSignal {
                    kind: SignalKind::DependencyConfusionVersion,
                    message: format!(
                        "its {which} is {v}: dependency-confusion probes publish at 9.x or 99.x to outrank an internal crate of the same name"
                    ),
                    target: None,
                    severity,
                    weight,
                });
            } else if registry.is_some_and(|r| r.versions_published <= 3) {
                let ordinary = (v.major == 0 && v.minor <= 1)
                    || (v.major == 0 && v.patch == 0)
                    || (v.major <= 2 && v.minor == 0 && v.patch == 0);
                if !ordinary {
                    let target = squat_targets.iter().next().and_then(|t| corpus.get(t)).map(|e| e.name.clone());
                    out.push(MetadataSignal {
                        kind: SignalKind::VersionMimicry,
                        message: match &target {
                            Some(t) => format!("a new crate whose first version is {v}, the numbering of an established crate like `{t}`, not of a first release"),
                            None => format!("a new crate whose first version is {v}, the numbering of an established crate, not of a first release"),
                        },
                        severity: if target.is_some() { Severity::Medium } else { Severity::Low },
                        weight: if target.is_some() { 25 } else { 10 },
                        target,
                    });
                }
            }
        }
        if let Some(r) = registry.filter(|_| new_crate) {
            let age = r.this_pubtime.as_deref().or(r.first_pubtime.as_deref()).and_then(|t| days_between(t, now));
            let message = match age {
                Some(d) if d <= NEW_CRATE_DAYS => format!("new to the registry: its only version was published {d} day(s) ago"),
                Some(d) => format!("has published a single version ({d} days ago)"),
                None => "new to the registry: it has published a single version".to_owned(),
            };
            let recent = age.is_none_or(|d| d <= NEW_CRATE_DAYS);
            out.push(MetadataSignal {
                kind: SignalKind::NewCrate,
                message,
                target: None,
                severity: if recent { Severity::Low } else { Severity::Info },
                weight: if recent { 10 } else { 0 },
            });
        }
        out.sort_by(|a, b| b.severity.cmp(&a.severity).then(b.weight.cmp(&a.weight)));
        out
    }

    fn description_copy(&self, me: &str, name: &str, desc: &str, what: &str, as_new: bool) -> Option<MetadataSignal> {
        let corpus = self.corpus();
        let idx = self.meta_index();
        let norm = normalize_text(desc);
        let n_words = norm.split(' ').filter(|w| !w.is_empty()).count();
        if n_words < MIN_DESC_WORDS {
            return None;
        }
        let unrelated = |i: &usize| {
            let e = &corpus.entries()[*i];
            let f = fold_name(&e.name);
            f != me && !same_family(me, &f)
        };
        let squat_of = |e: &CrateEntry| self.check(name).matches.iter().any(|m| fold_name(&m.target) == fold_name(&e.name));
        if let Some(list) = idx.descriptions.get(&norm) {
            if !as_new && list.iter().any(|i| fold_name(&corpus.entries()[*i].name) == me) {
                return None;
            }
            if let Some(&i) = list.iter().find(|i| unrelated(i)) {
                let e = &corpus.entries()[i];
                let strong = squat_of(e) || look_alike_name(name, &e.name);
                return Some(MetadataSignal {
                    kind: SignalKind::DescriptionCopy,
                    message: format!("its {what} is word for word that of `{}` ({} downloads)", e.name, e.downloads),
                    target: Some(e.name.clone()),
                    severity: if strong { Severity::High } else { Severity::Low },
                    weight: if strong { 40 } else { 10 },
                });
            }
        }
        let set: HashSet<&str> = norm.split(' ').collect();
        if set.len() < MIN_SIMILAR_WORDS {
            return None;
        }
        let mut best: Option<(f64, usize)> = None;
        for (i, other) in &idx.desc_words {
            let inter = set.iter().filter(|w| other.contains(**w)).count();
            let union = set.len() + other.len() - inter;
            let j = inter as f64 / union as f64;
            if j >= MIN_JACCARD && best.is_none_or(|(b, _)| j > b) && unrelated(i) {
                best = Some((j, *i));
            }
        }
        let (j, i) = best?;
        let e = &corpus.entries()[i];
        if fold_name(&e.name) == me {
            return None;
        }
        let strong = squat_of(e) || look_alike_name(name, &e.name);
        if !strong {
            // Rewordings of a popular crate's description are common among forks and
            // alternatives; only a look-alike name makes one telling.
            return None;
        }
        Some(MetadataSignal {
            kind: SignalKind::DescriptionCopy,
            message: format!("its {what} is {:.0}% the same words as that of `{}` ({} downloads)", j * 100.0, e.name, e.downloads),
            target: Some(e.name.clone()),
            severity: Severity::Medium,
            weight: 30,
        })
    }
}

/// Indexes are cached per corpus address for the life of the process.
fn static_index<'a>(checker: &'a NameChecker<'_>) -> &'a MetaIndex {
    checker.meta_cell().get_or_init(|| MetaIndex::build(checker.corpus()))
}

/// Storage for the lazily built index (kept in the checker).
pub(crate) type MetaCell = OnceLock<MetaIndex>;
