//! One module per subcommand.

use crate::cli::{Cli, Command};
use std::process::ExitCode;

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Scan(_args) => anyhow::bail!("scan: not wired yet"),
        Command::Rules(_args) => anyhow::bail!("rules: not wired yet"),
        Command::Rule(_args) => anyhow::bail!("rule: not wired yet"),
    }
}
