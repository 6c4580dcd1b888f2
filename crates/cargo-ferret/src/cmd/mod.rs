//! One module per subcommand. Each module owns its `Args` (clap) and a `run` function.

pub mod advisories;
pub mod audit;
pub mod corpus;
pub mod diff;
pub mod name;
pub mod serve;

use crate::cli::{Cli, Command};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(_args) => anyhow::bail!("scan: not wired yet"),
        Command::Rules(_args) => anyhow::bail!("rules: not wired yet"),
        Command::Rule(_args) => anyhow::bail!("rule: not wired yet"),
        Command::Name(args) => name::run(args),
        Command::Corpus(args) => corpus::run(args),
        Command::Audit(args) => audit::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Advisories(args) => advisories::run(args),
        Command::Serve(args) => serve::run(args),
    }
}
