//! `.crate` files: gzip-compressed tar archives, streamed and read into memory under limits.

use crate::{
    ArchiveError, CrateArchive, CrateFile, HEAD_LEN, Limits, MAX_PATH_LEN, Problem, detect_kind,
    finish,
};
use flate2::read::GzDecoder;
use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Read a `.crate` file (gzip-compressed tar) into memory under `limits`.
///
/// The file must be a regular file no bigger than [`Limits::max_compressed_bytes`]. Hostile
/// entries become [`Problem`]s; only failures that leave nothing to read are errors.
pub fn read_crate_file(path: &Path, limits: &Limits) -> Result<CrateArchive, ArchiveError> {
    let io_err = |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    };
    // Check before opening: opening a FIFO would block.
    if !std::fs::metadata(path).map_err(io_err)?.is_file() {
        return Err(ArchiveError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let file = File::open(path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    if !meta.is_file() {
        return Err(ArchiveError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let size = meta.len();
    check_size(path, size, limits)?;
    let mut reader = BufReader::with_capacity(64 * 1024, file);
    let mut magic = [0u8; 2];
    let got = read_prefix(&mut reader, &mut magic).map_err(io_err)?;
    check_magic(path, &magic[..got])?;
    let reader = io::Cursor::new(magic).chain(reader);
    read_stream(path, reader, size, limits)
}

/// Read a `.crate` held in memory (e.g. just downloaded). Errors name it `<memory>`.
pub fn read_crate_bytes(bytes: &[u8], limits: &Limits) -> Result<CrateArchive, ArchiveError> {
    read_crate_bytes_named(bytes, Path::new("<memory>"), limits)
}

/// Read a `.crate` held in memory; `name` is used in error messages (a URL, `name@version`).
pub fn read_crate_bytes_named(
    bytes: &[u8],
    name: &Path,
    limits: &Limits,
) -> Result<CrateArchive, ArchiveError> {
    check_size(name, bytes.len() as u64, limits)?;
    check_magic(name, &bytes[..bytes.len().min(2)])?;
    read_stream(name, bytes, bytes.len() as u64, limits)
}

/// Stream a `.crate` file through gzip and tar, reading every entry's bytes and keeping none.
///
/// Returns the number of content bytes of all entries. This is the lower bound on the cost of
/// reading a crate, used by the benchmark; it applies no limits, so use it on trusted files.
pub fn decompress_only(path: &Path) -> Result<u64, ArchiveError> {
    let io_err = |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let gz = GzDecoder::new(BufReader::with_capacity(64 * 1024, file));
    let mut archive = tar::Archive::new(gz);
    let corrupt = |e: io::Error| ArchiveError::Corrupt {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut total = 0u64;
    for entry in archive.entries().map_err(corrupt)? {
        let mut entry = entry.map_err(corrupt)?;
        total += io::copy(&mut entry, &mut io::sink()).map_err(corrupt)?;
    }
    Ok(total)
}

fn check_size(path: &Path, size: u64, limits: &Limits) -> Result<(), ArchiveError> {
    if size == 0 {
        return Err(ArchiveError::Empty {
            path: path.to_path_buf(),
        });
    }
    if size > limits.max_compressed_bytes {
        return Err(ArchiveError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: limits.max_compressed_bytes,
        });
    }
    Ok(())
}

fn check_magic(path: &Path, head: &[u8]) -> Result<(), ArchiveError> {
    if head == GZIP_MAGIC {
        Ok(())
    } else if head.is_empty() {
        Err(ArchiveError::Empty {
            path: path.to_path_buf(),
        })
    } else {
        Err(ArchiveError::NotGzip {
            path: path.to_path_buf(),
        })
    }
}

fn read_prefix(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..]) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

/// Why the byte meters stopped the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Total,
    Ratio,
    Compressed,
}

#[derive(Default)]
struct Meters {
    compressed: Cell<u64>,
    unpacked: Cell<u64>,
    stop: Cell<Option<Stop>>,
}

fn limit_error() -> io::Error {
    io::Error::other("ferret-archive limit reached")
}

/// Counts compressed bytes going into the decoder.
struct CompressedMeter<R> {
    inner: R,
    meters: Rc<Meters>,
    limit: u64,
}

impl<R: Read> Read for CompressedMeter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.meters.stop.get().is_some() {
            return Err(limit_error());
        }
        let n = self.inner.read(buf)?;
        let total = self.meters.compressed.get() + n as u64;
        self.meters.compressed.set(total);
        if total > self.limit {
            self.meters.stop.set(Some(Stop::Compressed));
            return Err(limit_error());
        }
        Ok(n)
    }
}

