//! Reading a hostile crate safely into memory.
//!
//! A `.crate` file (a gzip-compressed tar) or an unpacked crate directory is read into a
//! [`CrateArchive`]: every kept file's bytes, its true size and its [`FileKind`] (decided by
//! magic bytes first), plus the [`Problem`]s met on the way. Nothing is written to disk and
//! nothing from the crate is ever built or run.
//!
//! Everything in the input is treated as hostile: sizes, counts and depths are bounded by
//! [`Limits`]; `..` components, absolute paths, links and devices are refused and recorded;
//! a gzip bomb stops at the total limit; a corrupt or truncated archive keeps what was read.
//! Only failures that leave nothing to look at are an [`ArchiveError`].
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod dir;
mod kind;
mod tarread;

use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

pub use dir::read_crate_dir;
pub use kind::{FileKind, HEAD_LEN, detect_kind};
pub use tarread::{decompress_only, read_crate_bytes, read_crate_bytes_named, read_crate_file};

/// Bounds on what reading one crate may cost.
///
/// The defaults let the biggest real crates through (`windows`, ICU data crates,
/// `libsqlite3-sys` with its bundled amalgamation) while keeping one crate under about
/// 512 MiB of memory in the worst case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Most bytes decompressed from one archive (tar headers included), or read from one
    /// directory. Past it reading stops with [`Problem::TotalTooLarge`].
    pub max_total_bytes: u64,
    /// Most bytes of one file kept in memory; the rest is skipped and the file is marked
    /// truncated with [`Problem::FileTooLarge`].
    pub max_file_bytes: u64,
    /// Most entries (files, directories, links, ...) read; past it reading stops with
    /// [`Problem::TooManyFiles`].
    pub max_files: usize,
    /// Most path components below the crate root; deeper entries are refused with
    /// [`Problem::TooDeep`].
    pub max_depth: usize,
    /// Largest `.crate` file accepted at all ([`ArchiveError::TooLarge`]).
    pub max_compressed_bytes: u64,
    /// Largest ratio of decompressed to compressed bytes tolerated once more than
    /// [`Limits::ratio_check_after`] bytes were decompressed; past it reading stops with
    /// [`Problem::CompressionRatio`]. 0 turns the check off.
    pub max_compression_ratio: u64,
    /// Decompressed bytes after which [`Limits::max_compression_ratio`] is enforced.
    pub ratio_check_after: u64,
}

const MIB: u64 = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_bytes: 512 * MIB,
            max_file_bytes: 32 * MIB,
            max_files: 50_000,
            max_depth: 40,
            max_compressed_bytes: 200 * MIB,
            max_compression_ratio: 500,
            ratio_check_after: 32 * MIB,
        }
    }
}

/// One regular file read from a crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateFile {
    /// Path relative to the crate root, `/`-separated, without the top-level
    /// `name-version/` directory. Lossy if the original was not UTF-8.
    pub path: String,
    /// The file's bytes, or only the first [`Limits::max_file_bytes`] if `truncated`.
    #[serde(skip)]
    pub data: Vec<u8>,
    /// The file's true size as recorded in the archive (or on disk).
    pub size: u64,
    /// `data` holds less than `size` bytes (over the per-file limit, or the archive ended early).
    pub truncated: bool,
    /// The kind, from magic bytes first and the name second.
    pub kind: FileKind,
    /// Any of the mode's execute bits was set.
    pub executable_bit: bool,
}

impl CrateFile {
    /// The content as text, invalid UTF-8 replaced by U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.data)
    }
}

