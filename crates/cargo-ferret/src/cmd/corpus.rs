//! `cargo ferret corpus`: the popularity corpus used by the name checks.
//!
//! The corpus is, in order of precedence: `--corpus PATH` (or `FERRET_CORPUS`), the user's
//! corpus file written by `corpus update` (in the user's data directory, or `FERRET_DATA_DIR`),
//! and the corpus compiled into the binary.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use ferret_names::{Corpus, CorpusSource};

/// Arguments of `cargo ferret corpus`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: CorpusCommand,
}

/// What to do with the corpus.
#[derive(Debug, clap::Subcommand)]
pub enum CorpusCommand {
    /// Rebuild the corpus from a crates.io database dump (db-dump.tar.gz, or the unpacked dump).
    Update(UpdateArgs),
    /// Show which corpus is in use, how many crates it holds and where the user's file lives.
    Info(InfoArgs),
}

/// Arguments of `cargo ferret corpus update`.
#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// The dump: `db-dump.tar.gz` as published by crates.io, or a directory it was unpacked into.
    #[arg(long, value_name = "PATH")]
    pub db_dump: PathBuf,
    /// Keep this many most-downloaded crates.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub top: u64,
    /// Where to write the corpus (default: the user's corpus file, which then replaces the embedded one).
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// Arguments of `cargo ferret corpus info`.
#[derive(Debug, clap::Args)]
pub struct InfoArgs {
    /// A corpus file to describe instead of the one in use.
    #[arg(long, value_name = "PATH", env = "FERRET_CORPUS")]
    pub corpus: Option<PathBuf>,
}

/// The user's corpus file: `$FERRET_DATA_DIR/popular-crates.csv`, else in the platform's data
/// directory (`~/.local/share/ferret/` on Linux).
pub fn user_corpus_path() -> Option<PathBuf> {
    let dir = match std::env::var_os("FERRET_DATA_DIR") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => directories::ProjectDirs::from("", "", "ferret")?.data_dir().to_owned(),
    };
    Some(dir.join("popular-crates.csv"))
}

/// Loads the corpus: `explicit`, else the user's corpus file if it exists, else the embedded one.
pub fn load_corpus(explicit: Option<&Path>) -> anyhow::Result<Corpus> {
    if let Some(path) = explicit {
        return Corpus::from_csv(path).with_context(|| format!("loading the corpus {}", path.display()));
    }
    if let Some(path) = user_corpus_path().filter(|p| p.is_file()) {
        return Corpus::from_csv(&path).with_context(|| {
            format!("loading the user corpus {} (remove it or run `cargo ferret corpus update` again)", path.display())
        });
    }
    Ok(Corpus::embedded())
}

/// Runs `cargo ferret corpus`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        CorpusCommand::Update(a) => update(a),
        CorpusCommand::Info(a) => info(a),
    }
}

fn update(args: UpdateArgs) -> anyhow::Result<ExitCode> {
    let top = usize::try_from(args.top).unwrap_or(usize::MAX);
    let corpus = Corpus::from_db_dump(&args.db_dump, Some(top))
        .with_context(|| format!("reading the database dump {}", args.db_dump.display()))?;
    if corpus.is_empty() {
        anyhow::bail!("the database dump {} holds no crate", args.db_dump.display());
    }
    let output = match args.output {
        Some(p) => p,
        None => user_corpus_path().context("cannot find the user's data directory; pass --output")?,
    };
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    // Write next to the destination, then rename: a reader never sees half a corpus.
    let tmp = output.with_extension("csv.tmp");
    let file = std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    let mut w = std::io::BufWriter::new(file);
    corpus.write_csv(&mut w).with_context(|| format!("writing {}", tmp.display()))?;
    std::io::Write::flush(&mut w).with_context(|| format!("writing {}", tmp.display()))?;
    drop(w);
    std::fs::rename(&tmp, &output).with_context(|| format!("moving {} to {}", tmp.display(), output.display()))?;
    println!("wrote {} crates to {}", corpus.len(), output.display());
    Ok(ExitCode::SUCCESS)
}

fn info(args: InfoArgs) -> anyhow::Result<ExitCode> {
    let corpus = load_corpus(args.corpus.as_deref())?;
    let source = match corpus.source() {
        CorpusSource::Embedded => "embedded (crates.io dump of about 2025-10-03)".to_owned(),
        CorpusSource::File(p) | CorpusSource::DbDump(p) => p.display().to_string(),
    };
    println!("corpus: {source}");
    println!("crates: {}", corpus.len());
    if let Some(e) = corpus.entries().first() {
        println!("most downloaded: {} ({} downloads)", e.name.escape_debug(), e.downloads);
    }
    if let Some(p) = user_corpus_path() {
        let state = if p.is_file() { "present" } else { "absent" };
        println!("user corpus file: {} ({state})", p.display());
    }
    Ok(ExitCode::SUCCESS)
}
