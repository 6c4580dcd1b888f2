//! The popularity corpus: the most-downloaded crates of a registry, with the facts the name and
//! metadata checks compare against.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::normalize::fold_name;

/// The embedded default corpus: the 10,000 most-downloaded crates of a crates.io database dump
/// (about 2025-10-03). See `data/README.md` for its provenance.
const EMBEDDED_CSV: &str = include_str!("../../../data/popular-crates.csv");

/// Largest corpus file read by [`Corpus::from_csv`] (a corpus of 10,000 crates is about 1.3 MB).
const MAX_CORPUS_FILE: u64 = 256 * 1024 * 1024;
/// Longest field kept from a corpus or dump row; longer descriptions are cut (on a char boundary).
const MAX_FIELD: usize = 4096;

/// One crate of the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateEntry {
    /// The crate's name as published.
    pub name: String,
    /// All-time downloads.
    pub downloads: u64,
    /// The `repository` URL from its latest metadata (empty when none).
    #[serde(default)]
    pub repository: String,
    /// When the crate was first published (`YYYY-MM-DD`, empty when unknown).
    #[serde(default)]
    pub created: String,
    /// Its `description` (empty when none).
    #[serde(default)]
    pub description: String,
}

/// Where a corpus came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "path")]
pub enum CorpusSource {
    /// The corpus compiled into the binary.
    Embedded,
    /// A corpus CSV file.
    File(PathBuf),
    /// A crates.io database dump (directory or `.tar.gz`).
    DbDump(PathBuf),
}

/// A popularity corpus: crates sorted by downloads, highest first.
#[derive(Debug, Clone)]
pub struct Corpus {
    entries: Vec<CrateEntry>,
    by_folded: HashMap<String, usize>,
    source: CorpusSource,
}

/// The column layout of a corpus CSV file.
#[derive(Debug, Deserialize)]
struct CsvRow {
    name: String,
    downloads: u64,
    #[serde(default)]
    repository: String,
    #[serde(default)]
    created: String,
    #[serde(default)]
    description: String,
}

