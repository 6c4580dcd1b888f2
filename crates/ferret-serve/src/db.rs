//! The service's SQLite database: feed state, jobs, versions, reports, triage, events.
//!
//! Every state change that must survive a crash is a single transaction: enqueueing a version
//! creates its `versions` row and its job together; a scan result is written together with the
//! job's completion. A job found `running` at start-up was interrupted and is queued again.

use crate::engine::ScanOutcome;
use ferret_core::report::{Finding, Report, Verdict};
use rusqlite::{Connection, OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// A database error, naming the file.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite failed.
    #[error("database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A stored report could not be decoded.
    #[error("database {path}: stored report of {name} {version} is unreadable: {message}")]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// Crate name.
        name: String,
        /// Crate version.
        version: String,
        /// Decoder message.
        message: String,
    },
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS meta(
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    description TEXT,
    source TEXT NOT NULL,
    published_at TEXT,
    seen_at INTEGER NOT NULL,
    UNIQUE(name, version)
);
CREATE TABLE IF NOT EXISTS jobs(
    id INTEGER PRIMARY KEY,
    version_id INTEGER NOT NULL UNIQUE REFERENCES versions(id),
    state TEXT NOT NULL CHECK(state IN ('queued','running','done','failed')),
    priority INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    enqueued_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER
);
CREATE INDEX IF NOT EXISTS jobs_ready ON jobs(state, priority DESC, id);
CREATE TABLE IF NOT EXISTS reports(
    version_id INTEGER PRIMARY KEY REFERENCES versions(id),
    verdict TEXT NOT NULL,
    verdict_rank INTEGER NOT NULL,
    score INTEGER NOT NULL,
    report_json TEXT NOT NULL,
    diff_json TEXT NOT NULL,
    previous_version TEXT,
    error TEXT,
    scanned_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS triage(
    version_id INTEGER PRIMARY KEY REFERENCES versions(id),
    status TEXT NOT NULL CHECK(status IN ('confirmed','dismissed')),
    note TEXT NOT NULL,
    who TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events(
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    source TEXT NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS watched(
    name TEXT PRIMARY KEY,
    known TEXT NOT NULL
);
"#;

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A version to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: String,
    /// The crate's description from the feed (hostile text), if any.
    pub description: Option<String>,
    /// Where it came from: `feed` or `lockfile`.
    pub source: String,
    /// Publication time as the feed gave it (RFC 3339), if known.
    pub published_at: Option<String>,
    /// Higher runs first.
    pub priority: i64,
}

/// A claimed job, handed to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// Job id.
    pub id: i64,
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Attempts so far, including this one.
    pub attempts: i64,
}

/// The state of a version's job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    /// Waiting for a worker.
    Queued,
    /// Being scanned.
    Running,
    /// Scanned.
    Done,
    /// Gave up; the error is recorded.
    Failed,
}

impl JobState {
    fn parse(s: &str) -> JobState {
        match s {
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            _ => JobState::Queued,
        }
    }
    /// Lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
        }
    }
}

/// A triage decision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Triage {
    /// `confirmed` or `dismissed`.
    pub status: String,
    /// Free text from the analyst.
    pub note: String,
    /// Who decided (the name given at login).
    pub who: String,
    /// When, ms since the epoch.
    pub at: i64,
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionRow {
    /// Crate name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Description from the feed.
    pub description: Option<String>,
    /// Job state.
    pub state: JobState,
    /// Verdict when scanned.
    pub verdict: Option<Verdict>,
    /// Score when scanned.
    pub score: Option<u8>,
    /// When scanned, ms since the epoch.
    pub scanned_at: Option<i64>,
    /// When first seen (enqueued), ms since the epoch.
    pub seen_at: i64,
    /// Triage status, if any.
    pub triage: Option<String>,
    /// Error of a failed scan or of the last attempt.
    pub error: Option<String>,
}

/// Everything known about one version.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionDetail {
    /// The queue row.
    pub row: VersionRow,
    /// Where it came from.
    pub source: String,
    /// Publication time from the feed.
    pub published_at: Option<String>,
    /// Attempts made.
    pub attempts: i64,
    /// The report, when scanned.
    pub report: Option<Report>,
    /// New findings against the previous version.
    pub diff: Vec<Finding>,
    /// The version the diff was made against.
    pub previous_version: Option<String>,
    /// Triage decision.
    pub triage: Option<Triage>,
}