/// Counts decompressed bytes and fails the stream past the total or ratio limit, so a gzip
/// bomb costs at most `max_total_bytes` of work and never that much memory.
struct UnpackedMeter<R> {
    inner: R,
    meters: Rc<Meters>,
    max_total: u64,
    max_ratio: u64,
    ratio_after: u64,
}

impl<R: Read> Read for UnpackedMeter<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.meters.stop.get().is_some() {
            return Err(limit_error());
        }
        let done = self.meters.unpacked.get();
        // Allow one byte past the limit so that reaching it exactly is not an error.
        let room = self.max_total.saturating_sub(done).saturating_add(1);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        let done = done + n as u64;
        self.meters.unpacked.set(done);
        if done > self.max_total {
            self.meters.stop.set(Some(Stop::Total));
            return Err(limit_error());
        }
        if self.max_ratio > 0
            && done > self.ratio_after
            && done / self.max_ratio > self.meters.compressed.get()
        {
            self.meters.stop.set(Some(Stop::Ratio));
            return Err(limit_error());
        }
        Ok(n)
    }
}

/// What a path turned out to be.
enum PathCheck {
    Ok(Vec<String>),
    Absolute,
    Traversal,
}

fn check_path(path: &str) -> PathCheck {
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if path.starts_with('/') || path.starts_with('\\') || drive {
        return PathCheck::Absolute;
    }
    let mut parts = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        // A backslash is a separator on Windows: `a\..\..\x` must not pass.
        if comp.split('\\').any(|c| c == "..") {
            return PathCheck::Traversal;
        }
        parts.push(comp.to_string());
    }
    PathCheck::Ok(parts)
}

struct State<'l> {
    limits: &'l Limits,
    root: Option<String>,
    files: Vec<CrateFile>,
    index: HashMap<String, usize>,
    problems: Vec<Problem>,
    entries: usize,
    unpacked: u64,
}

enum Flow {
    Continue,
    Stop,
}