fn clip(mut s: String) -> String {
    if s.len() > MAX_FIELD {
        let mut cut = MAX_FIELD;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

impl Corpus {
    /// The corpus compiled into the binary (10,000 crates).
    pub fn embedded() -> Corpus {
        // The embedded file is checked by this crate's tests; a failure here is a build defect.
        Corpus::parse_csv(EMBEDDED_CSV.as_bytes(), CorpusSource::Embedded)
            .expect("the embedded corpus is valid CSV (checked by tests)")
    }

    /// Reads a corpus CSV file with the header `name,downloads,repository,created,description`
    /// (extra columns are ignored; `repository`, `created` and `description` may be absent).
    pub fn from_csv(path: impl AsRef<Path>) -> Result<Corpus, Error> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
        let len = file.metadata().map_err(|source| Error::Io { path: path.to_owned(), source })?.len();
        if len > MAX_CORPUS_FILE {
            return Err(Error::TooLarge { path: path.to_owned(), limit: MAX_CORPUS_FILE });
        }
        Corpus::parse_csv(BufReader::new(file), CorpusSource::File(path.to_owned()))
    }

    fn parse_csv(reader: impl Read, source: CorpusSource) -> Result<Corpus, Error> {
        let what = match &source {
            CorpusSource::Embedded => PathBuf::from("<embedded corpus>"),
            CorpusSource::File(p) | CorpusSource::DbDump(p) => p.clone(),
        };
        let mut rdr = csv::ReaderBuilder::new().flexible(false).from_reader(reader);
        let headers = rdr.headers().map_err(|e| Error::Csv { path: what.clone(), source: e })?.clone();
        for required in ["name", "downloads"] {
            if !headers.iter().any(|h| h == required) {
                return Err(Error::MissingColumn { path: what, column: required.into() });
            }
        }
        let mut entries = Vec::new();
        for row in rdr.deserialize::<CsvRow>() {
            let row = row.map_err(|e| Error::Csv { path: what.clone(), source: e })?;
            if row.name.trim().is_empty() {
                continue;
            }
            entries.push(CrateEntry {
                name: clip(row.name.trim().to_owned()),
                downloads: row.downloads,
                repository: clip(row.repository.trim().to_owned()),
                created: clip(row.created.trim().to_owned()),
                description: clip(row.description.trim().to_owned()),
            });
        }
        Ok(Corpus::from_entries(entries, source))
    }

    /// Builds a corpus from entries in any order: they are sorted by downloads (highest first,
    /// then by name) and a folded name that appears twice keeps its most-downloaded entry.
    pub fn from_entries(mut entries: Vec<CrateEntry>, source: CorpusSource) -> Corpus {
        entries.sort_by(|a, b| b.downloads.cmp(&a.downloads).then_with(|| a.name.cmp(&b.name)));
        let mut by_folded = HashMap::with_capacity(entries.len());
        let mut kept = Vec::with_capacity(entries.len());
        for e in entries {
            let folded = fold_name(&e.name);
            if by_folded.contains_key(&folded) {
                continue;
            }
            by_folded.insert(folded, kept.len());
            kept.push(e);
        }
        Corpus { entries: kept, by_folded, source }
    }

    /// Reads a crates.io database dump: a directory (the dump's dated top directory, or its
    /// parent) or a `.tar.gz` of it, holding `data/crates.csv` and `data/crate_downloads.csv`.
    /// Columns are found by header name, so extra or reordered columns are fine. Older dumps that
    /// keep `downloads` in `crates.csv` and have no `crate_downloads.csv` are read too. Keeps the
    /// `top` most-downloaded crates (all when `None`).
    pub fn from_db_dump(path: impl AsRef<Path>, top: Option<usize>) -> Result<Corpus, Error> {
        let path = path.as_ref();
        let meta = std::fs::metadata(path).map_err(|source| Error::Io { path: path.to_owned(), source })?;
        let mut dump = crate::dbdump::DumpTables::default();
        if meta.is_dir() {
            crate::dbdump::read_dir(path, &mut dump)?;
        } else {
            crate::dbdump::read_tar_gz(path, &mut dump)?;
        }
        let mut entries = dump.join(path)?;
        entries.sort_by(|a, b| b.downloads.cmp(&a.downloads).then_with(|| a.name.cmp(&b.name)));
        if let Some(top) = top {
            entries.truncate(top);
        }
        Ok(Corpus::from_entries(entries, CorpusSource::DbDump(path.to_owned())))
    }

    /// Writes the corpus as CSV (`name,downloads,repository,created,description`), the format
    /// [`Corpus::from_csv`] reads.
    pub fn write_csv(&self, out: impl Write) -> Result<(), csv::Error> {
        let mut w = csv::Writer::from_writer(out);
        for e in &self.entries {
            w.serialize(e)?;
        }
        w.flush()?;
        Ok(())
    }

    /// All entries, most downloaded first.
    pub fn entries(&self) -> &[CrateEntry] {
        &self.entries
    }

    /// Number of crates.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the corpus holds no crate.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Where this corpus came from.
    pub fn source(&self) -> &CorpusSource {
        &self.source
    }

    /// The entry whose name equals `name` once case and `-`/`_` are folded.
    pub fn get(&self, name: &str) -> Option<&CrateEntry> {
        self.by_folded.get(&fold_name(name)).map(|&i| &self.entries[i])
    }

    /// The 0-based popularity rank of `name` (folded), if present.
    pub fn rank(&self, name: &str) -> Option<usize> {
        self.by_folded.get(&fold_name(name)).copied()
    }

    pub(crate) fn rank_folded(&self, folded: &str) -> Option<usize> {
        self.by_folded.get(folded).copied()
    }
}
