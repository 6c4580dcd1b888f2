//! Wiring: start the web server, the feed poller, the lockfile watcher and the worker pool.

use crate::db::Store;
use crate::engine::ScanEngine;
use crate::lockwatch::{self, LockfileError, WatchContext};
use crate::poller::{self, PollerContext};
use crate::registry::Registry;
use crate::web::{self, WebState};
use crate::worker::{self, WorkerContext};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

/// Settings of a running service.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// RSS feed of publishes to poll; `None` polls no feed (lockfile watching only).
    pub feed_url: Option<String>,
    /// Address to listen on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// Interval between feed polls and lockfile checks.
    pub poll: Duration,
    /// Scan workers.
    pub workers: usize,
    /// Triage token; triage is disabled without one.
    pub token: Option<String>,
    /// Lockfiles whose crates are followed in the index.
    pub watch_lockfiles: Vec<PathBuf>,
    /// First retry delay after a network error (doubles each attempt).
    pub retry_base: Duration,
    /// Attempts before a job is given up.
    pub max_attempts: u32,
}

impl ServeConfig {
    /// Defaults: poll every 60 s, one worker per core, retries from 2 s, 6 attempts.
    pub fn new(feed_url: Option<String>, listen: SocketAddr) -> ServeConfig {
        ServeConfig {
            feed_url,
            listen,
            poll: Duration::from_secs(60),
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            token: None,
            watch_lockfiles: Vec::new(),
            retry_base: Duration::from_secs(2),
            max_attempts: 6,
        }
    }
}

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The listen address is unusable.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A watched lockfile is unreadable.
    #[error(transparent)]
    Lockfile(#[from] LockfileError),
    /// The HTTP client could not be built.
    #[error("HTTP client: {0}")]
    Client(String),
}

/// A started service.
pub struct Running {
    /// The address the web server listens on.
    pub addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Running {
    /// Ask every part to stop, and wait: the web server finishes open requests, each worker
    /// finishes (and stores) the job it is running.
    pub async fn stop(self) {
        let _ = self.shutdown.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Start the service on the current tokio runtime.
pub async fn start(
    config: ServeConfig,
    store: Arc<Store>,
    registry: Arc<dyn Registry>,
    engine: Arc<dyn ScanEngine>,
) -> Result<Running, ServeError> {
    for path in &config.watch_lockfiles {
        lockwatch::read_lockfile(path)?;
    }
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind { addr: config.listen, source })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind { addr: config.listen, source })?;
    let (tx, rx) = watch::channel(false);
    let notify = Arc::new(Notify::new());
    let mut tasks = Vec::new();

    let app = web::router(Arc::new(WebState::new(store.clone(), config.token.as_deref())));
    let mut web_rx = rx.clone();
    tasks.push(tokio::spawn(async move {
        let shutdown = async move {
            let _ = web_rx.wait_for(|s| *s).await;
        };
        if let Err(e) = axum::serve(listener, app).with_graceful_shutdown(shutdown).await {
            tracing::error!(error = %e, "web server stopped");
        }
    }));

    let wctx = Arc::new(WorkerContext {
        store: store.clone(),
        registry: registry.clone(),
        engine,
        notify: notify.clone(),
        retry_base: config.retry_base,
        max_attempts: i64::from(config.max_attempts.max(1)),
    });
    for _ in 0..config.workers.max(1) {
        tasks.push(tokio::spawn(worker::run(wctx.clone(), rx.clone())));
    }

    if let Some(feed_url) = config.feed_url.clone() {
        let client = reqwest::Client::builder()
            .user_agent(concat!("ferret-serve/", env!("CARGO_PKG_VERSION"), " (malicious crate scanner)"))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| ServeError::Client(e.to_string()))?;
        let pctx = Arc::new(PollerContext {
            store: store.clone(),
            client,
            feed_url,
            poll: config.poll,
            retry_base: config.retry_base,
            notify: notify.clone(),
        });
        tasks.push(tokio::spawn(poller::run(pctx, rx.clone())));
    }

    if !config.watch_lockfiles.is_empty() {
        let lctx = Arc::new(WatchContext {
            store: store.clone(),
            registry,
            lockfiles: config.watch_lockfiles.clone(),
            poll: config.poll,
            notify: notify.clone(),
        });
        tasks.push(tokio::spawn(lockwatch::run(lctx, rx.clone())));
    }
    tracing::info!(%addr, workers = config.workers, "ferret serve started");
    Ok(Running { addr, shutdown: tx, tasks })
}
