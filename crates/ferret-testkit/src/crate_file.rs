//! Building `.crate` archives in memory.

use std::path::Path;

use flate2::Compression;
use flate2::write::GzEncoder;

/// Fixed modification time written into every archive entry, so that the same inputs always
/// give the same bytes (and the same checksum).
const MTIME: u64 = 1_700_000_000;

enum Entry {
    File { path: String, contents: Vec<u8>, mode: u32 },
    Symlink { path: String, target: String },
    Unchecked { name: Vec<u8>, contents: Vec<u8> },
}

/// Builds the bytes of a `.crate` file: a gzip-compressed tar whose entries live under a
/// `name-version/` top directory, as `cargo package` makes them.
///
/// ```
/// let bytes = ferret_testkit::CrateBuilder::new("foo", "1.0.0")
///     .minimal_manifest()
///     .file("src/lib.rs", "pub fn f() {}")
///     .build();
/// assert_eq!(&bytes[..2], &[0x1f, 0x8b]);
/// ```
pub struct CrateBuilder {
    name: String,
    version: String,
    entries: Vec<Entry>,
}

impl CrateBuilder {
    /// Starts an empty crate `name` at `version`.
    pub fn new(name: &str, version: &str) -> Self {
        CrateBuilder { name: name.to_owned(), version: version.to_owned(), entries: Vec::new() }
    }

    /// The top directory of the archive, `name-version`.
    pub fn top_dir(&self) -> String {
        format!("{}-{}", self.name, self.version)
    }

    /// Adds a regular file at `path` (relative to the crate root, `/`-separated).
    pub fn file(mut self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.entries.push(Entry::File {
            path: path.to_owned(),
            contents: contents.as_ref().to_vec(),
            mode: 0o644,
        });
        self
    }

    /// Adds an executable regular file (mode 0755) at `path`.
    pub fn executable(mut self, path: &str, contents: impl AsRef<[u8]>) -> Self {
        self.entries.push(Entry::File {
            path: path.to_owned(),
            contents: contents.as_ref().to_vec(),
            mode: 0o755,
        });
        self
    }

    /// Adds a `Cargo.toml` with just `[package]` name, version and edition 2021.
    pub fn minimal_manifest(self) -> Self {
        let manifest = format!(
            "[package]\nname = \"{}\"\nversion = \"{}\"\nedition = \"2021\"\n",
            self.name, self.version
        );
        self.file("Cargo.toml", manifest)
    }

    /// Adds a symbolic link at `path` pointing to `target` (for hostile-archive tests).
    pub fn symlink(mut self, path: &str, target: &str) -> Self {
        self.entries.push(Entry::Symlink { path: path.to_owned(), target: target.to_owned() });
        self
    }

    /// Adds a regular file whose tar header name is exactly `name` (at most 100 bytes), with
    /// no top directory prefixed and no validation: for archives holding `../x`, `/etc/x` or
    /// invalid UTF-8 names.
    ///
    /// # Panics
    /// If `name` is longer than the 100 bytes of a tar header's name field.
    pub fn unchecked_entry(mut self, name: &[u8], contents: impl AsRef<[u8]>) -> Self {
        assert!(name.len() <= 100, "unchecked tar entry name longer than 100 bytes");
        self.entries.push(Entry::Unchecked { name: name.to_vec(), contents: contents.as_ref().to_vec() });
        self
    }