/// Something wrong with one entry or with the archive part-way through. Recorded, never fatal:
/// the rest of the crate is still read unless the problem says reading stopped.
///
/// Paths are those found in the archive: for entries under the crate root, relative to it;
/// for entries refused before the root could be stripped, the whole raw path. `Display`
/// escapes them, since they come from the crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Problem {
    /// A `..` component: extracting it would write outside the crate. Not read.
    PathTraversal {
        /// Raw path.
        path: String,
    },
    /// An absolute path (`/x`, `\x`, `C:x`). Not read.
    AbsolutePath {
        /// Raw path.
        path: String,
    },
    /// A symbolic or hard link. Never followed.
    Link {
        /// Path of the link.
        path: String,
        /// What it points to (lossy).
        target: String,
        /// A hard link (tar type `1`) rather than a symlink.
        hard: bool,
    },
    /// A character or block device, FIFO, socket. Not read.
    Device {
        /// Path of the entry.
        path: String,
    },
    /// Deeper than [`Limits::max_depth`] components. Not read (in a directory: not descended).
    TooDeep {
        /// Path of the entry.
        path: String,
        /// Its depth in components.
        depth: usize,
    },
    /// Bigger than [`Limits::max_file_bytes`]: only a prefix is kept, the file is `truncated`.
    FileTooLarge {
        /// Path of the file.
        path: String,
        /// Its true size.
        size: u64,
    },
    /// More than [`Limits::max_files`] entries: reading stopped there.
    TooManyFiles {
        /// The limit.
        limit: usize,
    },
    /// More than [`Limits::max_total_bytes`] decompressed: reading stopped there.
    TotalTooLarge {
        /// The limit.
        limit: u64,
    },
    /// Decompressed size grew past [`Limits::max_compression_ratio`] times the compressed
    /// size (a gzip bomb): reading stopped there.
    CompressionRatio {
        /// Compressed bytes consumed so far.
        compressed: u64,
        /// Bytes decompressed so far.
        unpacked: u64,
        /// The ratio limit.
        limit: u64,
    },
    /// The compressed input grew past [`Limits::max_compressed_bytes`] while being read.
    CompressedTooLarge {
        /// The limit.
        limit: u64,
    },
    /// Not under the single top-level `name-version/` directory. Not read.
    OutsideRoot {
        /// Raw path.
        path: String,
    },
    /// The same path appeared again; the later entry replaced the earlier one, as it would
    /// on extraction.
    Duplicate {
        /// The path.
        path: String,
    },
    /// The path is not UTF-8; the entry was kept under a lossy name.
    InvalidUtf8Path {
        /// The lossy path.
        path: String,
    },
    /// The path is longer than 4096 bytes. Not read.
    PathTooLong {
        /// The first 256 bytes of the path, lossy.
        path: String,
        /// Its length in bytes.
        len: usize,
    },
    /// A tar entry type that is not a file, directory, link or device. Not read.
    UnsupportedEntry {
        /// Path of the entry.
        path: String,
        /// The raw tar type flag.
        entry_type: u8,
    },
    /// Non-zero data after the tar end-of-archive marker: hidden from tar readers.
    TrailingData {
        /// Number of bytes after the marker that are not zero.
        nonzero_bytes: u64,
    },
    /// A file could not be read (directory mode: permission denied, vanished, ...).
    Unreadable {
        /// Path of the file.
        path: String,
        /// Why.
        message: String,
    },
    /// The archive is damaged (ends early, bad gzip data or checksum, bad tar header):
    /// reading stopped; what was read before is kept.
    Corrupt {
        /// What went wrong.
        message: String,
    },
}

