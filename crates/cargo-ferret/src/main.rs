//! `cargo-ferret`: the command-line front end. Works as `cargo ferret <cmd>` and `cargo-ferret <cmd>`.
#![forbid(unsafe_code)]

mod cli;
mod cmd;
mod render;

use std::process::ExitCode;

fn main() -> ExitCode {
    // `cargo ferret scan x` runs us as `cargo-ferret ferret scan x`: drop the extra word.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).map(|a| a == "ferret").unwrap_or(false) {
        args.remove(1);
    }
    let cli = match <cli::Cli as clap::Parser>::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cmd::run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