    /// The gzip'd tar bytes.
    ///
    /// # Panics
    /// If a path is rejected by the `tar` crate (use [`CrateBuilder::unchecked_entry`] for those).
    pub fn build(self) -> Vec<u8> {
        let top = self.top_dir();
        let gz = GzEncoder::new(Vec::new(), Compression::default());
        let mut tar = tar::Builder::new(gz);
        tar.mode(tar::HeaderMode::Deterministic);
        for entry in self.entries {
            match entry {
                Entry::File { path, contents, mode } => {
                    let mut header = tar::Header::new_gnu();
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_size(contents.len() as u64);
                    header.set_mode(mode);
                    header.set_mtime(MTIME);
                    let full = format!("{top}/{path}");
                    tar.append_data(&mut header, &full, contents.as_slice())
                        .unwrap_or_else(|e| panic!("cannot add {full} to the test crate: {e}"));
                }
                Entry::Symlink { path, target } => {
                    let mut header = tar::Header::new_gnu();
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_size(0);
                    header.set_mode(0o777);
                    header.set_mtime(MTIME);
                    let full = format!("{top}/{path}");
                    tar.append_link(&mut header, &full, &target)
                        .unwrap_or_else(|e| panic!("cannot add symlink {full} to the test crate: {e}"));
                }
                Entry::Unchecked { name, contents } => {
                    let mut header = tar::Header::new_old();
                    header.set_entry_type(tar::EntryType::Regular);
                    header.set_size(contents.len() as u64);
                    header.set_mode(0o644);
                    header.set_mtime(MTIME);
                    let field = &mut header.as_old_mut().name;
                    field.fill(0);
                    field[..name.len()].copy_from_slice(&name);
                    header.set_cksum();
                    tar.append(&header, contents.as_slice())
                        .unwrap_or_else(|e| panic!("cannot add an unchecked entry to the test crate: {e}"));
                }
            }
        }
        let gz = tar.into_inner().unwrap_or_else(|e| panic!("cannot finish the test crate's tar: {e}"));
        gz.finish().unwrap_or_else(|e| panic!("cannot finish the test crate's gzip: {e}"))
    }
}

/// Builds a `.crate` from an inert fixture directory: every regular file under `dir`
/// (recursively, in sorted order) is stored under `name-version/`. Symbolic links and other
/// special files in the fixture are skipped.
///
/// # Panics
/// If `dir` cannot be read (the message names the path).
pub fn crate_bytes_from_dir(dir: &Path, name: &str, version: &str) -> Vec<u8> {
    let mut files = Vec::new();
    collect_files(dir, "", &mut files);
    files.sort_by(|a, b| a.0.cmp(&b.0));
    let mut builder = CrateBuilder::new(name, version);
    for (rel, contents) in files {
        builder = builder.file(&rel, contents);
    }
    builder.build()
}

fn collect_files(dir: &Path, prefix: &str, out: &mut Vec<(String, Vec<u8>)>) {
    let read = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read fixture directory {}: {e}", dir.display()));
    for entry in read {
        let entry = entry.unwrap_or_else(|e| panic!("cannot read fixture directory {}: {e}", dir.display()));
        let path = entry.path();
        let file_type = entry
            .file_type()
            .unwrap_or_else(|e| panic!("cannot stat {}: {e}", path.display()));
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else {
            panic!("fixture file name is not UTF-8: {}", path.display());
        };
        let rel = if prefix.is_empty() { file_name.to_owned() } else { format!("{prefix}/{file_name}") };
        if file_type.is_dir() {
            collect_files(&path, &rel, out);
        } else if file_type.is_file() {
            let contents =
                std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read fixture file {}: {e}", path.display()));
            out.push((rel, contents));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    fn entries(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut archive = tar::Archive::new(GzDecoder::new(bytes));
        let mut out = Vec::new();
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            let path = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let mut data = Vec::new();
            entry.read_to_end(&mut data).unwrap();
            out.push((path, data));
        }
        out
    }

    #[test]
    fn builder_prefixes_top_dir_and_is_deterministic() {
        let make = || CrateBuilder::new("foo", "1.2.3").minimal_manifest().file("src/lib.rs", "fn a() {}").build();
        let a = make();
        assert_eq!(a, make());
        let e = entries(&a);
        assert_eq!(e[0].0, "foo-1.2.3/Cargo.toml");
        assert_eq!(e[1], ("foo-1.2.3/src/lib.rs".to_owned(), b"fn a() {}".to_vec()));
    }

    #[test]
    fn unchecked_entry_keeps_traversal_name() {
        let bytes = CrateBuilder::new("x", "0.1.0").unchecked_entry(b"../evil", "boom").build();
        assert_eq!(entries(&bytes), vec![("../evil".to_owned(), b"boom".to_vec())]);
    }

    #[test]
    fn from_dir_walks_recursively() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::create_dir_all(dir.join("src/deep")).unwrap();
        std::fs::write(dir.join("Cargo.toml"), "[package]").unwrap();
        std::fs::write(dir.join("src/deep/m.rs"), "x").unwrap();
        let bytes = crate_bytes_from_dir(dir, "d", "0.0.1");
        let names: Vec<_> = entries(&bytes).into_iter().map(|e| e.0).collect();
        assert_eq!(names, vec!["d-0.0.1/Cargo.toml", "d-0.0.1/src/deep/m.rs"]);
    }
}
