//! The feed poller: every `poll` interval it reads the registry's RSS feed of publishes,
//! enqueues each new (name, version) once, remembers the feed position in the database and
//! warns when publishes may have been missed (no overlap with the previous poll).

use crate::db::{NewVersion, Store};
use crate::feed::{self, FeedItem, MAX_FEED_BYTES};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Notify, watch};

/// What the poller needs.
pub struct PollerContext {
    /// The database.
    pub store: Arc<Store>,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The feed URL.
    pub feed_url: String,
    /// Interval between polls.
    pub poll: Duration,
    /// First retry delay for network errors within one poll (doubled each time).
    pub retry_base: Duration,
    /// Woken after new jobs are enqueued.
    pub notify: Arc<Notify>,
}

/// Metadata keys in the `meta` table.
pub mod keys {
    /// JSON array of `name@version` seen at the last successful poll.
    pub const LAST_SEEN: &str = "feed.last_seen";
    /// ms of the last successful poll.
    pub const LAST_OK: &str = "feed.last_ok_at";
    /// The last feed error, if the last poll failed.
    pub const LAST_ERROR: &str = "feed.last_error";
    /// Number of gaps detected so far.
    pub const GAPS: &str = "feed.gaps";
}

/// A failed fetch.
#[derive(Debug, thiserror::Error)]
pub enum FetchFeedError {
    /// May succeed on retry.
    #[error("{0}")]
    Transient(String),
    /// Will not.
    #[error("{0}")]
    Permanent(String),
}

async fn fetch_once(client: &reqwest::Client, url: &str) -> Result<Vec<u8>, FetchFeedError> {
    let mut resp = client.get(url).send().await.map_err(|e| FetchFeedError::Transient(format!("GET {url}: {e}")))?;
    let status = resp.status();
    if status.is_server_error() || status.as_u16() == 429 {
        return Err(FetchFeedError::Transient(format!("GET {url}: HTTP {status}")));
    }
    if !status.is_success() {
        return Err(FetchFeedError::Permanent(format!("GET {url}: HTTP {status}")));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| FetchFeedError::Transient(format!("GET {url}: {e}")))? {
        if body.len() + chunk.len() > MAX_FEED_BYTES {
            return Err(FetchFeedError::Permanent(format!("GET {url}: feed larger than {MAX_FEED_BYTES} bytes")));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Fetch the feed, retrying network errors and server errors with exponential backoff.
pub async fn fetch(client: &reqwest::Client, url: &str, retry_base: Duration) -> Result<Vec<u8>, FetchFeedError> {
    let mut delay = retry_base;
    let mut last = None;
    for attempt in 1..=4 {
        match fetch_once(client, url).await {
            Ok(b) => return Ok(b),
            Err(FetchFeedError::Transient(e)) => {
                tracing::warn!(attempt, error = %e, "feed fetch failed; retrying");
                last = Some(e);
                if attempt < 4 {
                    tokio::time::sleep(delay).await;
                    delay = (delay * 2).min(Duration::from_secs(60));
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(FetchFeedError::Transient(last.unwrap_or_default()))
}

/// The result of processing one feed body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PollResult {
    /// Items in the feed.
    pub listed: usize,
    /// Items that were new and got enqueued.
    pub enqueued: usize,
    /// Whether a gap was detected.
    pub gap: bool,
}

fn key(i: &FeedItem) -> String {
    format!("{}@{}", i.name, i.version)
}

/// Process one feed body: record garbage as an error, enqueue new versions, detect gaps.
pub fn process_body(store: &Store, body: &[u8]) -> Result<PollResult, String> {
    let parsed = match feed::parse(body) {
        Ok(p) => p,
        Err(e) => {
            let msg = format!("feed: {e}");
            let _ = store.record_event("feed", "error", &msg);
            let _ = store.set_meta(keys::LAST_ERROR, &msg);
            return Err(msg);
        }
    };
    for r in &parsed.rejected {
        let _ = store.record_event("feed", "error", &format!("feed: {r}"));
    }
    let previous: HashSet<String> = store
        .meta(keys::LAST_SEEN)
        .map_err(|e| e.to_string())?
        .and_then(|s| serde_json::from_str::<Vec<String>>(&s).ok())
        .unwrap_or_default()
        .into_iter()
        .collect();
    let now: Vec<String> = parsed.items.iter().map(key).collect();
    let mut result = PollResult { listed: parsed.items.len(), ..PollResult::default() };
    if !previous.is_empty() && !now.is_empty() && !now.iter().any(|k| previous.contains(k)) {
        result.gap = true;
        let msg = format!(
            "feed: possible gap: none of the {} listed versions was in the previous poll; publishes made in between may have been missed (poll more often)",
            now.len()
        );
        tracing::warn!("{msg}");
        let _ = store.record_event("feed", "warn", &msg);
        let gaps = store.meta(keys::GAPS).ok().flatten().and_then(|g| g.parse::<u64>().ok()).unwrap_or(0);
        let _ = store.set_meta(keys::GAPS, &(gaps + 1).to_string());
    }
    // Oldest first, so that job order follows publication order.
    for item in parsed.items.iter().rev() {
        let new = store
            .enqueue(&NewVersion {
                name: item.name.clone(),
                version: item.version.clone(),
                description: item.description.clone(),
                source: "feed".into(),
                published_at: item.published_at.clone(),
                priority: 0,
            })
            .map_err(|e| e.to_string())?;
        if new {
            result.enqueued += 1;
        }
    }
    if !now.is_empty() {
        store.set_meta(keys::LAST_SEEN, &serde_json::to_string(&now).unwrap_or_default()).map_err(|e| e.to_string())?;
    }
    store.set_meta(keys::LAST_OK, &crate::db::now_ms().to_string()).map_err(|e| e.to_string())?;
    store.set_meta(keys::LAST_ERROR, "").map_err(|e| e.to_string())?;
    Ok(result)
}

/// Poll once: fetch, process, record errors.
pub async fn poll_once(ctx: &PollerContext) -> Result<PollResult, String> {
    let body = match fetch(&ctx.client, &ctx.feed_url, ctx.retry_base).await {
        Ok(b) => b,
        Err(e) => {
            let msg = format!("feed: {e}");
            tracing::error!("{msg}");
            let store = ctx.store.clone();
            let m = msg.clone();
            let _ = tokio::task::spawn_blocking(move || {
                let _ = store.record_event("feed", "error", &m);
                let _ = store.set_meta(keys::LAST_ERROR, &m);
            })
            .await;
            return Err(msg);
        }
    };
    let store = ctx.store.clone();
    let result = tokio::task::spawn_blocking(move || process_body(&store, &body))
        .await
        .map_err(|e| e.to_string())?;
    if let Ok(r) = &result {
        tracing::debug!(listed = r.listed, enqueued = r.enqueued, "feed polled");
        if r.enqueued > 0 {
            ctx.notify.notify_waiters();
        }
    }
    result
}

/// Poll until `shutdown` turns true.
pub async fn run(ctx: Arc<PollerContext>, mut shutdown: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = poll_once(&ctx) => {}
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