impl Problem {
    /// A short stable kebab-case name of the problem, e.g. `"path-traversal"`.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::PathTraversal { .. } => "path-traversal",
            Problem::AbsolutePath { .. } => "absolute-path",
            Problem::Link { .. } => "link",
            Problem::Device { .. } => "device",
            Problem::TooDeep { .. } => "too-deep",
            Problem::FileTooLarge { .. } => "file-too-large",
            Problem::TooManyFiles { .. } => "too-many-files",
            Problem::TotalTooLarge { .. } => "total-too-large",
            Problem::CompressionRatio { .. } => "compression-ratio",
            Problem::CompressedTooLarge { .. } => "compressed-too-large",
            Problem::OutsideRoot { .. } => "outside-root",
            Problem::Duplicate { .. } => "duplicate",
            Problem::InvalidUtf8Path { .. } => "invalid-utf8-path",
            Problem::PathTooLong { .. } => "path-too-long",
            Problem::UnsupportedEntry { .. } => "unsupported-entry",
            Problem::TrailingData { .. } => "trailing-data",
            Problem::Unreadable { .. } => "unreadable",
            Problem::Corrupt { .. } => "corrupt",
        }
    }

    /// The path this problem is about, if it is about one entry.
    pub fn path(&self) -> Option<&str> {
        match self {
            Problem::PathTraversal { path }
            | Problem::AbsolutePath { path }
            | Problem::Link { path, .. }
            | Problem::Device { path }
            | Problem::TooDeep { path, .. }
            | Problem::FileTooLarge { path, .. }
            | Problem::OutsideRoot { path }
            | Problem::Duplicate { path }
            | Problem::InvalidUtf8Path { path }
            | Problem::PathTooLong { path, .. }
            | Problem::UnsupportedEntry { path, .. }
            | Problem::Unreadable { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Reading stopped at this problem: files after it were not seen.
    pub fn stopped_reading(&self) -> bool {
        matches!(
            self,
            Problem::TooManyFiles { .. }
                | Problem::TotalTooLarge { .. }
                | Problem::CompressionRatio { .. }
                | Problem::CompressedTooLarge { .. }
                | Problem::Corrupt { .. }
        )
    }
}

/// Escapes text that came from a crate for display: control characters, quotes and
/// backslashes become Rust-style escapes.
pub fn escape(s: &str) -> String {
    s.escape_debug().to_string()
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = |s: &str| escape(s);
        match self {
            Problem::PathTraversal { path } => {
                write!(f, "path \"{}\" has a `..` component (not read)", e(path))
            }
            Problem::AbsolutePath { path } => {
                write!(f, "path \"{}\" is absolute (not read)", e(path))
            }
            Problem::Link { path, target, hard } => write!(
                f,
                "\"{}\" is a {} link to \"{}\" (not followed)",
                e(path),
                if *hard { "hard" } else { "symbolic" },
                e(target)
            ),
            Problem::Device { path } => {
                write!(f, "\"{}\" is a device, FIFO or socket (not read)", e(path))
            }
            Problem::TooDeep { path, depth } => write!(
                f,
                "\"{}\" is {depth} directories deep, over the limit (not read)",
                e(path)
            ),
            Problem::FileTooLarge { path, size } => write!(
                f,
                "\"{}\" is {size} bytes, over the per-file limit (only its start was kept)",
                e(path)
            ),
            Problem::TooManyFiles { limit } => {
                write!(f, "more than {limit} entries: reading stopped")
            }
            Problem::TotalTooLarge { limit } => {
                write!(f, "more than {limit} bytes unpacked: reading stopped")
            }
            Problem::CompressionRatio {
                compressed,
                unpacked,
                limit,
            } => write!(
                f,
                "{unpacked} bytes unpacked from {compressed} compressed, a ratio over {limit}: \
                 a gzip bomb? reading stopped"
            ),
            Problem::CompressedTooLarge { limit } => write!(
                f,
                "compressed input grew past {limit} bytes while read: reading stopped"
            ),
            Problem::OutsideRoot { path } => write!(
                f,
                "\"{}\" is outside the crate's top directory (not read)",
                e(path)
            ),
            Problem::Duplicate { path } => write!(
                f,
                "\"{}\" appears more than once (the last copy was kept)",
                e(path)
            ),
            Problem::InvalidUtf8Path { path } => {
                write!(f, "path \"{}\" is not valid UTF-8 (shown lossily)", e(path))
            }
            Problem::PathTooLong { path, len } => write!(
                f,
                "path starting \"{}\" is {len} bytes long (not read)",
                e(path)
            ),
            Problem::UnsupportedEntry { path, entry_type } => write!(
                f,
                "\"{}\" has unsupported tar entry type {:?} (not read)",
                e(path),
                char::from(*entry_type)
            ),
            Problem::TrailingData { nonzero_bytes } => write!(
                f,
                "{nonzero_bytes} non-zero bytes hidden after the end of the tar archive"
            ),
            Problem::Unreadable { path, message } => {
                write!(f, "\"{}\" could not be read: {}", e(path), e(message))
            }
            Problem::Corrupt { message } => {
                write!(f, "archive is damaged, reading stopped: {}", e(message))
            }
        }
    }
}

/// A crate read into memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CrateArchive {
    /// The top-level directory (`name-version` for a `.crate`, the directory's own name for
    /// an unpacked crate). `None` if no entry had one.
    pub root: Option<String>,
    /// Regular files kept, in archive order (directory mode: sorted by name per directory).
    pub files: Vec<CrateFile>,
    /// Everything refused or wrong, in the order met.
    pub problems: Vec<Problem>,
    /// Size of the `.crate` file (0 for a directory).
    pub compressed_size: u64,
    /// Sum of the content bytes of the regular files seen (kept or skipped past).
    pub unpacked_size: u64,
}

