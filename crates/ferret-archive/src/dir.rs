//! Unpacked crate directories, read under the same limits as archives.

use crate::{
    ArchiveError, CrateArchive, CrateFile, HEAD_LEN, Limits, Problem, detect_kind, finish,
};
use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::Read;
use std::path::Path;

/// Read an unpacked crate directory into memory under `limits`.
///
/// Symbolic links are never followed (each is recorded as [`Problem::Link`]); devices, FIFOs
/// and sockets are recorded as [`Problem::Device`] and never opened. `target/` at the top and
/// `.git/` at any depth are skipped. Entries are visited in name order. The total limit counts
/// the bytes actually read, since skipping the rest of a big file costs nothing here.
pub fn read_crate_dir(dir: &Path, limits: &Limits) -> Result<CrateArchive, ArchiveError> {
    let meta = fs::metadata(dir).map_err(|source| ArchiveError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    if !meta.is_dir() {
        return Err(ArchiveError::NotADirectory {
            path: dir.to_path_buf(),
        });
    }
    let root = dir
        .canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let mut walk = Walk {
        limits,
        files: Vec::new(),
        problems: Vec::new(),
        entries: 0,
        read_total: 0,
        unpacked: 0,
    };
    // The top directory itself must be listable; below it, failures are problems.
    let top = list(dir).map_err(|source| ArchiveError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    walk.visit("", 0, top);
    let archive = CrateArchive {
        root,
        files: walk.files,
        problems: walk.problems,
        compressed_size: 0,
        unpacked_size: walk.unpacked,
    };
    finish(dir, archive)
}

/// A directory's entries sorted by name.
fn list(dir: &Path) -> std::io::Result<Vec<fs::DirEntry>> {
    let mut entries = fs::read_dir(dir)?.collect::<std::io::Result<Vec<_>>>()?;
    entries.sort_by_key(|e| e.file_name());
    Ok(entries)
}

struct Walk<'l> {
    limits: &'l Limits,
    files: Vec<CrateFile>,
    problems: Vec<Problem>,
    entries: usize,
    read_total: u64,
    unpacked: u64,
}

enum Flow {
    Continue,
    Stop,
}

impl Walk<'_> {
    fn name(&mut self, name: &OsStr, prefix: &str) -> String {
        match name.to_str() {
            Some(s) => format!("{prefix}{s}"),
            None => {
                let rel = format!("{prefix}{}", name.to_string_lossy());
                self.problems
                    .push(Problem::InvalidUtf8Path { path: rel.clone() });
                rel
            }
        }
    }

    /// Visit `entries` of a directory whose relative path is `prefix` (empty or
    /// ending in `/`), at `depth` components below the root.
    fn visit(&mut self, prefix: &str, depth: usize, entries: Vec<fs::DirEntry>) -> Flow {
        for entry in entries {
            let name = entry.file_name();
            if name == ".git" || (depth == 0 && name == "target") {
                continue;
            }
            let rel = self.name(&name, prefix);
            if self.entries >= self.limits.max_files {
                self.problems.push(Problem::TooManyFiles {
                    limit: self.limits.max_files,
                });
                return Flow::Stop;
            }
            self.entries += 1;
            let entry_depth = depth + 1;
            // `file_type` does not follow symlinks.
            let ft = match entry.file_type() {
                Ok(ft) => ft,
                Err(e) => {
                    self.problems.push(Problem::Unreadable {
                        path: rel,
                        message: e.to_string(),
                    });
                    continue;
                }
            };
            if ft.is_symlink() {
                let target = fs::read_link(entry.path())
                    .map(|t| t.to_string_lossy().into_owned())
                    .unwrap_or_default();
                self.problems.push(Problem::Link {
                    path: rel,
                    target,
                    hard: false,
                });
            } else if ft.is_dir() {
                if entry_depth >= self.limits.max_depth {
                    // Its children would be deeper than the limit.
                    self.problems.push(Problem::TooDeep {
                        path: rel,
                        depth: entry_depth + 1,
                    });
                    continue;
                }
                let path = entry.path();
                match list(&path) {
                    Ok(children) => {
                        let child_prefix = format!("{rel}/");
                        if let Flow::Stop = self.visit(&child_prefix, entry_depth, children) {
                            return Flow::Stop;
                        }
                    }
                    Err(e) => self.problems.push(Problem::Unreadable {
                        path: rel,
                        message: e.to_string(),
                    }),
                }
            } else if ft.is_file() {
                if entry_depth > self.limits.max_depth {
                    self.problems.push(Problem::TooDeep {
                        path: rel,
                        depth: entry_depth,
                    });
                    continue;
                }
                if let Flow::Stop = self.read_file(&entry.path(), rel) {
                    return Flow::Stop;
                }
            } else {
                self.problems.push(Problem::Device { path: rel });
            }
        }
        Flow::Continue
    }

    fn read_file(&mut self, path: &Path, rel: String) -> Flow {
        let unreadable = |rel: String, e: std::io::Error| Problem::Unreadable {
            path: rel,
            message: e.to_string(),
        };
        let file = match File::open(path) {
            Ok(f) => f,
            Err(e) => {
                self.problems.push(unreadable(rel, e));
                return Flow::Continue;
            }
        };
        // Re-check on the open handle: the entry may have been swapped since it was listed.
        let meta = match file.metadata() {
            Ok(m) if m.is_file() => m,
            Ok(_) => {
                self.problems.push(Problem::Device { path: rel });
                return Flow::Continue;
            }
            Err(e) => {
                self.problems.push(unreadable(rel, e));
                return Flow::Continue;
            }
        };
        let size = meta.len();
        let room = self.limits.max_total_bytes.saturating_sub(self.read_total);
        let want = self.limits.max_file_bytes.min(room.saturating_add(1));
        let mut data = Vec::with_capacity(usize::try_from(size.min(want)).unwrap_or(0));
        if let Err(e) = file.take(want).read_to_end(&mut data) {
            self.problems.push(unreadable(rel, e));
            return Flow::Continue;
        }
        self.read_total += data.len() as u64;
        if self.read_total > self.limits.max_total_bytes {
            self.problems.push(Problem::TotalTooLarge {
                limit: self.limits.max_total_bytes,
            });
            return Flow::Stop;
        }
        self.unpacked += size;
        if size > self.limits.max_file_bytes {
            self.problems.push(Problem::FileTooLarge {
                path: rel.clone(),
                size,
            });
        }
        let kind = detect_kind(&rel, &data[..data.len().min(HEAD_LEN)]);
        self.files.push(CrateFile {
            path: rel,
            truncated: (data.len() as u64) < size,
            data,
            size,
            kind,
            executable_bit: executable(&meta),
        });
        Flow::Continue
    }
}

#[cfg(unix)]
fn executable(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn executable(_meta: &fs::Metadata) -> bool {
    false
}
