//! The advisory database: loading, merging and matching.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use jiff::civil::Date;
use semver::Version;
use serde::{Deserialize, Serialize};

use crate::error::LoadError;
use crate::model::{
    days_between, normalize_name, Advisory, AffectedRange, RangeEvent, RelatedRecord, Source,
};
use crate::osv::parse_osv;
use crate::rustsec::parse_rustsec;

/// Files larger than this are not advisories; they are skipped with a warning.
pub const MAX_ADVISORY_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// Where a database's records were read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "path", rename_all = "lowercase")]
pub enum Origin {
    /// The snapshot built into the binary from `data/advisories/`.
    Embedded,
    /// A RustSec advisory database folder.
    RustSec(PathBuf),
    /// A folder (or file) of OSV records.
    Osv(PathBuf),
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Origin::Embedded => f.write_str("built-in snapshot"),
            Origin::RustSec(p) => write!(f, "RustSec database at {}", p.display()),
            Origin::Osv(p) => write!(f, "OSV records at {}", p.display()),
        }
    }
}

/// A file that could not be used; loading went on without it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadWarning {
    /// The file.
    pub file: PathBuf,
    /// Why it was skipped.
    pub message: String,
}

impl std::fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file.display(), self.message)
    }
}

/// A set of advisories with an index by crate name.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "RawDb")]
pub struct AdvisoryDb {
    advisories: Vec<Advisory>,
    loaded_from: Vec<Origin>,
    data_date: Option<Date>,
    warnings: Vec<LoadWarning>,
    #[serde(skip)]
    index: HashMap<String, Vec<usize>>,
}

#[derive(Deserialize)]
struct RawDb {
    advisories: Vec<Advisory>,
    loaded_from: Vec<Origin>,
    data_date: Option<Date>,
    warnings: Vec<LoadWarning>,
}

impl From<RawDb> for AdvisoryDb {
    fn from(raw: RawDb) -> Self {
        let mut db = AdvisoryDb {
            advisories: raw.advisories,
            loaded_from: raw.loaded_from,
            data_date: raw.data_date,
            warnings: raw.warnings,
            index: HashMap::new(),
        };
        db.reindex();
        db
    }
}

include!(concat!(env!("OUT_DIR"), "/embedded_files.rs"));

/// The files of the built-in snapshot: `(path relative to data/advisories, bytes)`, sorted.
pub fn embedded_files() -> &'static [(&'static str, &'static [u8])] {
    FILES
}

impl AdvisoryDb {
    /// A database of the given advisories, as read from `origin`. Records are merged as
    /// [`AdvisoryDb::merge`] does; `data_date` is the newest advisory date.
    pub fn from_advisories(
        advisories: Vec<Advisory>,
        origin: Origin,
        warnings: Vec<LoadWarning>,
    ) -> AdvisoryDb {
        let mut db = AdvisoryDb {
            advisories: Vec::new(),
            loaded_from: vec![origin],
            data_date: None,
            warnings,
            index: HashMap::new(),
        };
        for a in advisories {
            db.insert(a);
        }
        db.data_date = db.advisories.iter().map(|a| a.date).max();
        db
    }

    /// The snapshot built into the binary from `data/advisories/` (RustSec and OSV records,
    /// merged). Parsed once per process; this returns a copy.
    pub fn embedded() -> AdvisoryDb {
        static DB: OnceLock<AdvisoryDb> = OnceLock::new();
        DB.get_or_init(|| {
            let mut rustsec = Vec::new();
            let mut osv = Vec::new();
            let mut warnings = Vec::new();
            for (path, bytes) in FILES {
                let text = match std::str::from_utf8(bytes) {
                    Ok(t) => t,
                    Err(e) => {
                        warnings.push(LoadWarning { file: path.into(), message: e.to_string() });
                        continue;
                    }
                };
                // Name files as the disk loaders do: RustSec relative to its crates folder,
                // OSV relative to data/advisories.
                let parsed = if path.ends_with(".json") {
                    parse_osv(text, path).map(|list| osv.extend(list))
                } else {
                    let rel = path.strip_prefix("rustsec-crates/").unwrap_or(path);
                    parse_rustsec(text, rel).map(|a| rustsec.push(a))
                };
                if let Err(e) = parsed {
                    warnings.push(LoadWarning { file: path.into(), message: e.message });
                }
            }
            let mut db = AdvisoryDb::from_advisories(rustsec, Origin::Embedded, warnings);
            let osv = AdvisoryDb::from_advisories(osv, Origin::Embedded, Vec::new());
            db = db.merge(osv);
            db.loaded_from = vec![Origin::Embedded];
            db
        })
        .clone()
    }

