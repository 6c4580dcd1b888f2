//! `cargo ferret advisories`: fetch, list and show the known-malware advisory data.
//!
//! - `update [--url URL] [--dest DIR]`: download the current RustSec advisory database
//!   (a tarball) into the user's data folder; `audit` then prefers it over the built-in snapshot.
//! - `list [--malicious] [--format human|json]`: every advisory, with the data's date and age.
//! - `show ID [--format human|json]`: one advisory by id or alias (RUSTSEC-, MAL-, GHSA-).
//!
//! `list` and `show` read the installed database merged with the built-in snapshot, or only
//! the snapshot; `--advisory-db PATH` and `--osv PATH` read other sources instead of / besides it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use ferret_advisory::update::{UnpackLimits, DEFAULT_URL};
use ferret_advisory::{Advisory, AdvisoryDb, AffectedRange, RangeEvent};

/// Arguments of `cargo ferret advisories`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Sub,
}

#[derive(Debug, clap::Subcommand)]
enum Sub {
    /// Download the current RustSec advisory database into the user's data folder.
    Update {
        /// Where to download the advisory-db tarball from.
        #[arg(long, value_name = "URL", default_value = DEFAULT_URL)]
        url: String,
        /// Where to install it (default: the user's data folder, or $FERRET_DATA_DIR/advisory-db).
        #[arg(long, value_name = "DIR")]
        dest: Option<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
    },
    /// List the known advisories.
    List {
        /// Only advisories about malicious crates.
        #[arg(long)]
        malicious: bool,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        #[command(flatten)]
        sources: SourceArgs,
    },
    /// Show one advisory by its id or an alias.
    Show {
        /// RUSTSEC-…, MAL-…, GHSA-… or another alias.
        id: String,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        #[command(flatten)]
        sources: SourceArgs,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Human,
    Json,
}

/// Which advisory data to read (shared with `audit`).
#[derive(Debug, Clone, Default, clap::Args)]
pub struct SourceArgs {
    /// A RustSec advisory-db checkout (or a folder of crates/<name>/RUSTSEC-*.md) to read
    /// instead of the installed copy; the built-in snapshot is still merged in.
    #[arg(long, value_name = "PATH")]
    pub advisory_db: Option<PathBuf>,
    /// A folder of OSV records (searched recursively) to add. Repeatable.
    #[arg(long, value_name = "PATH")]
    pub osv: Vec<PathBuf>,
}

/// Loads the advisory data `SourceArgs` asks for: `--advisory-db` merged with the built-in
/// snapshot, or else the installed database (from `advisories update`) merged with the
/// snapshot, or else the snapshot; then every `--osv` folder.
pub fn load_db(sources: &SourceArgs) -> anyhow::Result<AdvisoryDb> {
    let mut db = match &sources.advisory_db {
        Some(path) => AdvisoryDb::load_rustsec(path)
            .with_context(|| format!("--advisory-db {}", path.display()))?
            .merge(AdvisoryDb::embedded()),
        None => AdvisoryDb::preferred(),
    };
    for path in &sources.osv {
        let osv = AdvisoryDb::load_osv(path).with_context(|| format!("--osv {}", path.display()))?;
        db = db.merge(osv);
    }
    Ok(db)
}

/// Runs `cargo ferret advisories`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let today = ferret_advisory::today();
    let out = match args.command {
        Sub::Update { url, dest, format } => {
            let dest = match dest {
                Some(d) => d,
                None => AdvisoryDb::default_install_dir()
                    .context("no user data folder on this platform: pass --dest")?,
            };
            update(&url, &dest, format, today)?
        }
        Sub::List { malicious, format, sources } => {
            let db = load_db(&sources)?;
            print_warnings(&db);
            render_list(&db, malicious, format, today)?
        }
        Sub::Show { id, format, sources } => {
            let db = load_db(&sources)?;
            print_warnings(&db);
            let Some(adv) = db.get(id.trim()) else {
                anyhow::bail!("no advisory with id or alias {:?} ({})", escape_line(&id), db.describe(today));
            };
            render_show(adv, format)?
        }
    };
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn update(url: &str, dest: &Path, format: Format, today: ferret_advisory::Date) -> anyhow::Result<String> {
    let summary = ferret_advisory::update::fetch_and_install(url, dest, &UnpackLimits::default())
        .with_context(|| format!("advisories update from {url}"))?;
    print_warnings(&summary.db);
    let db = &summary.db;
    Ok(match format {
        Format::Json => {
            let v = serde_json::json!({
                "url": url,
                "dest": summary.dest,
                "files": summary.files,
                "advisories": db.advisories().len(),
                "malicious": summary.malicious(),
                "data_date": db.data_date(),
                "age_days": db.age_days(today),
                "warnings": db.warnings(),
            });
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        }
        Format::Human => {
            let newest = match db.data_date() {
                Some(d) => format!("newest advisory {d}, {} days old", db.age_days(today).unwrap_or(0)),
                None => "no dates".to_owned(),
            };
            format!(
                "installed {} RustSec advisories ({} malicious; {newest}) into {}\nfrom {}\n",
                db.advisories().len(),
                summary.malicious(),
                escape_line(&summary.dest.display().to_string()),
                escape_line(url),
            )
        }
    })
}

fn print_warnings(db: &AdvisoryDb) {
    for w in db.warnings() {
        eprintln!("warning: skipped advisory file {}", escape_line(&w.to_string()));
    }
}

fn render_list(db: &AdvisoryDb, malicious_only: bool, format: Format, today: ferret_advisory::Date) -> anyhow::Result<String> {
    let list: Vec<&Advisory> = db.advisories().iter().filter(|a| !malicious_only || a.malicious).collect();
    Ok(match format {
        Format::Json => {
            let v = serde_json::json!({
                "data_date": db.data_date(),
                "age_days": db.age_days(today),
                "loaded_from": db.loaded_from(),
                "warnings": db.warnings(),
                "advisories": list,
            });
            format!("{}\n", serde_json::to_string_pretty(&v)?)
        }
        Format::Human => {
            let mut out = format!("{}\n", escape_line(&db.describe(today)));
            for a in &list {
                let sources: Vec<String> = a.sources().iter().map(ToString::to_string).collect();
                writeln!(
                    out,
                    "{:<18} {} {:<28} {:<9} {:<24} {:<11} {}",
                    escape_line(&a.id),
                    a.date,
                    escape_line(&a.package),
                    if a.malicious { "malicious" } else { "vuln" },
                    escape_line(&versions_summary(a)),
                    sources.join("+"),
                    escape_line(&a.title),
                )?;
            }
            writeln!(
                out,
                "{} advisories ({} malicious)",
                list.len(),
                list.iter().filter(|a| a.malicious).count()
            )?;
            out
        }
    })
}

fn render_show(a: &Advisory, format: Format) -> anyhow::Result<String> {
    if format == Format::Json {
        return Ok(format!("{}\n", serde_json::to_string_pretty(a)?));
    }
    let mut out = String::new();
    writeln!(out, "{}: {}", escape_line(&a.id), escape_line(&a.title))?;
    writeln!(out, "  crate:      {}", escape_line(&a.package))?;
    writeln!(out, "  date:       {}", a.date)?;
    writeln!(out, "  kind:       {}", if a.malicious { "malicious" } else { "vulnerability" })?;
    writeln!(out, "  versions:   {}", escape_line(&versions_summary(a)))?;
    if let Some(w) = a.withdrawn {
        writeln!(out, "  withdrawn:  {w}")?;
    }
    let sources: Vec<String> = a.sources().iter().map(ToString::to_string).collect();
    writeln!(out, "  sources:    {}", sources.join(", "))?;
    if !a.aliases.is_empty() {
        writeln!(out, "  aliases:    {}", escape_line(&a.aliases.join(", ")))?;
    }
    for r in &a.related {
        writeln!(out, "  also:       {} ({})", escape_line(&r.id), r.source)?;
    }
    if let Some(url) = &a.url {
        writeln!(out, "  url:        {}", escape_line(url))?;
    }
    for r in &a.references {
        writeln!(out, "  reference:  {}", escape_line(r))?;
    }
    for i in &a.indicators {
        let kind = serde_json::to_value(i.kind)?.as_str().unwrap_or("other").to_owned();
        match &i.note {
            Some(n) => writeln!(out, "  indicator:  {kind} {} ({})", escape_line(&i.value), escape_line(n))?,
            None => writeln!(out, "  indicator:  {kind} {}", escape_line(&i.value))?,
        }
    }
    if !a.description.trim().is_empty() {
        writeln!(out)?;
        for line in a.description.trim().lines() {
            writeln!(out, "  {}", escape_line(line))?;
        }
    }
    Ok(out)
}

/// "all versions", or what the criteria say in short.
fn versions_summary(a: &Advisory) -> String {
    if a.affects_all_versions() {
        return "all versions".to_owned();
    }
    let mut parts = Vec::new();
    for r in &a.affected_ranges {
        match r {
            AffectedRange::Versions { versions } => {
                parts.push(versions.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "))
            }
            AffectedRange::Events { events } => {
                let ev: Vec<String> = events
                    .iter()
                    .map(|e| match e {
                        RangeEvent::Introduced(v) => format!(">= {v}"),
                        RangeEvent::Fixed(v) | RangeEvent::Limit(v) => format!("< {v}"),
                        RangeEvent::LastAffected(v) => format!("<= {v}"),
                    })
                    .collect();
                parts.push(ev.join(" "));
            }
        }
    }
    if !a.patched.is_empty() || !a.unaffected.is_empty() {
        let ok: Vec<String> = a.patched.iter().chain(&a.unaffected).map(ToString::to_string).collect();
        parts.push(format!("except {}", ok.join(" | ")));
    }
    parts.join("; ")
}

/// Escapes text from advisory files for one terminal line: control characters (including
/// newlines and ESC), bidirectional overrides and other invisible format characters become
/// `\u{..}` escapes, so a record cannot move the cursor, recolour or reorder the output.
fn escape_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let invisible = c.is_control()
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}');
        if invisible {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Write};

