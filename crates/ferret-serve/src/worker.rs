//! The worker pool: each worker claims a job, fetches the index entry and the `.crate` file
//! (and the previous version's, for the diff), scans it on a blocking thread and stores the
//! result together with the job's completion.

use crate::db::{Job, Store, now_ms};
use crate::engine::{ScanEngine, ScanOutcome};
use crate::registry::{FetchError, IndexVersion, Registry};
use ferret_core::report::Report;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// What the workers share.
pub struct WorkerContext {
    /// The database.
    pub store: Arc<Store>,
    /// The registry.
    pub registry: Arc<dyn Registry>,
    /// The scanner.
    pub engine: Arc<dyn ScanEngine>,
    /// Woken when a job is enqueued.
    pub notify: Arc<Notify>,
    /// First retry delay; doubled on each further attempt (capped at 10 minutes).
    pub retry_base: Duration,
    /// Attempts before a job that keeps failing transiently is given up.
    pub max_attempts: i64,
}

/// How one attempt ended.
#[derive(Debug)]
enum Attempt {
    Done(ScanOutcome, Option<String>),
    Failed(FetchError),
}

fn semver_of(v: &str) -> Option<semver::Version> {
    semver::Version::parse(v).ok()
}

fn attempt(ctx: &WorkerContext, job: &Job) -> Attempt {
    let entries = match ctx.registry.versions(&job.name) {
        Ok(e) => e,
        Err(e) => return Attempt::Failed(e),
    };
    let target = semver_of(&job.version);
    let Some(entry) = entries
        .iter()
        .find(|e| e.vers == job.version || (target.is_some() && semver_of(&e.vers) == target))
    else {
        // The index can lag the feed by a few seconds: a missing version is transient at first.
        let msg = format!("{} {} is not in the index", job.name, job.version);
        return Attempt::Failed(if job.attempts < 3 { FetchError::Transient(msg) } else { FetchError::Invalid(msg) });
    };
    let path = match ctx.registry.download(entry) {
        Ok(p) => p,
        Err(e) => return Attempt::Failed(e),
    };
    let previous: Option<&IndexVersion> = target.as_ref().and_then(|t| {
        entries
            .iter()
            .filter(|e| !e.yanked)
            .filter_map(|e| semver_of(&e.vers).map(|v| (v, e)))
            .filter(|(v, _)| v < t)
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, e)| e)
    });
    let previous = previous.and_then(|p| match ctx.registry.download(p) {
        Ok(path) => Some((p.vers.clone(), path)),
        Err(e) => {
            tracing::warn!(crate_name = %job.name, previous = %p.vers, error = %e, "previous version unavailable; scanning without diff");
            None
        }
    });
    let engine = &ctx.engine;
    let scanned = std::panic::catch_unwind(AssertUnwindSafe(|| {
        engine.scan(&job.name, &job.version, &path, previous.as_ref().map(|(_, p)| p.as_path()))
    }));
    let outcome = scanned.unwrap_or_else(|_| {
        ScanOutcome::from(Report::failed(job.name.clone(), job.version.clone(), "the scanner panicked on this crate"))
    });
    Attempt::Done(outcome, previous.map(|(v, _)| v))
}

/// Run one claimed job to its end state (done, retried or failed). Blocking.
pub fn process(ctx: &WorkerContext, job: &Job) {
    let started = std::time::Instant::now();
    let result = match attempt(ctx, job) {
        Attempt::Done(outcome, previous) => {
            tracing::info!(crate_name = %job.name, version = %job.version, verdict = %outcome.report.verdict,
                score = outcome.report.score, ms = started.elapsed().as_millis() as u64, "scanned");
            ctx.store.complete(job.id, &outcome, previous.as_deref())
        }
        Attempt::Failed(FetchError::Transient(msg)) if job.attempts < ctx.max_attempts => {
            let factor = 1u32 << (job.attempts.clamp(1, 12) - 1) as u32;
            let delay = (ctx.retry_base * factor).min(Duration::from_secs(600));
            tracing::warn!(crate_name = %job.name, version = %job.version, attempt = job.attempts, error = %msg,
                retry_in_ms = delay.as_millis() as u64, "scan attempt failed; will retry");
            ctx.store.retry(job.id, &msg, now_ms() + delay.as_millis() as i64)
        }
        Attempt::Failed(e) => {
            let msg = format!("{} {}: {e} (after {} attempt(s))", job.name, job.version, job.attempts);
            tracing::error!(crate_name = %job.name, version = %job.version, error = %e, "scan failed");
            let _ = ctx.store.record_event("worker", "error", &msg);
            ctx.store.fail(job, &e.to_string())
        }
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "could not store the result of a job; it will run again after restart");
    }
}

/// One worker: claim, process, repeat, until `shutdown` turns true.
pub async fn run(ctx: Arc<WorkerContext>, mut shutdown: watch::Receiver<bool>) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        let notified = ctx.notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let store = ctx.store.clone();
        let claimed = tokio::task::spawn_blocking(move || store.claim()).await;
        let job = match claimed {
            Ok(Ok(job)) => job,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "could not claim a job");
                None
            }
            Err(e) => {
                tracing::error!(error = %e, "claim task failed");
                None
            }
        };
        if let Some(job) = job {
            let c = ctx.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || process(&c, &job)).await {
                tracing::error!(error = %e, "worker task failed");
            }
            continue;
        }
        let store = ctx.store.clone();
        let next = tokio::task::spawn_blocking(move || store.next_ready_at()).await.ok().and_then(Result::ok).flatten();
        let wait = match next {
            Some(at) => Duration::from_millis((at - now_ms()).clamp(10, 5_000) as u64),
            None => Duration::from_secs(5),
        };
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => {}
        }
    }
}
