//! Command-line definitions (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "cargo-ferret",
    bin_name = "cargo ferret",
    version,
    about = "Find malicious crates: scan crates, audit a project's dependencies, watch a registry.",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Human,
    Json,
    Sarif,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum FailOn {
    Malicious,
    Suspicious,
    Never,
}

#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Use colours in human output: auto (on a terminal), always, never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan crates: .crate files, unpacked crate directories, directories of .crate files, or name[@version] from the registry.
    Scan(ScanArgs),
    /// List every detection rule.
    Rules(RulesArgs),
    /// Print the documentation of one rule.
    Rule(RuleArgs),
    /// Check crate names for typosquatting before adding them.
    Name(crate::cmd::name::Args),
    /// Manage the popularity corpus used by the name checks.
    Corpus(crate::cmd::corpus::Args),
    /// Audit every dependency in Cargo.lock: advisories, names, and source.
    Audit(crate::cmd::audit::Args),
    /// Show what a new version of a crate adds compared to an old one.
    Diff(crate::cmd::diff::Args),
    /// Manage the known-malware advisory data.
    Advisories(crate::cmd::advisories::Args),
    /// Watch a registry: scan every new publish, serve triage pages, a feed and advisory drafts.
    Serve(crate::cmd::serve::Args),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// What to scan: a .crate file, an unpacked crate directory, a directory of .crate files, or name[@version].
    #[arg(required = true, value_name = "TARGET")]
    pub targets: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Exit 1 when any crate's verdict is at or above this.
    #[arg(long, value_enum, default_value = "malicious")]
    pub fail_on: FailOn,
    /// Sparse index URL to fetch name[@version] targets from (default: crates.io, honouring cargo's source replacement).
    #[arg(long, value_name = "URL")]
    pub index: Option<String>,
    /// Where downloaded .crate files are kept (default: the user's cache dir).
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Parallel scanning jobs (default: number of cores).
    #[arg(short, long)]
    pub jobs: Option<usize>,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A rule code (`BLD001`) or name (`build-script-download-exec`).
    pub code: String,
}