    /// Reads a RustSec advisory database: a full `advisory-db` checkout (`crates/<name>/`;
    /// other folders such as `rust/` are ignored), the shared layout (`rustsec-crates/<name>/`),
    /// or a folder that directly holds `<name>/RUSTSEC-*.md`. A file that fails to parse becomes
    /// a [`LoadWarning`]; a folder with no advisory at all is an error.
    pub fn load_rustsec(path: &Path) -> Result<AdvisoryDb, LoadError> {
        check_dir(path)?;
        let crates = ["crates", "rustsec-crates"]
            .iter()
            .map(|d| path.join(d))
            .find(|p| p.is_dir())
            .unwrap_or_else(|| path.to_path_buf());
        let mut advisories = Vec::new();
        let mut warnings = Vec::new();
        let mut seen = 0usize;
        let walker = walkdir::WalkDir::new(&crates)
            .min_depth(2)
            .max_depth(2)
            .follow_links(false)
            .sort_by_file_name();
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let file = e.path().map(Path::to_path_buf).unwrap_or_else(|| crates.clone());
                    warnings.push(LoadWarning { file, message: e.to_string() });
                    continue;
                }
            };
            let name = entry.file_name().to_string_lossy();
            if !(name.starts_with("RUSTSEC-") && name.ends_with(".md")) {
                continue;
            }
            seen += 1;
            let rel = relative(entry.path(), &crates);
            match read_text(&entry) {
                Ok(text) => match parse_rustsec(&text, &rel) {
                    Ok(a) => advisories.push(a),
                    Err(e) => warnings.push(LoadWarning { file: entry.path().into(), message: e.message }),
                },
                Err(message) => warnings.push(LoadWarning { file: entry.path().into(), message }),
            }
        }
        if seen == 0 {
            return Err(LoadError::NotRustSec(path.to_path_buf()));
        }
        Ok(AdvisoryDb::from_advisories(advisories, Origin::RustSec(path.to_path_buf()), warnings))
    }

    /// Reads OSV records (`*.json`) from a folder, recursively (hidden folders such as `.git`
    /// are skipped), or from one file. Records about other ecosystems are ignored; a file that
    /// fails to parse becomes a [`LoadWarning`].
    pub fn load_osv(path: &Path) -> Result<AdvisoryDb, LoadError> {
        std::fs::metadata(path).map_err(|source| LoadError::Io { path: path.into(), source })?;
        let mut advisories = Vec::new();
        let mut warnings = Vec::new();
        let walker = walkdir::WalkDir::new(path)
            .max_depth(32)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
        for entry in walker {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    let file = e.path().map(Path::to_path_buf).unwrap_or_else(|| path.into());
                    warnings.push(LoadWarning { file, message: e.to_string() });
                    continue;
                }
            };
            if !entry.file_type().is_file() && !entry.path_is_symlink()
                || !entry.file_name().to_string_lossy().ends_with(".json")
            {
                continue;
            }
            let rel = relative(entry.path(), path);
            match read_text(&entry) {
                Ok(text) => match parse_osv(&text, &rel) {
                    Ok(list) => advisories.extend(list),
                    Err(e) => warnings.push(LoadWarning { file: entry.path().into(), message: e.message }),
                },
                Err(message) => warnings.push(LoadWarning { file: entry.path().into(), message }),
            }
        }
        Ok(AdvisoryDb::from_advisories(advisories, Origin::Osv(path.to_path_buf()), warnings))
    }

    /// Where `advisories update` installs the RustSec database by default:
    /// `$FERRET_DATA_DIR/advisory-db` when that variable is set, else the user's data folder
    /// (`~/.local/share/ferret/advisory-db` on Linux). `None` when the platform has none.
    pub fn default_install_dir() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("FERRET_DATA_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(d).join("advisory-db"));
        }
        directories::ProjectDirs::from("", "", "ferret").map(|p| p.data_dir().join("advisory-db"))
    }

    /// The database `advisories update` installed, if there is one.
    pub fn installed() -> Result<Option<AdvisoryDb>, LoadError> {
        match Self::default_install_dir() {
            Some(dir) if dir.is_dir() => Self::load_rustsec(&dir).map(Some),
            _ => Ok(None),
        }
    }

    /// What `audit` uses by default: the installed RustSec database (fresher) merged with the
    /// built-in snapshot (which adds the OSV records), or the snapshot alone when nothing is
    /// installed. An installed copy that fails to load is reported as a warning.
    pub fn preferred() -> AdvisoryDb {
        match Self::installed() {
            Ok(Some(db)) => db.merge(Self::embedded()),
            Ok(None) => Self::embedded(),
            Err(e) => {
                let mut db = Self::embedded();
                let file = Self::default_install_dir().unwrap_or_default();
                db.warnings.push(LoadWarning { file, message: e.to_string() });
                db
            }
        }
    }

    /// Combines two databases. Records that describe the same finding become one advisory
    /// (the record already in `self` stays primary; see [`Advisory::related`]):
    /// - same crate and a shared id or alias (also a record loaded twice);
    /// - a RustSec and an OSV record about the same crate, both malicious, that agree on the
    ///   versions: both affect every version, or each record affects every version the other
    ///   names (its listed versions and its range bounds).
    pub fn merge(mut self, other: AdvisoryDb) -> AdvisoryDb {
        for a in other.advisories {
            self.insert(a);
        }
        for o in other.loaded_from {
            if !self.loaded_from.contains(&o) {
                self.loaded_from.push(o);
            }
        }
        self.warnings.extend(other.warnings);
        self.data_date = self.data_date.max(other.data_date);
        self
    }

    fn insert(&mut self, incoming: Advisory) {
        let key = normalize_name(&incoming.package);
        let candidates: Vec<usize> = self.index.get(&key).cloned().unwrap_or_default();
        let by_id = candidates.iter().copied().find(|&i| {
            let ids: Vec<&str> = self.advisories[i].all_ids().collect();
            incoming.all_ids().any(|id| ids.contains(&id))
        });
        let target = by_id.or_else(|| {
            if !incoming.malicious {
                return None;
            }
            candidates.iter().copied().find(|&i| {
                let a = &self.advisories[i];
                a.malicious && !a.sources().contains(&incoming.source) && same_versions(a, &incoming)
            })
        });
        match target {
            Some(i) => fold(&mut self.advisories[i], incoming),
            None => {
                self.index.entry(key).or_default().push(self.advisories.len());
                self.advisories.push(incoming);
            }
        }
    }

    fn reindex(&mut self) {
        self.index.clear();
        for (i, a) in self.advisories.iter().enumerate() {
            self.index.entry(normalize_name(&a.package)).or_default().push(i);
        }
    }

    /// The advisories that affect `version` of crate `name` (names compared as crates.io does:
    /// ASCII case-insensitive, `-` and `_` equivalent). Withdrawn advisories never match.
    /// See [`Advisory::affects`] for the version logic.
    pub fn matches(&self, name: &str, version: &Version) -> Vec<&Advisory> {
        self.for_package(name).into_iter().filter(|a| a.affects(version)).collect()
    }

    /// Every advisory about crate `name`, whatever the version.
    pub fn for_package(&self, name: &str) -> Vec<&Advisory> {
        self.index
            .get(&normalize_name(name))
            .map(|ids| ids.iter().map(|&i| &self.advisories[i]).collect())
            .unwrap_or_default()
    }

    /// The advisory with this id, alias or related id (exact, ASCII case-insensitive).
    pub fn get(&self, id: &str) -> Option<&Advisory> {
        self.advisories.iter().find(|a| a.all_ids().any(|x| x.eq_ignore_ascii_case(id)))
    }

    /// All advisories, in load order.
    pub fn advisories(&self) -> &[Advisory] {
        &self.advisories
    }

    /// The malicious advisories.
    pub fn malicious(&self) -> impl Iterator<Item = &Advisory> {
        self.advisories.iter().filter(|a| a.malicious)
    }

    /// Where the records were read from.
    pub fn loaded_from(&self) -> &[Origin] {
        &self.loaded_from
    }

    /// How current the data is: the newest advisory date.
    pub fn data_date(&self) -> Option<Date> {
        self.data_date
    }

    /// Files that were skipped, and why.
    pub fn warnings(&self) -> &[LoadWarning] {
        &self.warnings
    }

    /// Days from [`AdvisoryDb::data_date`] to `today`; `None` for an empty database.
    pub fn age_days(&self, today: Date) -> Option<i64> {
        self.data_date.map(|d| days_between(d, today))
    }

    /// A one-line statement of where the data came from and how old it is, for reports:
    /// "advisory data: built-in snapshot, newest advisory 2026-09-11 (12 days old)".
    pub fn describe(&self, today: Date) -> String {
        let from: Vec<String> = self.loaded_from.iter().map(ToString::to_string).collect();
        let from = if from.is_empty() { "no source".to_owned() } else { from.join(" + ") };
        match (self.data_date, self.age_days(today)) {
            (Some(d), Some(age)) => {
                let unit = if age == 1 { "day" } else { "days" };
                format!("advisory data: {from}, newest advisory {d} ({age} {unit} old)")
            }
            _ => format!("advisory data: {from}, no advisories"),
        }
    }
}

