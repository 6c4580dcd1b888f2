//! Reading the two tables the corpus needs from a crates.io database dump.
//!
//! The dump (published daily by crates.io as `db-dump.tar.gz`) has one dated top directory
//! (`2025-10-03-020003/`) holding `data/<table>.csv` for every public table. The columns are
//! described by crates.io's `dump-db.toml`; this reader finds them by header name so that new
//! columns (and the large `readme` column) do no harm.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Component, Path, PathBuf};

use crate::Error;
use crate::corpus::CrateEntry;

/// Most rows accepted from one table (crates.io has about 200,000 crates).
const MAX_ROWS: usize = 20_000_000;
/// Longest field kept (descriptions and URLs are cut to this).
const MAX_FIELD: usize = 4096;

#[derive(Debug, Default)]
pub(crate) struct DumpTables {
    /// id -> entry (downloads filled from `crates.csv` if that column exists).
    crates: Option<HashMap<u64, CrateEntry>>,
    /// Whether `crates.csv` carried a `downloads` column (dumps before 2024).
    crates_had_downloads: bool,
    downloads: Option<HashMap<u64, u64>>,
}

impl DumpTables {
    pub(crate) fn join(self, path: &Path) -> Result<Vec<CrateEntry>, Error> {
        let Some(mut crates) = self.crates else {
            return Err(Error::DumpMissing { path: path.to_owned(), file: "data/crates.csv".into() });
        };
        match self.downloads {
            Some(downloads) => {
                for (id, entry) in crates.iter_mut() {
                    entry.downloads = downloads.get(id).copied().unwrap_or(0);
                }
            }
            None if self.crates_had_downloads => {}
            None => {
                return Err(Error::DumpMissing {
                    path: path.to_owned(),
                    file: "data/crate_downloads.csv".into(),
                });
            }
        }
        Ok(crates.into_values().collect())
    }
}

fn field(rec: &csv::ByteRecord, idx: Option<usize>) -> String {
    let Some(bytes) = idx.and_then(|i| rec.get(i)) else {
        return String::new();
    };
    let bytes = &bytes[..bytes.len().min(MAX_FIELD)];
    let s = String::from_utf8_lossy(bytes);
    // A cut in the middle of a UTF-8 sequence shows as a trailing U+FFFD: drop it.
    s.trim_end_matches('\u{FFFD}').trim().to_owned()
}

fn column(headers: &csv::ByteRecord, name: &str) -> Option<usize> {
    headers.iter().position(|h| h == name.as_bytes())
}

fn parse_u64(rec: &csv::ByteRecord, idx: usize, what: &str, file: &Path, line: u64) -> Result<u64, Error> {
    let raw = rec.get(idx).unwrap_or_default();
    std::str::from_utf8(raw).ok().and_then(|s| s.trim().parse::<u64>().ok()).ok_or_else(|| {
        Error::DumpValue { path: file.to_owned(), line, column: what.to_owned() }
    })
}

fn read_crates(reader: impl Read, file: &Path, tables: &mut DumpTables) -> Result<(), Error> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr.byte_headers().map_err(|e| Error::Csv { path: file.to_owned(), source: e })?.clone();
    let need = |c: &str| column(&headers, c).ok_or_else(|| Error::MissingColumn { path: file.to_owned(), column: c.into() });
    let id_i = need("id")?;
    let name_i = need("name")?;
    let repo_i = column(&headers, "repository");
    let desc_i = column(&headers, "description");
    let created_i = column(&headers, "created_at");
    let dl_i = column(&headers, "downloads");
    let mut crates = HashMap::new();
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).map_err(|e| Error::Csv { path: file.to_owned(), source: e })? {
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if crates.len() >= MAX_ROWS {
            return Err(Error::DumpValue { path: file.to_owned(), line, column: "too many rows".into() });
        }
        let id = parse_u64(&rec, id_i, "id", file, line)?;
        let name = field(&rec, Some(name_i));
        if name.is_empty() {
            continue;
        }
        let downloads = match dl_i {
            Some(i) => parse_u64(&rec, i, "downloads", file, line)?,
            None => 0,
        };
        let created_raw = field(&rec, created_i);
        let created = match created_raw.get(..10) {
            Some(d) if d.as_bytes().iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() }) => d.to_owned(),
            _ => String::new(),
        };
        crates.insert(
            id,
            CrateEntry {
                name,
                downloads,
                repository: field(&rec, repo_i),
                created,
                description: field(&rec, desc_i).split_whitespace().collect::<Vec<_>>().join(" "),
            },
        );
    }
    tables.crates_had_downloads = dl_i.is_some();
    tables.crates = Some(crates);
    Ok(())
}

