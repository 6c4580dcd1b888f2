//! Reading `Cargo.lock` (with rustsec's `cargo-lock`) into a dependency graph.

use crate::AuditError;
use std::collections::{HashMap, VecDeque};
use std::path::{Path, PathBuf};

/// The source of the default registry as lockfiles spell it.
pub const CRATES_IO_SOURCE: &str = "registry+https://github.com/rust-lang/crates.io-index";

/// Where a locked package comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackageSource {
    /// crates.io (whatever index cargo is configured to use for it).
    CratesIo,
    /// Another registry, by its index URL as written in the lockfile (`sparse+https://...`).
    Registry(String),
    /// A git repository (`git+URL#rev`).
    Git(String),
    /// No source: a workspace member or a path dependency.
    Local,
}

/// One `[[package]]` of the lockfile.
#[derive(Debug, Clone)]
pub struct LockedPackage {
    /// Crate name.
    pub name: String,
    /// Version as written.
    pub version: String,
    /// Where it comes from.
    pub source: PackageSource,
    /// sha256 of the `.crate` (registry packages).
    pub checksum: Option<String>,
    /// Indices (into [`LockGraph::packages`]) of the packages it depends on.
    pub deps: Vec<usize>,
}

/// The packages of a lockfile and their edges.
#[derive(Debug, Clone)]
pub struct LockGraph {
    /// The file it was read from.
    pub path: PathBuf,
    /// Packages in file order.
    pub packages: Vec<LockedPackage>,
}

fn line_of(text: &str, needle: &str) -> Option<usize> {
    text.find(needle).map(|o| text[..o].matches('\n').count() + 1)
}