    fn day(s: &str) -> ferret_advisory::Date {
        s.parse().unwrap()
    }

    #[test]
    fn list_states_the_data_date_and_every_malicious_advisory() {
        let db = AdvisoryDb::embedded();
        let out = render_list(&db, true, Format::Human, day("2026-09-21")).unwrap();
        let mut lines = out.lines();
        assert_eq!(
            lines.next().unwrap(),
            "advisory data: built-in snapshot, newest advisory 2026-09-11 (10 days old)"
        );
        assert_eq!(out.lines().last().unwrap(), "85 advisories (85 malicious)");
        let rd = out.lines().find(|l| l.starts_with("RUSTSEC-2022-0042")).unwrap();
        assert!(rd.contains("rustdecimal") && rd.contains("all versions") && rd.contains("rustsec+osv"), "{rd}");
        let ar = out.lines().find(|l| l.starts_with("RUSTSEC-2026-0260")).unwrap();
        assert!(ar.contains("0.3.10; except <=0.3.9"), "{ar}");

        let json: serde_json::Value =
            serde_json::from_str(&render_list(&db, true, Format::Json, day("2026-09-21")).unwrap()).unwrap();
        assert_eq!(json["data_date"], "2026-09-11");
        assert_eq!(json["age_days"], 10);
        assert_eq!(json["advisories"].as_array().unwrap().len(), 85);
        assert_eq!(json["loaded_from"][0]["kind"], "embedded");
    }