impl State<'_> {
    fn stop_problem(&self, meters: &Meters, err: &io::Error) -> Problem {
        match meters.stop.get() {
            Some(Stop::Total) => Problem::TotalTooLarge {
                limit: self.limits.max_total_bytes,
            },
            Some(Stop::Ratio) => Problem::CompressionRatio {
                compressed: meters.compressed.get(),
                unpacked: meters.unpacked.get(),
                limit: self.limits.max_compression_ratio,
            },
            Some(Stop::Compressed) => Problem::CompressedTooLarge {
                limit: self.limits.max_compressed_bytes,
            },
            None => Problem::Corrupt {
                message: err.to_string(),
            },
        }
    }

    fn handle<R: Read>(&mut self, entry: &mut tar::Entry<'_, R>, meters: &Meters) -> Flow {
        let raw = entry.path_bytes();
        if raw.len() > MAX_PATH_LEN {
            self.problems.push(Problem::PathTooLong {
                path: String::from_utf8_lossy(&raw[..256]).into_owned(),
                len: raw.len(),
            });
            return Flow::Continue;
        }
        let full = match std::str::from_utf8(&raw) {
            Ok(s) => s.to_string(),
            Err(_) => {
                let lossy = String::from_utf8_lossy(&raw).into_owned();
                self.problems.push(Problem::InvalidUtf8Path {
                    path: lossy.clone(),
                });
                lossy
            }
        };
        drop(raw);
        let parts = match check_path(&full) {
            PathCheck::Absolute => {
                self.problems.push(Problem::AbsolutePath { path: full });
                return Flow::Continue;
            }
            PathCheck::Traversal => {
                self.problems.push(Problem::PathTraversal { path: full });
                return Flow::Continue;
            }
            PathCheck::Ok(parts) => parts,
        };
        let etype = entry.header().entry_type();
        if etype.is_pax_global_extensions() {
            // `git archive` writes one; it only carries metadata.
            return Flow::Continue;
        }
        let is_dir = etype.is_dir();
        // The root is the first component of the first entry that has one below it.
        let Some(first) = parts.first() else {
            return Flow::Continue; // "./" or "": the archive root itself
        };
        match &self.root {
            None if parts.len() >= 2 || is_dir => self.root = Some(first.clone()),
            Some(root) if root == first => {}
            _ => {
                self.problems.push(Problem::OutsideRoot { path: full });
                return Flow::Continue;
            }
        }
        if parts.len() == 1 && !is_dir {
            // A non-directory named like the root itself.
            self.problems.push(Problem::OutsideRoot { path: full });
            return Flow::Continue;
        }
        let depth = parts.len() - 1;
        if depth == 0 {
            return Flow::Continue; // the root directory entry
        }
        let rel = parts[1..].join("/");
        if depth > self.limits.max_depth {
            self.problems.push(Problem::TooDeep { path: rel, depth });
            return Flow::Continue;
        }
        use tar::EntryType as T;
        match etype {
            T::Regular | T::Continuous | T::GNUSparse => self.read_file(entry, rel, meters),
            T::Directory => Flow::Continue,
            T::Symlink | T::Link => {
                let target = entry
                    .link_name_bytes()
                    .map(|t| String::from_utf8_lossy(&t).into_owned())
                    .unwrap_or_default();
                self.problems.push(Problem::Link {
                    path: rel,
                    target,
                    hard: etype == T::Link,
                });
                Flow::Continue
            }
            T::Char | T::Block | T::Fifo => {
                self.problems.push(Problem::Device { path: rel });
                Flow::Continue
            }
            other => {
                self.problems.push(Problem::UnsupportedEntry {
                    path: rel,
                    entry_type: other.as_byte(),
                });
                Flow::Continue
            }
        }
    }

    fn read_file<R: Read>(
        &mut self,
        entry: &mut tar::Entry<'_, R>,
        rel: String,
        meters: &Meters,
    ) -> Flow {
        let size = entry.size();
        let max = self.limits.max_file_bytes;
        let executable_bit = entry
            .header()
            .mode()
            .map(|m| m & 0o111 != 0)
            .unwrap_or(false);
        // The header's size is hostile: never reserve more than the per-file limit.
        let mut data = Vec::with_capacity(usize::try_from(size.min(max)).unwrap_or(0));
        let mut flow = Flow::Continue;
        let mut skipped = 0u64;
        let mut failed = None;
        if let Err(e) = entry.by_ref().take(max).read_to_end(&mut data) {
            failed = Some(e);
        } else if size > max {
            match io::copy(entry, &mut io::sink()) {
                Ok(n) => skipped = n,
                Err(e) => failed = Some(e),
            }
        }
        let got = data.len() as u64 + skipped;
        self.unpacked += got;
        if size > max {
            self.problems.push(Problem::FileTooLarge {
                path: rel.clone(),
                size,
            });
        }
        if let Some(e) = failed {
            self.problems.push(self.stop_problem(meters, &e));
            flow = Flow::Stop;
        } else if got < size {
            self.problems.push(Problem::Corrupt {
                message: format!(
                    "\"{}\" ends after {got} of its {size} bytes",
                    crate::escape(&rel)
                ),
            });
            flow = Flow::Stop;
        }
        let truncated = (data.len() as u64) < size;
        let kind = detect_kind(&rel, &data[..data.len().min(HEAD_LEN)]);
        let file = CrateFile {
            path: rel,
            data,
            size,
            truncated,
            kind,
            executable_bit,
        };
        self.push_file(file);
        flow
    }

    fn push_file(&mut self, file: CrateFile) {
        if let Some(&i) = self.index.get(&file.path) {
            self.problems.push(Problem::Duplicate {
                path: file.path.clone(),
            });
            self.files[i] = file;
        } else {
            self.index.insert(file.path.clone(), self.files.len());
            self.files.push(file);
        }
    }
}

