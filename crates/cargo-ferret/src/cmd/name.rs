//! `cargo ferret name`: check crate names for typosquatting before adding them.

use std::path::PathBuf;
use std::process::ExitCode;

use ferret_names::{NameCheck, NameChecker};

/// Output formats of `cargo ferret name`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum NameFormat {
    /// One block per name.
    Human,
    /// `{"names":[{"name","flagged","matches":[{"target","technique","target_downloads"}]}]}`.
    Json,
}

/// Arguments of `cargo ferret name`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Crate names to check.
    #[arg(required = true, value_name = "NAME")]
    pub names: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: NameFormat,
    /// Compare against this many most-downloaded crates (crates.io uses 3,000).
    #[arg(long, default_value_t = ferret_names::DEFAULT_TOP_N, value_name = "N")]
    pub top: usize,
    /// A corpus CSV to use instead of the user's or the embedded one.
    #[arg(long, value_name = "PATH", env = "FERRET_CORPUS")]
    pub corpus: Option<PathBuf>,
}

/// A valid crates.io name: 1-64 ASCII letters, digits, `-` or `_`, starting with a letter.
fn validate(name: &str) -> anyhow::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !ok {
        anyhow::bail!(
            "\"{}\" is not a valid crate name (1-64 ASCII letters, digits, `-` or `_`, starting with a letter)",
            name.escape_debug()
        );
    }
    Ok(())
}

fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn human(checks: &[NameCheck]) -> String {
    let mut out = String::new();
    for c in checks {
        let name = c.name.escape_debug().to_string();
        if !c.flagged {
            out.push_str(&format!("{name}: ok\n"));
            continue;
        }
        out.push_str(&format!("{name}: possible typosquat of {} popular crate(s)\n", c.matches.len()));
        for m in &c.matches {
            out.push_str(&format!(
                "  - {} ({} downloads): {}: `{name}` {} `{}`\n",
                m.target.escape_debug(),
                group(m.target_downloads),
                m.technique,
                m.technique.phrase(),
                m.target.escape_debug()
            ));
        }
    }
    out
}

/// Runs `cargo ferret name`: exit 0 when no name is flagged, 1 when one is, 2 on error.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    for n in &args.names {
        validate(n)?;
    }
    if args.top == 0 {
        anyhow::bail!("--top must be at least 1");
    }
    let corpus = super::corpus::load_corpus(args.corpus.as_deref())?;
    let checker = NameChecker::new(&corpus, args.top);
    let checks: Vec<NameCheck> = args.names.iter().map(|n| checker.check(n)).collect();
    match args.format {
        NameFormat::Json => {
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "names": checks }))?);
        }
        NameFormat::Human => print!("{}", human(&checks)),
    }
    Ok(if checks.iter().any(|c| c.flagged) { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_names() {
        assert!(validate("serde_json").is_ok());
        assert!(validate("a").is_ok());
        for bad in ["", "1abc", "-x", "a b", "naïve", "x/../y", &"a".repeat(65)] {
            assert!(validate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn groups_digits() {
        assert_eq!(group(0), "0");
        assert_eq!(group(1234), "1,234");
        assert_eq!(group(56458658), "56,458,658");
    }
}
