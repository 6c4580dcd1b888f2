//! One module per subcommand. Each module owns its `Args` (clap) and a `run` function.

pub mod advisories;
pub mod audit;
pub mod common;
pub mod corpus;
pub mod diff;
pub mod name;
pub mod rules;
pub mod scan;
pub mod serve;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(args) => scan::run(args),
        Command::Rules(args) => rules::list(args),
        Command::Rule(args) => rules::show(args),
        Command::Name(args) => name::run(args),
        Command::Corpus(args) => corpus::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Advisories(args) => advisories::run(args),
        Command::Serve(args) => serve::run(args),
    }
}
