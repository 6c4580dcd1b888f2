//! One scanned crate version as audit keeps it: the engine's report plus the manifest facts
//! that kinds and update review need; and the on-disk cache of these, keyed by checksum.

use ferret_archive::{CrateArchive, FileKind};
use ferret_core::manifest::{self, DepKind};
use ferret_core::{Report, Scanner};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// A dependency as declared in a scanned crate's manifest.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DeclaredDep {
    /// Registry name.
    pub name: String,
    /// `normal`, `build` or `dev`.
    pub kind: String,
    /// Version requirement as written.
    pub req: String,
    /// Not from crates.io (git/path/other registry), as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// Manifest facts of a scanned crate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSummary {
    /// Build script path, when the crate has one.
    pub build_script: Option<String>,
    /// `[lib] proc-macro = true`.
    pub proc_macro: bool,
    /// Declared dependencies.
    pub deps: Vec<DeclaredDep>,
    /// Files that are executables or native objects (by magic bytes).
    pub binaries: Vec<String>,
}

/// `normal` / `build` / `dev`.
pub fn kind_str(k: DepKind) -> &'static str {
    match k {
        DepKind::Normal => "normal",
        DepKind::Build => "build",
        DepKind::Dev => "dev",
    }
}

impl ManifestSummary {
    /// From an archive (a manifest that cannot be parsed gives an empty summary; the scan
    /// reports the problem).
    pub fn of(archive: &CrateArchive) -> ManifestSummary {
        let mut s = ManifestSummary::default();
        if let Some(f) = archive.cargo_toml() {
            if let Ok(m) = manifest::parse(&f.text(), |p| archive.file(p).is_some()) {
                s.build_script = m.build_script;
                s.proc_macro = m.proc_macro;
                s.deps = m.dependencies.into_iter().map(|d| DeclaredDep { name: d.name, kind: kind_str(d.kind).into(), req: d.req, source: d.source }).collect();
                s.deps.sort();
                s.deps.dedup();
            }
        }
        s.binaries = archive
            .files
            .iter()
            .filter(|f| matches!(f.kind, FileKind::Elf | FileKind::Pe | FileKind::MachO | FileKind::Wasm))
            .map(|f| f.path.clone())
            .collect();
        s
    }

    /// The kinds under which this crate declares a dependency on `name`.
    pub fn kinds_of(&self, name: &str) -> Vec<&str> {
        self.deps.iter().filter(|d| ferret_advisory::names_equal(&d.name, name)).map(|d| d.kind.as_str()).collect()
    }
}

/// A scanned crate version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The engine's report (before audit adjusts it for kind, config and ignores).
    pub report: Report,
    /// Manifest facts.
    pub manifest: ManifestSummary,
}

impl Snapshot {
    /// Scans an archive.
    pub fn scan(scanner: &Scanner, archive: &CrateArchive, name: &str, version: &str) -> Snapshot {
        Snapshot { report: scanner.scan_archive(archive, name, version), manifest: ManifestSummary::of(archive) }
    }

    /// Reads and scans a `.crate` file or crate directory. A target that cannot be read gets
    /// a failed report (verdict suspicious, `error` set).
    pub fn scan_path(scanner: &Scanner, path: &Path, name: &str, version: &str) -> Snapshot {
        let limits = &scanner.options().limits;
        let read = if path.is_dir() { ferret_archive::read_crate_dir(path, limits) } else { ferret_archive::read_crate_file(path, limits) };
        match read {
            Ok(a) => Snapshot::scan(scanner, &a, name, version),
            Err(e) => Snapshot { report: Report::failed(name, version, e.to_string()), manifest: ManifestSummary::default() },
        }
    }
}

/// Results cached on disk as one JSON file per `.crate` checksum, under a directory named by
/// the engine fingerprint (ferret's version, the rule table, the executable, the advisory
/// data, the severity overrides): anything that could change a result changes the directory.
#[derive(Debug, Clone)]
pub struct ResultCache {
    dir: PathBuf,
}

impl ResultCache {
    /// A cache under `root` for results of the engine identified by `fingerprint`.
    pub fn new(root: &Path, fingerprint: &str) -> ResultCache {
        ResultCache { dir: root.join(fingerprint) }
    }

    /// `$FERRET_CACHE_DIR/audit` when that variable is set, else the user's cache dir
    /// (`~/.cache/ferret/audit` on Linux).
    pub fn default_root() -> Option<PathBuf> {
        if let Some(d) = std::env::var_os("FERRET_CACHE_DIR").filter(|d| !d.is_empty()) {
            return Some(PathBuf::from(d).join("audit"));
        }
        directories::ProjectDirs::from("", "", "ferret").map(|d| d.cache_dir().join("audit"))
    }

    /// The directory of this fingerprint's results.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn file(&self, cksum: &str) -> Option<PathBuf> {
        (cksum.len() == 64 && cksum.bytes().all(|b| b.is_ascii_hexdigit())).then(|| self.dir.join(format!("{}.json", cksum.to_ascii_lowercase())))
    }

    /// The cached result for a checksum; unreadable or corrupt entries count as misses.
    pub fn get(&self, cksum: &str) -> Option<Snapshot> {
        let bytes = std::fs::read(self.file(cksum)?).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores a result (atomically: a temp file renamed into place). Failures are returned
    /// for the caller to note; the audit does not depend on them.
    pub fn put(&self, cksum: &str, snap: &Snapshot) -> std::io::Result<()> {
        let Some(dest) = self.file(cksum) else { return Ok(()) };
        std::fs::create_dir_all(&self.dir)?;
        let json = serde_json::to_vec(snap).map_err(std::io::Error::other)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)?;
        std::io::Write::write_all(&mut tmp, &json)?;
        tmp.persist(&dest).map_err(|e| e.error)?;
        Ok(())
    }
}

/// Identifies everything that decides a scan result, for the cache: ferret's version, the
/// rule table (codes, names, severities, docs), the running executable (size and mtime, so
/// a rebuilt engine never reuses old results), the advisory data and the overrides.
pub fn engine_fingerprint(advisories: &ferret_advisory::AdvisoryDb, overrides: &std::collections::HashMap<String, ferret_core::Severity>) -> String {
    let mut h = Sha256::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    for r in ferret_core::rules::all() {
        h.update(format!("{}|{}|{}|{}|{}\n", r.code, r.name, r.severity, r.summary, r.doc).as_bytes());
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Ok(m) = std::fs::metadata(&exe) {
            let mtime = m.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).map(|d| d.as_nanos()).unwrap_or(0);
            h.update(format!("exe {} {mtime}\n", m.len()).as_bytes());
        }
    }
    h.update(format!("adv {} {:?} {:?}\n", advisories.advisories().len(), advisories.data_date(), advisories.loaded_from()).as_bytes());
    for a in advisories.advisories() {
        h.update(a.id.as_bytes());
        h.update(a.package.as_bytes());
    }
    let mut ov: Vec<_> = overrides.iter().collect();
    ov.sort();
    for (k, v) in ov {
        h.update(format!("ov {k}={v}\n").as_bytes());
    }
    hex::encode(&h.finalize()[..12])
}