/// "TOML parse error at line 3, column 1" -> 3.
fn line_in_message(msg: &str) -> Option<usize> {
    let i = msg.find("line ")?;
    msg[i + 5..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

impl LockGraph {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<LockGraph, AuditError> {
        let text = std::fs::read_to_string(path).map_err(|source| AuditError::Io { what: "read the lockfile", path: path.to_path_buf(), source })?;
        LockGraph::parse(&text, path)
    }

    /// Parses lockfile text; `path` names the file in errors.
    pub fn parse(text: &str, path: &Path) -> Result<LockGraph, AuditError> {
        let bad = |line: Option<usize>, message: String| AuditError::Lockfile { path: path.to_path_buf(), line, message };
        let lock: cargo_lock::Lockfile = text.parse().map_err(|e: cargo_lock::Error| {
            let msg = e.to_string();
            let first = msg.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('|') && !l.chars().next().is_some_and(|c| c.is_ascii_digit())).collect::<Vec<_>>();
            bad(line_in_message(&msg), first.join(": ").replace("parse error: TOML parse error at ", "").trim().to_string())
        })?;
        let mut packages: Vec<LockedPackage> = lock
            .packages
            .iter()
            .map(|p| {
                let source = match &p.source {
                    None => PackageSource::Local,
                    Some(s) if s.is_default_registry() => PackageSource::CratesIo,
                    Some(s) if s.is_git() => PackageSource::Git(s.to_string()),
                    Some(s) if s.is_registry() => PackageSource::Registry(s.to_string()),
                    Some(s) => PackageSource::Registry(s.to_string()),
                };
                LockedPackage {
                    name: p.name.as_str().to_string(),
                    version: p.version.to_string(),
                    source,
                    checksum: p.checksum.as_ref().map(|c| c.to_string()),
                    deps: Vec::new(),
                }
            })
            .collect();
        let mut by_name: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, p) in lock.packages.iter().enumerate() {
            by_name.entry(p.name.as_str()).or_default().push(i);
        }
        let mut edges = Vec::with_capacity(lock.packages.len());
        for p in &lock.packages {
            let mut deps = Vec::new();
            for d in &p.dependencies {
                let candidates = by_name.get(d.name.as_str()).cloned().unwrap_or_default();
                let hit = candidates
                    .iter()
                    .copied()
                    .find(|&i| lock.packages[i].version == d.version && (d.source.is_none() || lock.packages[i].source == d.source))
                    .or_else(|| candidates.iter().copied().find(|&i| lock.packages[i].version == d.version));
                match hit {
                    Some(i) => deps.push(i),
                    None => {
                        let line = line_of(text, &format!("name = \"{}\"", p.name.as_str()));
                        return Err(bad(line, format!("package `{} {}` depends on `{} {}`, which the lockfile does not list", p.name, p.version, d.name, d.version)));
                    }
                }
            }
            edges.push(deps);
        }
        for (p, deps) in packages.iter_mut().zip(edges) {
            p.deps = deps;
        }
        for p in &packages {
            if matches!(p.source, PackageSource::CratesIo | PackageSource::Registry(_)) {
                if let Some(c) = &p.checksum {
                    if c.len() != 64 || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
                        let line = line_of(text, c);
                        return Err(bad(line, format!("package `{} {}` has an invalid checksum `{c}`", p.name, p.version)));
                    }
                }
            }
        }
        Ok(LockGraph { path: path.to_path_buf(), packages })
    }

    /// Indices of packages with no source that no other package depends on: the roots when
    /// the workspace's manifests cannot be read.
    pub fn guess_roots(&self) -> Vec<usize> {
        let mut depended = vec![false; self.packages.len()];
        for p in &self.packages {
            for &d in &p.deps {
                depended[d] = true;
            }
        }
        let roots: Vec<usize> = (0..self.packages.len()).filter(|&i| self.packages[i].source == PackageSource::Local && !depended[i]).collect();
        if !roots.is_empty() {
            return roots;
        }
        let local: Vec<usize> = (0..self.packages.len()).filter(|&i| self.packages[i].source == PackageSource::Local).collect();
        if !local.is_empty() {
            return local;
        }
        (0..self.packages.len()).filter(|&i| !depended[i]).collect()
    }

    /// The index of the package `name` at `version`.
    pub fn find(&self, name: &str, version: &str) -> Option<usize> {
        self.packages.iter().position(|p| p.name == name && p.version == version)
    }

    /// For every package, the shortest chain of crate names from one of `roots` down to it
    /// (inclusive), or an empty chain when unreachable.
    pub fn shortest_paths(&self, roots: &[usize]) -> Vec<Vec<String>> {
        let n = self.packages.len();
        let mut parent: Vec<Option<usize>> = vec![None; n];
        let mut seen = vec![false; n];
        let mut queue = VecDeque::new();
        for &r in roots {
            if r < n && !seen[r] {
                seen[r] = true;
                queue.push_back(r);
            }
        }
        while let Some(i) = queue.pop_front() {
            for &d in &self.packages[i].deps {
                if !seen[d] {
                    seen[d] = true;
                    parent[d] = Some(i);
                    queue.push_back(d);
                }
            }
        }
        (0..n)
            .map(|i| {
                if !seen[i] {
                    return Vec::new();
                }
                let mut chain = vec![self.packages[i].name.clone()];
                let mut cur = i;
                while let Some(p) = parent[cur] {
                    chain.push(self.packages[p].name.clone());
                    cur = p;
                }
                chain.reverse();
                chain
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["front", "serde"]

[[package]]
name = "front"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000001"
dependencies = ["payload"]

[[package]]
name = "payload"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000002"

[[package]]
name = "serde"
version = "1.0.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "0000000000000000000000000000000000000000000000000000000000000003"
"#;

    #[test]
    fn graph_and_paths() {
        let g = LockGraph::parse(LOCK, Path::new("Cargo.lock")).unwrap();
        assert_eq!(g.packages.len(), 4);
        assert_eq!(g.packages[0].source, PackageSource::Local);
        assert_eq!(g.packages[1].source, PackageSource::CratesIo);
        let roots = g.guess_roots();
        assert_eq!(roots, vec![0]);
        let paths = g.shortest_paths(&roots);
        assert_eq!(paths[2], vec!["app", "front", "payload"]);
    }

    #[test]
    fn broken_lockfiles_name_file_and_line() {
        let e = LockGraph::parse("version = 4\n\n[[package]]\nname = \"a\"\nversion = \n", Path::new("x/Cargo.lock")).unwrap_err().to_string();
        assert!(e.starts_with("x/Cargo.lock:5") || e.contains("line 5"), "{e}");
        let e = LockGraph::parse("version = 4\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"missing\"]\n", Path::new("Cargo.lock"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("Cargo.lock"), "{e}");
    }
}
