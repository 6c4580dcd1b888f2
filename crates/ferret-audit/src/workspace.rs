//! The auditing project's own manifests (when readable): workspace members, their declared
//! dependency kinds, and where path dependencies live. These are the user's files, not a
//! dependency's, but they are still only read, never run (no `cargo metadata`).

use ferret_core::manifest::{self, DepKind};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A workspace member.
#[derive(Debug, Clone)]
pub struct Member {
    /// Package name.
    pub name: String,
    /// Its directory.
    pub dir: PathBuf,
    /// Declared dependencies: (registry name, kind).
    pub deps: Vec<(String, DepKind)>,
}

/// What was read from the workspace.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    /// The directory of the root `Cargo.toml`.
    pub root: Option<PathBuf>,
    /// Members found.
    pub members: Vec<Member>,
    /// Path dependencies declared by members (or `[workspace.dependencies]`): name -> directory.
    pub path_deps: HashMap<String, PathBuf>,
    /// Manifests that could not be read (the audit goes on from the lockfile alone).
    pub warnings: Vec<String>,
}

fn read_toml(path: &Path) -> Result<(String, toml::Table), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| format!("{}: {}", path.display(), e.message()))?;
    Ok((text, table))
}

/// Expands a `members` pattern: a plain path, or one whose last component contains `*`.
fn expand(root: &Path, pattern: &str) -> Vec<PathBuf> {
    let pattern = pattern.trim_end_matches('/');
    let p = Path::new(pattern);
    let last = p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    if !last.contains('*') {
        return vec![root.join(p)];
    }
    let parent = root.join(p.parent().unwrap_or(Path::new("")));
    let (pre, post) = last.split_once('*').unwrap_or((&last, ""));
    let mut out: Vec<PathBuf> = std::fs::read_dir(&parent)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.starts_with(pre) && n.ends_with(post) && e.path().join("Cargo.toml").is_file()
                })
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

fn path_deps_of(table: &toml::Table, dir: &Path, out: &mut HashMap<String, PathBuf>) {
    let mut visit = |t: &toml::Table| {
        for (key, spec) in t {
            if let Some(p) = spec.get("path").and_then(|v| v.as_str()) {
                let name = spec.get("package").and_then(|v| v.as_str()).unwrap_or(key).to_string();
                out.entry(name).or_insert_with(|| dir.join(p));
            }
        }
    };
    for sec in ["dependencies", "build-dependencies", "dev-dependencies", "build_dependencies", "dev_dependencies"] {
        if let Some(t) = table.get(sec).and_then(|v| v.as_table()) {
            visit(t);
        }
    }
    if let Some(targets) = table.get("target").and_then(|v| v.as_table()) {
        for (_, t) in targets {
            for sec in ["dependencies", "build-dependencies", "dev-dependencies"] {
                if let Some(t) = t.get(sec).and_then(|v| v.as_table()) {
                    visit(t);
                }
            }
        }
    }
    if let Some(t) = table.get("workspace").and_then(|w| w.get("dependencies")).and_then(|v| v.as_table()) {
        visit(t);
    }
}

impl Workspace {
    /// Reads the workspace whose root manifest is `root_manifest`. Never fails: what cannot be
    /// read is recorded in `warnings`.
    pub fn read(root_manifest: &Path) -> Workspace {
        let mut ws = Workspace::default();
        let root_dir = root_manifest.parent().map(Path::to_path_buf).unwrap_or_default();
        let (_, table) = match read_toml(root_manifest) {
            Ok(t) => t,
            Err(e) => {
                ws.warnings.push(e);
                return ws;
            }
        };
        ws.root = Some(root_dir.clone());
        let mut dirs = Vec::new();
        if table.contains_key("package") {
            dirs.push(root_dir.clone());
        }
        if let Some(w) = table.get("workspace").and_then(|w| w.as_table()) {
            let list = |k: &str| -> Vec<String> {
                w.get(k).and_then(|v| v.as_array()).map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect()).unwrap_or_default()
            };
            let excluded: Vec<PathBuf> = list("exclude").iter().map(|e| root_dir.join(e)).collect();
            for pat in list("members") {
                for d in expand(&root_dir, &pat) {
                    if !excluded.contains(&d) && !dirs.contains(&d) {
                        dirs.push(d);
                    }
                }
            }
        }
        path_deps_of(&table, &root_dir, &mut ws.path_deps);
        for dir in dirs {
            let mf = dir.join("Cargo.toml");
            let (text, table) = match read_toml(&mf) {
                Ok(t) => t,
                Err(e) => {
                    ws.warnings.push(e);
                    continue;
                }
            };
            path_deps_of(&table, &dir, &mut ws.path_deps);
            match manifest::parse(&text, |p| dir.join(p).is_file()) {
                Ok(m) => {
                    let Some(name) = m.name.clone() else { continue };
                    let deps = m.dependencies.iter().map(|d| (d.name.clone(), d.kind)).collect();
                    ws.members.push(Member { name, dir, deps });
                }
                Err(e) => ws.warnings.push(format!("{}: {e}", mf.display())),
            }
        }
        ws
    }
}