/// Today's date in the system's time zone (UTC if it cannot be determined).
pub fn today() -> Date {
    jiff::Zoned::now().date()
}

fn check_dir(path: &Path) -> Result<(), LoadError> {
    let meta = std::fs::metadata(path).map_err(|source| LoadError::Io { path: path.into(), source })?;
    if !meta.is_dir() {
        return Err(LoadError::NotADirectory(path.into()));
    }
    Ok(())
}

fn relative(path: &Path, root: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> =
        rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() { path.display().to_string() } else { parts.join("/") }
}

fn read_text(entry: &walkdir::DirEntry) -> Result<String, String> {
    if entry.path_is_symlink() {
        return Err("symbolic link: skipped".into());
    }
    let file = std::fs::File::open(entry.path()).map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(MAX_ADVISORY_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_ADVISORY_FILE_BYTES {
        return Err(format!("larger than {MAX_ADVISORY_FILE_BYTES} bytes: skipped"));
    }
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))
}

/// The versions a record names explicitly: OSV listed versions and range bounds.
fn named_versions(a: &Advisory) -> Vec<Version> {
    let mut out = Vec::new();
    for r in &a.affected_ranges {
        match r {
            AffectedRange::Versions { versions } => out.extend(versions.iter().cloned()),
            AffectedRange::Events { events } => out.extend(events.iter().filter_map(|e| match e {
                RangeEvent::Introduced(v) | RangeEvent::LastAffected(v) => Some(v.clone()),
                RangeEvent::Fixed(_) | RangeEvent::Limit(_) => None,
            })),
        }
    }
    out
}

