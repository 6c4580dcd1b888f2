//! `cargo ferret serve`: follow a registry's publishes, scan each new version, and serve the
//! triage UI, the JSON API, the Atom feed and advisory drafts (see docs/serve.md).

use crate::cmd::common;
use anyhow::{Context, Result};
use ferret_core::Scanner;
use ferret_intel::Intel;
use ferret_serve::{CoreEngine, Registry, ServeConfig, SparseRegistry, Store};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

/// Options of `serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Sparse index of the registry (as cargo uses it).
    #[arg(long, value_name = "URL", default_value = "sparse+https://index.crates.io/")]
    pub index: String,
    /// RSS feed of recent version publishes (crates.io's `rss/updates.xml` on its static host).
    #[arg(long, value_name = "URL", default_value = "https://static.crates.io/rss/updates.xml")]
    pub feed: String,
    /// Do not poll the feed (only follow `--watch-lockfile` crates).
    #[arg(long)]
    pub no_feed: bool,
    /// SQLite database file [default: serve.db in the user's data directory for ferret].
    #[arg(long, value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Address of the web interface.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Seconds between feed polls (and lockfile index checks).
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub poll: u64,
    /// Scan workers [default: number of cores].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: Option<u16>,
    /// Token that unlocks triage (confirm/dismiss); triage is disabled without one.
    #[arg(long, env = "FERRET_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// Follow every registry crate of this Cargo.lock and scan each new version (repeatable).
    #[arg(long = "watch-lockfile", value_name = "PATH")]
    pub watch_lockfile: Vec<PathBuf>,
    /// Directory for downloaded `.crate` files [default: ferret's cache directory].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

fn default_db() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "ferret")
        .context("no home directory to keep the database in: pass --db PATH")?;
    Ok(dirs.data_dir().join("serve.db"))
}

/// Run the service until Ctrl-C or SIGTERM.
pub fn run(args: Args) -> Result<ExitCode> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("FERRET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();

    let db = match args.db.clone() {
        Some(p) => p,
        None => default_db()?,
    };
    let store = Arc::new(Store::open(&db).with_context(|| format!("cannot open the database {}", db.display()))?);
    // The registry client is blocking: build (and later drop) it outside the async runtime.
    let client = common::registry(Some(&args.index), args.cache_dir.as_deref())?;
    let registry: Arc<dyn Registry> = Arc::new(SparseRegistry::new(client));
    let intel = Arc::new(Intel::default_offline());
    let engine = Arc::new(CoreEngine::new(Scanner::new(common::scan_options(&intel))));

    let mut config = ServeConfig::new((!args.no_feed).then(|| args.feed.clone()), args.listen);
    config.poll = Duration::from_secs(args.poll);
    if let Some(n) = args.workers {
        config.workers = usize::from(n);
    }
    config.token = args.token.clone().filter(|t| !t.is_empty());
    config.watch_lockfiles = args.watch_lockfile.clone();

    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")?;
    let result: Result<()> = rt.block_on(async {
        let running = ferret_serve::start(config, store, registry.clone(), engine).await?;
        eprintln!("ferret serve: listening on http://{} (database {})", running.addr, db.display());
        if args.token.as_deref().is_none_or(str::is_empty) {
            eprintln!("ferret serve: triage is disabled (no --token or FERRET_TOKEN)");
        }
        shutdown_signal().await;
        eprintln!("ferret serve: stopping (finishing running scans)");
        running.stop().await;
        Ok(())
    });
    drop(rt);
    drop(registry);
    result?;
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