/// Filters of the queue and the API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only this verdict.
    pub verdict: Option<Verdict>,
    /// Substring of the name.
    pub name_contains: Option<String>,
    /// Only scanned versions.
    pub scanned_only: bool,
    /// At most this many rows.
    pub limit: usize,
}

/// A recorded event (an error or warning of the poller, watcher or workers).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Event {
    /// ms since the epoch.
    pub at: i64,
    /// `feed`, `lockfile`, `worker`.
    pub source: String,
    /// `warn` or `error`.
    pub level: String,
    /// The message.
    pub message: String,
}

/// Counts of jobs per state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct JobCounts {
    /// Queued.
    pub queued: i64,
    /// Running.
    pub running: i64,
    /// Done.
    pub done: i64,
    /// Failed.
    pub failed: i64,
}

/// The database handle. Cheap to share behind an `Arc`; each call takes a short lock.
#[derive(Debug)]
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

fn verdict_rank(v: Verdict) -> i64 {
    match v {
        Verdict::Clean => 0,
        Verdict::Suspicious => 1,
        Verdict::Malicious => 2,
    }
}

impl Store {
    /// Open (creating if needed) the database at `path`, in WAL mode, and queue again every
    /// job that was running when the previous process stopped.
    pub fn open(path: &Path) -> Result<Store, DbError> {
        let err = |source| DbError::Sqlite { path: path.to_path_buf(), source };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
            // A failure here shows as SQLite's own open error below.
            let _ = std::fs::create_dir_all(parent);
        }
        let conn = Connection::open(path).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL").map_err(err)?;
        conn.pragma_update(None, "synchronous", "NORMAL").map_err(err)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(err)?;
        conn.execute_batch(SCHEMA).map_err(err)?;
        conn.execute("UPDATE jobs SET state = 'queued', started_at = NULL WHERE state = 'running'", [])
            .map_err(err)?;
        Ok(Store { path: path.to_path_buf(), conn: Mutex::new(conn) })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll back).
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn err(&self, source: rusqlite::Error) -> DbError {
        DbError::Sqlite { path: self.path.clone(), source }
    }

    /// Enqueue a version unless it is already known. Returns whether it was new.
    pub fn enqueue(&self, v: &NewVersion) -> Result<bool, DbError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        let now = now_ms();
        let inserted = tx
            .execute(
                "INSERT OR IGNORE INTO versions(name, version, description, source, published_at, seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![v.name, v.version, v.description, v.source, v.published_at, now],
            )
            .map_err(|e| self.err(e))?;
        if inserted == 1 {
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT INTO jobs(version_id, state, priority, enqueued_at) VALUES (?1, 'queued', ?2, ?3)",
                params![id, v.priority, now],
            )
            .map_err(|e| self.err(e))?;
        }
        tx.commit().map_err(|e| self.err(e))?;
        Ok(inserted == 1)
    }

    /// Whether `(name, version)` is known.
    pub fn contains(&self, name: &str, version: &str) -> Result<bool, DbError> {
        self.lock()
            .query_row("SELECT 1 FROM versions WHERE name = ?1 AND version = ?2", params![name, version], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(|e| self.err(e))
    }

    /// Take the next ready job (highest priority, oldest first) and mark it running.
    pub fn claim(&self) -> Result<Option<Job>, DbError> {
        let now = now_ms();
        self.lock()
            .query_row(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?1
                 WHERE id = (SELECT id FROM jobs WHERE state = 'queued' AND not_before <= ?1
                             ORDER BY priority DESC, id LIMIT 1)
                 RETURNING id, attempts, (SELECT name FROM versions WHERE versions.id = jobs.version_id),
                           (SELECT version FROM versions WHERE versions.id = jobs.version_id)",
                params![now],
                |r| Ok(Job { id: r.get(0)?, attempts: r.get(1)?, name: r.get(2)?, version: r.get(3)? }),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    /// The earliest time (ms) a queued job becomes ready, if any job is queued.
    pub fn next_ready_at(&self) -> Result<Option<i64>, DbError> {
        self.lock()
            .query_row("SELECT MIN(not_before) FROM jobs WHERE state = 'queued'", [], |r| r.get(0))
            .map_err(|e| self.err(e))
    }

    fn store_report(
        &self,
        tx: &rusqlite::Transaction<'_>,
        job_id: i64,
        outcome: &ScanOutcome,
        previous: Option<&str>,
    ) -> Result<(), DbError> {
        let report_json = serde_json::to_string(&outcome.report).unwrap_or_else(|_| "{}".into());
        let diff_json = serde_json::to_string(&outcome.diff).unwrap_or_else(|_| "[]".into());
        tx.execute(
            "INSERT OR REPLACE INTO reports(version_id, verdict, verdict_rank, score, report_json, diff_json,
                                            previous_version, error, scanned_at)
             SELECT version_id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM jobs WHERE id = ?1",
            params![
                job_id,
                outcome.report.verdict.as_str(),
                verdict_rank(outcome.report.verdict),
                outcome.report.score,
                report_json,
                diff_json,
                previous,
                outcome.report.error,
                now_ms()
            ],
        )
        .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// Store the scan result and mark the job done, in one transaction.
    pub fn complete(&self, job_id: i64, outcome: &ScanOutcome, previous: Option<&str>) -> Result<(), DbError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        self.store_report(&tx, job_id, outcome, previous)?;
        tx.execute(
            "UPDATE jobs SET state = 'done', finished_at = ?2, last_error = NULL WHERE id = ?1",
            params![job_id, now_ms()],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// Put a job back in the queue after a transient error, not before `not_before` (ms).
    pub fn retry(&self, job_id: i64, error: &str, not_before: i64) -> Result<(), DbError> {
        self.lock()
            .execute(
                "UPDATE jobs SET state = 'queued', last_error = ?2, not_before = ?3, started_at = NULL WHERE id = ?1",
                params![job_id, error, not_before],
            )
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Give up on a job: store a failed report (verdict suspicious, with the error) and mark
    /// the job failed, in one transaction.
    pub fn fail(&self, job: &Job, error: &str) -> Result<(), DbError> {
        let outcome = ScanOutcome::from(Report::failed(job.name.clone(), job.version.clone(), error));
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(|e| self.err(e))?;
        self.store_report(&tx, job.id, &outcome, None)?;
        tx.execute(
            "UPDATE jobs SET state = 'failed', finished_at = ?2, last_error = ?3 WHERE id = ?1",
            params![job.id, now_ms(), error],
        )
        .map_err(|e| self.err(e))?;
        tx.commit().map_err(|e| self.err(e))
    }

    /// The queue, worst first (verdict, then score, then newest).
    pub fn list(&self, filter: &Filter) -> Result<Vec<VersionRow>, DbError> {
        let mut sql = String::from(
            "SELECT v.name, v.version, v.description, j.state, r.verdict, r.score, r.scanned_at, v.seen_at,
                    t.status, COALESCE(r.error, j.last_error)
             FROM versions v JOIN jobs j ON j.version_id = v.id
             LEFT JOIN reports r ON r.version_id = v.id
             LEFT JOIN triage t ON t.version_id = v.id WHERE 1=1",
        );
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(v) = filter.verdict {
            sql.push_str(" AND r.verdict = ?");
            args.push(v.as_str().to_string().into());
        }
        if let Some(q) = filter.name_contains.as_deref().filter(|q| !q.is_empty()) {
            sql.push_str(" AND instr(lower(v.name), lower(?)) > 0");
            args.push(q.to_string().into());
        }
        if filter.scanned_only {
            sql.push_str(" AND r.version_id IS NOT NULL");
        }
        sql.push_str(
            " ORDER BY COALESCE(r.verdict_rank, -1) DESC, COALESCE(r.score, -1) DESC, COALESCE(r.scanned_at, v.seen_at) DESC, v.id DESC LIMIT ?",
        );
        let limit = if filter.limit == 0 { 500 } else { filter.limit.min(10_000) };
        args.push((limit as i64).into());
        let conn = self.lock();
        let mut stmt = conn.prepare_cached(&sql).map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), row_of)
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Everything about one version.
    pub fn detail(&self, name: &str, version: &str) -> Result<Option<VersionDetail>, DbError> {
        let conn = self.lock();
        let found = conn
            .query_row(
                "SELECT v.name, v.version, v.description, j.state, r.verdict, r.score, r.scanned_at, v.seen_at,
                        t.status, COALESCE(r.error, j.last_error),
                        v.source, v.published_at, j.attempts, r.report_json, r.diff_json, r.previous_version,
                        t.note, t.who, t.at
                 FROM versions v JOIN jobs j ON j.version_id = v.id
                 LEFT JOIN reports r ON r.version_id = v.id
                 LEFT JOIN triage t ON t.version_id = v.id
                 WHERE v.name = ?1 AND v.version = ?2",
                params![name, version],
                |r| {
                    let row = row_of(r)?;
                    let report_json: Option<String> = r.get(13)?;
                    let diff_json: Option<String> = r.get(14)?;
                    let triage = match row.triage.clone() {
                        Some(status) => Some(Triage { status, note: r.get(16)?, who: r.get(17)?, at: r.get(18)? }),
                        None => None,
                    };
                    Ok((row, r.get::<_, String>(10)?, r.get(11)?, r.get(12)?, report_json, diff_json, r.get(15)?, triage))
                },
            )
            .optional()
            .map_err(|e| self.err(e))?;
        let Some((row, source, published_at, attempts, report_json, diff_json, previous_version, triage)) = found else {
            return Ok(None);
        };
        let corrupt = |message: String| DbError::Corrupt {
            path: self.path.clone(),
            name: name.to_string(),
            version: version.to_string(),
            message,
        };
        let report = match report_json {
            Some(j) => Some(serde_json::from_str::<Report>(&j).map_err(|e| corrupt(e.to_string()))?),
            None => None,
        };
        let diff = match diff_json {
            Some(j) => serde_json::from_str::<Vec<Finding>>(&j).map_err(|e| corrupt(e.to_string()))?,
            None => Vec::new(),
        };
        Ok(Some(VersionDetail { row, source, published_at, attempts, report, diff, previous_version, triage }))
    }

    /// Record a triage decision (replacing an earlier one). Returns false if the version is unknown.
    pub fn set_triage(&self, name: &str, version: &str, status: &str, note: &str, who: &str) -> Result<bool, DbError> {
        let n = self
            .lock()
            .execute(
                "INSERT OR REPLACE INTO triage(version_id, status, note, who, at)
                 SELECT id, ?3, ?4, ?5, ?6 FROM versions WHERE name = ?1 AND version = ?2",
                params![name, version, status, note, who, now_ms()],
            )
            .map_err(|e| self.err(e))?;
        Ok(n == 1)
    }

    /// Read a feed-state value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, DbError> {
        self.lock()
            .query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Write a feed-state value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), DbError> {
        self.lock()
            .execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", params![key, value])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// Record an error or warning so it shows on the status page and in `/api/status`.
    pub fn record_event(&self, source: &str, level: &str, message: &str) -> Result<(), DbError> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO events(at, source, level, message) VALUES (?1, ?2, ?3, ?4)",
            params![now_ms(), source, level, message],
        )
        .map_err(|e| self.err(e))?;
        // Keep the table bounded.
        conn.execute("DELETE FROM events WHERE id <= (SELECT MAX(id) FROM events) - 1000", [])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }

    /// The most recent events, newest first.
    pub fn events(&self, limit: usize) -> Result<Vec<Event>, DbError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT at, source, level, message FROM events ORDER BY id DESC LIMIT ?1")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map(params![limit as i64], |r| {
                Ok(Event { at: r.get(0)?, source: r.get(1)?, level: r.get(2)?, message: r.get(3)? })
            })
            .map_err(|e| self.err(e))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.err(e))?;
        Ok(rows)
    }

    /// Jobs per state.
    pub fn job_counts(&self) -> Result<JobCounts, DbError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT state, COUNT(*) FROM jobs GROUP BY state")
            .map_err(|e| self.err(e))?;
        let mut counts = JobCounts::default();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(|e| self.err(e))?;
        for row in rows {
            let (state, n) = row.map_err(|e| self.err(e))?;
            match state.as_str() {
                "queued" => counts.queued = n,
                "running" => counts.running = n,
                "done" => counts.done = n,
                _ => counts.failed = n,
            }
        }
        Ok(counts)
    }

    /// The highest version already known for a watched crate.
    pub fn watched_known(&self, name: &str) -> Result<Option<String>, DbError> {
        self.lock()
            .query_row("SELECT known FROM watched WHERE name = ?1", params![name], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// Set the highest version known for a watched crate.
    pub fn set_watched_known(&self, name: &str, known: &str) -> Result<(), DbError> {
        self.lock()
            .execute("INSERT OR REPLACE INTO watched(name, known) VALUES (?1, ?2)", params![name, known])
            .map(|_| ())
            .map_err(|e| self.err(e))
    }
}

fn row_of(r: &rusqlite::Row<'_>) -> rusqlite::Result<VersionRow> {
    let state: String = r.get(3)?;
    let verdict: Option<String> = r.get(4)?;
    let score: Option<i64> = r.get(5)?;
    Ok(VersionRow {
        name: r.get(0)?,
        version: r.get(1)?,
        description: r.get(2)?,
        state: JobState::parse(&state),
        verdict: verdict.and_then(|v| v.parse().ok()),
        score: score.map(|s| s.clamp(0, 100) as u8),
        scanned_at: r.get(6)?,
        seen_at: r.get(7)?,
        triage: r.get(8)?,
        error: r.get(9)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferret_core::report::Severity;

    fn nv(name: &str, version: &str) -> NewVersion {
        NewVersion {
            name: name.into(),
            version: version.into(),
            description: None,
            source: "feed".into(),
            published_at: None,
            priority: 0,
        }
    }

    #[test]
    fn enqueue_is_idempotent_and_running_jobs_are_requeued_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.db");
        let store = Store::open(&path).unwrap();
        assert!(store.enqueue(&nv("a", "1.0.0")).unwrap());
        assert!(!store.enqueue(&nv("a", "1.0.0")).unwrap());
        assert!(store.enqueue(&nv("b", "1.0.0")).unwrap());
        let job = store.claim().unwrap().unwrap();
        assert_eq!((job.name.as_str(), job.attempts), ("a", 1));
        drop(store);
        let store = Store::open(&path).unwrap();
        assert_eq!(store.job_counts().unwrap(), JobCounts { queued: 2, running: 0, done: 0, failed: 0 });
        let job = store.claim().unwrap().unwrap();
        assert_eq!((job.name.as_str(), job.attempts), ("a", 2));
        let report = Report {
            name: "a".into(),
            version: "1.0.0".into(),
            verdict: Verdict::Malicious,
            score: 90,
            findings: vec![Finding {
                code: "X1".into(),
                rule: "x".into(),
                severity: Severity::High,
                file: "build.rs".into(),
                line: 3,
                message: "m".into(),
                snippet: "s".into(),
            }],
            decided_by: vec!["X1".into()],
            error: None,
        };
        store.complete(job.id, &report.clone().into(), Some("0.9.0")).unwrap();
        let job_b = store.claim().unwrap().unwrap();
        store.fail(&job_b, "garbage").unwrap();
        assert!(store.claim().unwrap().is_none());
        let rows = store.list(&Filter::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "a");
        assert_eq!(rows[1].verdict, Some(Verdict::Suspicious));
        assert_eq!(rows[1].error.as_deref(), Some("garbage"));
        let d = store.detail("a", "1.0.0").unwrap().unwrap();
        assert_eq!(d.report.unwrap(), report);
        assert_eq!(d.previous_version.as_deref(), Some("0.9.0"));
        assert!(store.set_triage("a", "1.0.0", "confirmed", "n", "me").unwrap());
        assert!(!store.set_triage("zz", "1.0.0", "confirmed", "n", "me").unwrap());
        let only = Filter { verdict: Some(Verdict::Malicious), ..Filter::default() };
        assert_eq!(store.list(&only).unwrap().len(), 1);
        let q = Filter { name_contains: Some("B".into()), ..Filter::default() };
        assert_eq!(store.list(&q).unwrap()[0].name, "b");
    }

    #[test]
    fn retry_respects_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("f.db")).unwrap();
        store.enqueue(&nv("a", "1.0.0")).unwrap();
        let job = store.claim().unwrap().unwrap();
        store.retry(job.id, "timeout", now_ms() + 60_000).unwrap();
        assert!(store.claim().unwrap().is_none());
        assert!(store.next_ready_at().unwrap().unwrap() > now_ms());
    }
}