fn same_versions(a: &Advisory, b: &Advisory) -> bool {
    if a.affects_all_versions() && b.affects_all_versions() {
        return true;
    }
    let (na, nb) = (named_versions(a), named_versions(b));
    if na.is_empty() && nb.is_empty() {
        return false;
    }
    na.iter().all(|v| b.affects(v)) && nb.iter().all(|v| a.affects(v))
}

fn fold(target: &mut Advisory, incoming: Advisory) {
    let same_record = incoming.source == target.source && target.all_ids().any(|id| id == incoming.id);
    let had: Vec<Source> = target.sources();
    for alias in &incoming.aliases {
        if !target.all_ids().any(|id| id == alias) {
            target.aliases.push(alias.clone());
        }
    }
    for i in incoming.indicators {
        if !target.indicators.contains(&i) {
            target.indicators.push(i);
        }
    }
    for r in incoming.references {
        if !target.references.contains(&r) {
            target.references.push(r);
        }
    }
    if same_record {
        return;
    }
    target.malicious |= incoming.malicious;
    if incoming.source == Source::RustSec && !had.contains(&Source::RustSec) {
        target.patched = incoming.patched;
        target.unaffected = incoming.unaffected;
    }
    if incoming.source == Source::Osv {
        target.affected_ranges.extend(incoming.affected_ranges);
    }
    target.withdrawn = match (target.withdrawn, incoming.withdrawn) {
        (Some(a), Some(b)) => Some(a.max(b)),
        _ => None,
    };
    target.related.push(RelatedRecord {
        id: incoming.id,
        source: incoming.source,
        url: incoming.url,
        file: incoming.file,
    });
    for r in incoming.related {
        if !target.related.iter().any(|x| x.id == r.id) {
            target.related.push(r);
        }
    }
}