fn read_downloads(reader: impl Read, file: &Path, tables: &mut DumpTables) -> Result<(), Error> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr.byte_headers().map_err(|e| Error::Csv { path: file.to_owned(), source: e })?.clone();
    let need = |c: &str| column(&headers, c).ok_or_else(|| Error::MissingColumn { path: file.to_owned(), column: c.into() });
    let id_i = need("crate_id")?;
    let dl_i = need("downloads")?;
    let mut map = HashMap::new();
    let mut rec = csv::ByteRecord::new();
    while rdr.read_byte_record(&mut rec).map_err(|e| Error::Csv { path: file.to_owned(), source: e })? {
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        if map.len() >= MAX_ROWS {
            return Err(Error::DumpValue { path: file.to_owned(), line, column: "too many rows".into() });
        }
        let id = parse_u64(&rec, id_i, "crate_id", file, line)?;
        let dl = parse_u64(&rec, dl_i, "downloads", file, line)?;
        map.insert(id, dl);
    }
    tables.downloads = Some(map);
    Ok(())
}

/// Which table a path inside the dump is: `[<dated dir>/]data/crates.csv` or `.../crate_downloads.csv`.
fn table_of(path: &Path) -> Option<&'static str> {
    let parts: Vec<&str> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    let n = parts.len();
    if !(2..=3).contains(&n) || parts[n - 2] != "data" {
        return None;
    }
    match parts[n - 1] {
        "crates.csv" => Some("crates"),
        "crate_downloads.csv" => Some("crate_downloads"),
        _ => None,
    }
}

/// Reads a dump unpacked into a directory: either the dated directory itself (holding `data/`)
/// or a directory holding dated directories (the newest, by name, is used).
pub(crate) fn read_dir(path: &Path, tables: &mut DumpTables) -> Result<(), Error> {
    let io = |p: &Path| {
        let p = p.to_owned();
        move |source| Error::Io { path: p, source }
    };
    let mut root = path.to_owned();
    if !root.join("data").join("crates.csv").is_file() {
        let mut dated: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(io(path))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("data").join("crates.csv").is_file())
            .collect();
        dated.sort();
        root = dated.pop().ok_or_else(|| Error::DumpMissing { path: path.to_owned(), file: "data/crates.csv".into() })?;
    }
    let crates = root.join("data").join("crates.csv");
    read_crates(BufReader::new(File::open(&crates).map_err(io(&crates))?), &crates, tables)?;
    let dls = root.join("data").join("crate_downloads.csv");
    if dls.is_file() {
        read_downloads(BufReader::new(File::open(&dls).map_err(io(&dls))?), &dls, tables)?;
    }
    Ok(())
}

/// Reads the two tables straight out of a `db-dump.tar.gz`, without unpacking anything to disk.
pub(crate) fn read_tar_gz(path: &Path, tables: &mut DumpTables) -> Result<(), Error> {
    let io = |source| Error::Io { path: path.to_owned(), source };
    let file = File::open(path).map_err(io)?;
    let gz = flate2::read::GzDecoder::new(BufReader::new(file));
    let mut archive = tar::Archive::new(gz);
    for entry in archive.entries().map_err(io)? {
        let entry = entry.map_err(io)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let inner = entry.path().map_err(io)?.into_owned();
        let shown = path.join(&inner);
        match table_of(&inner) {
            Some("crates") => read_crates(entry, &shown, tables)?,
            Some("crate_downloads") => read_downloads(entry, &shown, tables)?,
            _ => {}
        }
        if tables.crates.is_some() && tables.downloads.is_some() {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_paths() {
        assert_eq!(table_of(Path::new("2025-10-03-020003/data/crates.csv")), Some("crates"));
        assert_eq!(table_of(Path::new("data/crate_downloads.csv")), Some("crate_downloads"));
        assert_eq!(table_of(Path::new("2025/data/versions.csv")), None);
        assert_eq!(table_of(Path::new("a/b/data/crates.csv")), None);
        assert_eq!(table_of(Path::new("crates.csv")), None);
    }
}