fn read_stream<R: Read>(
    label: &Path,
    reader: R,
    compressed_size: u64,
    limits: &Limits,
) -> Result<CrateArchive, ArchiveError> {
    let meters = Rc::new(Meters::default());
    let compressed = CompressedMeter {
        inner: reader,
        meters: meters.clone(),
        limit: limits.max_compressed_bytes,
    };
    let unpacked = UnpackedMeter {
        inner: GzDecoder::new(compressed),
        meters: meters.clone(),
        max_total: limits.max_total_bytes,
        max_ratio: limits.max_compression_ratio,
        ratio_after: limits.ratio_check_after,
    };
    let mut archive = tar::Archive::new(unpacked);
    let mut st = State {
        limits,
        root: None,
        files: Vec::new(),
        index: HashMap::new(),
        problems: Vec::new(),
        entries: 0,
        unpacked: 0,
    };
    let mut stopped = false;
    let mut first_error = None;
    match archive.entries() {
        Err(e) => {
            first_error = Some(e);
            stopped = true;
        }
        Ok(entries) => {
            for entry in entries {
                let mut entry = match entry {
                    Ok(entry) => entry,
                    Err(e) => {
                        if st.entries == 0 && meters.stop.get().is_none() {
                            first_error = Some(e);
                        } else {
                            let p = st.stop_problem(&meters, &e);
                            st.problems.push(p);
                        }
                        stopped = true;
                        break;
                    }
                };
                if st.entries >= limits.max_files {
                    st.problems.push(Problem::TooManyFiles {
                        limit: limits.max_files,
                    });
                    stopped = true;
                    break;
                }
                st.entries += 1;
                if let Flow::Stop = st.handle(&mut entry, &meters) {
                    stopped = true;
                    break;
                }
            }
        }
    }
    if let Some(e) = first_error {
        return Err(ArchiveError::Corrupt {
            path: label.to_path_buf(),
            message: format!("no readable tar entry: {e}"),
        });
    }
    if !stopped {
        // Read what follows the end-of-archive marker: it verifies the gzip checksum, and
        // data hidden there is invisible to tar tools.
        let mut rest = archive.into_inner();
        let mut buf = vec![0u8; 64 * 1024];
        let mut nonzero = 0u64;
        loop {
            match rest.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => nonzero += buf[..n].iter().filter(|&&b| b != 0).count() as u64,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let p = st.stop_problem(&meters, &e);
                    st.problems.push(p);
                    break;
                }
            }
        }
        if nonzero > 0 {
            st.problems.push(Problem::TrailingData {
                nonzero_bytes: nonzero,
            });
        }
    }
    let result = CrateArchive {
        root: st.root,
        files: st.files,
        problems: st.problems,
        compressed_size,
        unpacked_size: st.unpacked,
    };
    finish(label, result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert!(matches!(check_path("/etc/passwd"), PathCheck::Absolute));
        assert!(matches!(check_path("\\x"), PathCheck::Absolute));
        assert!(matches!(check_path("C:x"), PathCheck::Absolute));
        assert!(matches!(check_path("a/../../x"), PathCheck::Traversal));
        assert!(matches!(check_path("a/b\\..\\..\\x"), PathCheck::Traversal));
        match check_path("./a//b/./c") {
            PathCheck::Ok(p) => assert_eq!(p, ["a", "b", "c"]),
            _ => panic!("plain path refused"),
        }
        match check_path("a/..b/c..") {
            PathCheck::Ok(p) => assert_eq!(p, ["a", "..b", "c.."]),
            _ => panic!("dots inside a name are not traversal"),
        }
    }
}
