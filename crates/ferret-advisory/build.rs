//! Embeds the advisory snapshot (`data/advisories/` at the workspace root) into the library.
//!
//! Walks the folder and writes `$OUT_DIR/embedded_files.rs`: a sorted table of
//! `(relative path, include_bytes!(absolute path))`. Cargo is told to rerun when any folder
//! or file of the snapshot changes, so an added or edited advisory is picked up.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let root = manifest.join("../../data/advisories");
    println!("cargo::rerun-if-changed={}", root.display());
    let root = match root.canonicalize() {
        Ok(r) => r,
        Err(e) => panic!("advisory snapshot folder {} is missing: {e}", root.display()),
    };
    let mut files = Vec::new();
    walk(&root, &root, &mut files, 0);
    files.sort();
    let mut out = String::from("/// Every file of the advisory snapshot: (path relative to data/advisories, bytes).\n");
    out.push_str("pub(crate) static FILES: &[(&str, &[u8])] = &[\n");
    for (rel, abs) in &files {
        writeln!(out, "    ({rel:?}, include_bytes!({abs:?})),").unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR")).join("embedded_files.rs");
    std::fs::write(&dest, out).expect("write embedded_files.rs");
}

fn walk(root: &Path, dir: &Path, files: &mut Vec<(String, String)>, depth: usize) {
    assert!(depth < 16, "advisory snapshot is nested too deep at {}", dir.display());
    println!("cargo::rerun-if-changed={}", dir.display());
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        let path = entry.path();
        let kind = entry.file_type().unwrap_or_else(|e| panic!("stat {}: {e}", path.display()));
        if kind.is_dir() {
            walk(root, &path, files, depth + 1);
        } else if kind.is_file() {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with(".md") && name.starts_with("RUSTSEC-") || name.ends_with(".json") {
                println!("cargo::rerun-if-changed={}", path.display());
                let rel = path.strip_prefix(root).expect("inside root");
                let rel: Vec<String> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
                files.push((rel.join("/"), path.display().to_string()));
            }
        }
    }
}