impl CrateArchive {
    /// The file at `path` (relative to the crate root, `/`-separated).
    pub fn file(&self, path: &str) -> Option<&CrateFile> {
        self.files.iter().find(|f| f.path == path)
    }

    /// The top-level `Cargo.toml`.
    pub fn cargo_toml(&self) -> Option<&CrateFile> {
        self.file("Cargo.toml")
    }

    /// The content of the file at `path` as text (invalid UTF-8 replaced).
    pub fn text(&self, path: &str) -> Option<Cow<'_, str>> {
        self.file(path).map(CrateFile::text)
    }

    /// Reading stopped early (a limit or damage): some files may be missing.
    pub fn incomplete(&self) -> bool {
        self.problems.iter().any(Problem::stopped_reading)
    }
}

/// A failure that leaves nothing to look at. Messages name the target.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// The target could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The target.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The target is not a regular file (a directory, device, FIFO, ...).
    #[error("{} is not a regular file", path.display())]
    NotAFile {
        /// The target.
        path: PathBuf,
    },
    /// The target is not a directory.
    #[error("{} is not a directory", path.display())]
    NotADirectory {
        /// The target.
        path: PathBuf,
    },
    /// The file is empty.
    #[error("{} is empty, not a .crate file", path.display())]
    Empty {
        /// The target.
        path: PathBuf,
    },
    /// The file does not start with the gzip magic bytes.
    #[error("{} is not gzip-compressed (a .crate file is a .tar.gz)", path.display())]
    NotGzip {
        /// The target.
        path: PathBuf,
    },
    /// The file is bigger than [`Limits::max_compressed_bytes`].
    #[error("{} is {size} bytes, over the {limit}-byte limit for a .crate file", path.display())]
    TooLarge {
        /// The target.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Not even one tar entry could be read.
    #[error("{} is damaged: {message}", path.display())]
    Corrupt {
        /// The target.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// The archive was read whole but is not a crate (no top-level `Cargo.toml`).
    #[error("{} is not a crate: {reason}", path.display())]
    NotACrate {
        /// The target.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Longest path accepted, in bytes.
pub(crate) const MAX_PATH_LEN: usize = 4096;

/// Shared finishing step: a complete read without a top-level `Cargo.toml` is not a crate.
pub(crate) fn finish(path: &Path, archive: CrateArchive) -> Result<CrateArchive, ArchiveError> {
    if archive.cargo_toml().is_none() && !archive.incomplete() {
        let reason = if archive.files.is_empty() && archive.problems.is_empty() {
            "it holds no files".to_string()
        } else {
            match &archive.root {
                Some(root) => format!("no Cargo.toml in its top directory \"{}\"", escape(root)),
                None => "no Cargo.toml under a top directory".to_string(),
            }
        };
        return Err(ArchiveError::NotACrate {
            path: path.to_path_buf(),
            reason,
        });
    }
    Ok(archive)
}
