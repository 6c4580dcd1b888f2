//! `--watch-lockfile`: follow every registry crate of some `Cargo.lock` files in the index and
//! enqueue each version newer than the newest one known (from the lockfile or earlier polls).

use crate::db::{NewVersion, Store};
use crate::feed::{valid_crate_name, valid_version};
use crate::registry::{FetchError, Registry};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// Largest lockfile read.
const MAX_LOCKFILE_BYTES: u64 = 64 * 1024 * 1024;

/// A lockfile that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("lockfile {path}: {message}")]
pub struct LockfileError {
    /// The file.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

/// Registry crates of a lockfile, each with the highest version it pins.
pub fn read_lockfile(path: &Path) -> Result<BTreeMap<String, semver::Version>, LockfileError> {
    let err = |message: String| LockfileError { path: path.to_path_buf(), message };
    let meta = std::fs::metadata(path).map_err(|e| err(e.to_string()))?;
    if meta.len() > MAX_LOCKFILE_BYTES {
        return Err(err(format!("larger than {MAX_LOCKFILE_BYTES} bytes")));
    }
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let lock: cargo_lock::Lockfile = text.parse().map_err(|e: cargo_lock::Error| err(e.to_string()))?;
    let mut out: BTreeMap<String, semver::Version> = BTreeMap::new();
    for p in lock.packages {
        if !p.source.as_ref().is_some_and(|s| s.is_registry()) {
            continue;
        }
        let name = p.name.as_str().to_string();
        let v = semver::Version::parse(&p.version.to_string()).map_err(|e| err(format!("{name}: {e}")))?;
        let e = out.entry(name).or_insert_with(|| v.clone());
        if v > *e {
            *e = v;
        }
    }
    Ok(out)
}

/// What the watcher needs.
pub struct WatchContext {
    /// The database.
    pub store: Arc<Store>,
    /// The registry.
    pub registry: Arc<dyn Registry>,
    /// Lockfiles to follow.
    pub lockfiles: Vec<PathBuf>,
    /// Interval.
    pub poll: Duration,
    /// Woken after new jobs are enqueued.
    pub notify: Arc<Notify>,
}

/// One pass over every lockfile: returns how many versions were enqueued.
pub fn watch_once(ctx: &WatchContext) -> usize {
    let mut wanted: BTreeMap<String, semver::Version> = BTreeMap::new();
    for path in &ctx.lockfiles {
        match read_lockfile(path) {
            Ok(m) => {
                for (name, v) in m {
                    let e = wanted.entry(name).or_insert_with(|| v.clone());
                    if v > *e {
                        *e = v;
                    }
                }
            }
            Err(e) => {
                tracing::error!("{e}");
                let _ = ctx.store.record_event("lockfile", "error", &e.to_string());
            }
        }
    }
    let mut enqueued = 0;
    for (name, pinned) in wanted {
        if !valid_crate_name(&name) {
            continue;
        }
        let known = ctx
            .store
            .watched_known(&name)
            .ok()
            .flatten()
            .and_then(|k| semver::Version::parse(&k).ok())
            .map_or(pinned.clone(), |k| k.max(pinned.clone()));
        let entries = match ctx.registry.versions(&name) {
            Ok(e) => e,
            Err(e) => {
                let level = if matches!(e, FetchError::Transient(_)) { "warn" } else { "error" };
                let msg = format!("lockfile: index lookup of {name}: {e}");
                tracing::warn!("{msg}");
                let _ = ctx.store.record_event("lockfile", level, &msg);
                continue;
            }
        };
        let mut newest = known.clone();
        let mut newer: Vec<(semver::Version, String)> = entries
            .iter()
            .filter(|e| valid_version(&e.vers))
            .filter_map(|e| semver::Version::parse(&e.vers).ok().map(|v| (v, e.vers.clone())))
            .filter(|(v, _)| *v > known)
            .collect();
        newer.sort();
        for (v, vers) in newer {
            match ctx.store.enqueue(&NewVersion {
                name: name.clone(),
                version: vers,
                description: None,
                source: "lockfile".into(),
                published_at: None,
                priority: 10,
            }) {
                Ok(true) => enqueued += 1,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "enqueue failed"),
            }
            if v > newest {
                newest = v;
            }
        }
        if let Err(e) = ctx.store.set_watched_known(&name, &newest.to_string()) {
            tracing::error!(error = %e, "could not store watch state");
        }
    }
    enqueued
}

/// Watch until `shutdown` turns true.
pub async fn run(ctx: Arc<WatchContext>, mut shutdown: watch::Receiver<bool>) {
    loop {
        let c = ctx.clone();
        let pass = tokio::task::spawn_blocking(move || watch_once(&c));
        tokio::select! {
            r = pass => if r.unwrap_or(0) > 0 { ctx.notify.notify_waiters(); },
            _ = shutdown.changed() => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(ctx.poll) => {}
            _ = shutdown.changed() => return,
        }
        if *shutdown.borrow() {
            return;
        }
    }
}