    #[test]
    fn show_finds_by_alias_and_prints_indicators_escaped() {
        let db = AdvisoryDb::embedded();
        let a = db.get("MAL-2026-14336").unwrap();
        let out = render_show(a, Format::Human).unwrap();
        assert!(out.starts_with("RUSTSEC-2026-0260: `arrayref` 0.3.10"), "{out}");
        assert!(out.contains("  also:       MAL-2026-14336 (osv)"), "{out}");
        assert!(out.contains("  indicator:  ip 23.254.165.112"), "{out}");
        assert!(out.contains("  indicator:  file %TEMP%\\rust-setup.ps1 (dropped: Windows PowerShell second-stage)"), "{out}");
        let json: serde_json::Value = serde_json::from_str(&render_show(a, Format::Json).unwrap()).unwrap();
        assert_eq!(json["id"], "RUSTSEC-2026-0260");

        let mut hostile = a.clone();
        hostile.title = "evil\u{1b}[2J\u{202e}txt".into();
        let out = render_show(&hostile, Format::Human).unwrap();
        assert!(out.contains("evil\\u{1b}[2J\\u{202e}txt"), "{out}");
        assert!(!out.contains('\u{1b}'));
    }

    #[test]
    fn osv_folders_are_added_and_bad_paths_are_errors() {
        let dir = std::env::temp_dir().join(format!("ferret-adv-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("MAL-2099-9.json"),
            r#"{"id":"MAL-2099-9","modified":"2099-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"crates.io","name":"brand-new-evil"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"}]}]}]}"#,
        )
        .unwrap();
        let sources = SourceArgs { advisory_db: None, osv: vec![dir.clone()] };
        let db = load_db(&sources).unwrap();
        assert_eq!(db.matches("brand_new_evil", &ferret_advisory::Version::new(5, 0, 0)).len(), 1);
        assert_eq!(db.data_date().unwrap().to_string(), "2099-01-01");
        std::fs::remove_dir_all(&dir).unwrap();

        let bad = SourceArgs { advisory_db: Some(dir.join("nope")), osv: vec![] };
        let err = format!("{:#}", load_db(&bad).unwrap_err());
        assert!(err.contains("--advisory-db") && err.contains("nope"), "{err}");
    }

    #[test]
    fn the_subcommands_parse() {
        use clap::Parser as _;
        let parse = |args: &[&str]| {
            let cli = crate::cli::Cli::try_parse_from(args).map_err(|e| e.to_string())?;
            match cli.command {
                crate::cli::Command::Advisories(a) => Ok(a.command),
                other => Err(format!("parsed as {other:?}")),
            }
        };
        match parse(&["cargo-ferret", "advisories", "update"]).unwrap() {
            Sub::Update { url, dest, format } => {
                assert_eq!(url, DEFAULT_URL);
                assert_eq!(dest, None);
                assert_eq!(format, Format::Human);
            }
            other => panic!("{other:?}"),
        }
        match parse(&["cargo-ferret", "advisories", "update", "--url", "http://127.0.0.1:1/x.tar.gz", "--dest", "/tmp/d"]).unwrap() {
            Sub::Update { url, dest, .. } => {
                assert_eq!(url, "http://127.0.0.1:1/x.tar.gz");
                assert_eq!(dest, Some(PathBuf::from("/tmp/d")));
            }
            other => panic!("{other:?}"),
        }
        match parse(&["cargo-ferret", "advisories", "list", "--malicious", "--format", "json", "--osv", "a", "--osv", "b"]).unwrap() {
            Sub::List { malicious, format, sources } => {
                assert!(malicious);
                assert_eq!(format, Format::Json);
                assert_eq!(sources.osv, vec![PathBuf::from("a"), PathBuf::from("b")]);
            }
            other => panic!("{other:?}"),
        }
        match parse(&["cargo-ferret", "advisories", "show", "MAL-2022-1", "--advisory-db", "db"]).unwrap() {
            Sub::Show { id, sources, .. } => {
                assert_eq!(id, "MAL-2022-1");
                assert_eq!(sources.advisory_db, Some(PathBuf::from("db")));
            }
            other => panic!("{other:?}"),
        }
        assert!(parse(&["cargo-ferret", "advisories"]).is_err());
        assert!(parse(&["cargo-ferret", "advisories", "show"]).is_err());
        assert!(parse(&["cargo-ferret", "advisories", "list", "--format", "sarif"]).is_err());
    }

    /// Serves a tarball of the repository's own RustSec advisories on 127.0.0.1, once.
    fn serve_tarball() -> (String, std::thread::JoinHandle<()>) {
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/advisories/rustsec-crates");
        let mut b = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast()));
        b.append_dir_all("advisory-db-main/crates", &data).unwrap();
        let body = b.into_inner().unwrap().finish().unwrap();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/main.tar.gz", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap() == 0 || line == "\r\n" {
                    break;
                }
            }
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body).unwrap();
        });
        (url, handle)
    }

    #[test]
    fn update_installs_from_a_local_server_and_reports_malware() {
        let (url, server) = serve_tarball();
        let dest = std::env::temp_dir().join(format!("ferret-adv-update-{}", std::process::id())).join("advisory-db");
        let out = update(&url, &dest, Format::Human, day("2026-08-30")).unwrap();
        server.join().unwrap();
        assert!(
            out.starts_with("installed 77 RustSec advisories (77 malicious; newest advisory 2026-08-20, 10 days old)"),
            "{out}"
        );
        let db = load_db(&SourceArgs { advisory_db: Some(dest.clone()), osv: vec![] }).unwrap();
        assert_eq!(db.advisories().len(), 85);
        std::fs::remove_dir_all(dest.parent().unwrap()).unwrap();
    }
}
