//! The web front end: server-rendered pages (maud escapes every interpolated value), the JSON
//! API, the Atom feed, triage behind a token with CSRF-safe forms, and advisory drafts.

use crate::advisory;
use crate::db::{Filter, Store, VersionDetail, VersionRow};
use crate::indicators;
use crate::poller::keys;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use ferret_core::report::{Finding, Verdict};
use maud::{DOCTYPE, Markup, PreEscaped, html};
use regex::Regex;
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};
use subtle::ConstantTimeEq;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ferret_session";
const SESSION_TTL: Duration = Duration::from_secs(12 * 3600);
const MAX_NOTE_CHARS: usize = 10_000;

#[derive(Debug, Clone)]
struct Session {
    csrf: String,
    who: String,
    created: Instant,
}

/// Shared state of the web handlers.
pub struct WebState {
    store: Arc<Store>,
    token_hash: Option<[u8; 32]>,
    sessions: Mutex<HashMap<String, Session>>,
}

impl WebState {
    /// State over `store`; triage is enabled when `token` is set (and not empty).
    pub fn new(store: Arc<Store>, token: Option<&str>) -> WebState {
        let token_hash = token.filter(|t| !t.is_empty()).map(|t| Sha256::digest(t.as_bytes()).into());
        WebState { store, token_hash, sessions: Mutex::new(HashMap::new()) }
    }

    fn token_ok(&self, given: &str) -> bool {
        let Some(expected) = &self.token_hash else { return false };
        let given: [u8; 32] = Sha256::digest(given.as_bytes()).into();
        bool::from(expected.ct_eq(&given))
    }

    fn session(&self, headers: &HeaderMap) -> Option<Session> {
        let id = cookie(headers, SESSION_COOKIE)?;
        let mut sessions = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        sessions.retain(|_, s| s.created.elapsed() < SESSION_TTL);
        sessions.get(&id).cloned()
    }
}

type AppState = Arc<WebState>;

/// The router of the whole web interface.
pub fn router(state: Arc<WebState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/crates/{name}/{version}", get(version_page))
        .route("/crates/{name}/{version}/triage", post(triage))
        .route("/crates/{name}/{version}/advisory/rustsec.md", get(rustsec))
        .route("/crates/{name}/{version}/advisory/osv.json", get(osv))
        .route("/feed.atom", get(atom))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
        .route("/api/versions", get(api_versions))
        .route("/api/versions/{name}/{version}", get(api_version))
        .route("/api/status", get(api_status))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

async fn security_headers(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    resp
}

fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|v| {
        v.split(';').find_map(|kv| {
            let (k, val) = kv.trim().split_once('=')?;
            (k == name).then(|| val.to_string())
        })
    })
}

fn random_hex() -> String {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("the operating system's random source is available");
    hex::encode(buf)
}

/// A POST is accepted only from this site: when the browser sends `Origin` (or, failing that,
/// `Referer`), its host must be the `Host` the request was sent to.
fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let from = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .map(|v| v.to_str().unwrap_or("\u{0}"));
    match from {
        None => true,
        Some(origin) => {
            let rest = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://"));
            match rest {
                Some(rest) => {
                    let origin_host = rest.split('/').next().unwrap_or("");
                    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
                }
                None => false,
            }
        }
    }
}

fn fmt_ms(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

fn crate_href(name: &str, version: &str) -> String {
    use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
    format!("/crates/{}/{}", utf8_percent_encode(name, NON_ALPHANUMERIC), utf8_percent_encode(version, NON_ALPHANUMERIC))
}

fn shorten(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

const CSS: &str = r#"
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2129;background:#f6f7f9}
header{background:#22272e;color:#fff;padding:10px 20px;display:flex;gap:20px;align-items:center}
header a{color:#fff;text-decoration:none;font-weight:600}
main{padding:16px 20px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:6px 8px;border-bottom:1px solid #e3e5e8;text-align:left;vertical-align:top}
th{background:#eef0f3}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-weight:600;font-size:12px}
.v-malicious{background:#c62828;color:#fff}.v-suspicious{background:#f9a825;color:#000}
.v-clean{background:#2e7d32;color:#fff}.v-pending{background:#9e9e9e;color:#fff}
.sev-critical,.sev-high{color:#c62828;font-weight:600}.sev-medium{color:#b26a00}
.finding{background:#fff;border:1px solid #e3e5e8;border-radius:6px;margin:10px 0;padding:8px 12px}
pre.code{background:#0f1419;color:#e6e1cf;padding:8px;overflow:auto;border-radius:4px}
pre.code .ln{color:#6c7680;user-select:none;padding-right:10px}
pre.code .str{color:#b8cc52}pre.code mark{background:#ff3333;color:#fff}
.hit{background:#3a2a00;display:block}
.muted{color:#6c7680}.err{color:#c62828}
form.inline{display:inline}
textarea{width:100%;min-height:60px}
"#;

fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · ferret" }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    a href="/" { "ferret" }
                    a href="/" { "queue" }
                    a href="/feed.atom" { "alerts (Atom)" }
                    a href="/api/versions" { "API" }
                    a href="/login" { "login" }
                }
                main { (body) }
            }
        }
    }
}

fn verdict_badge(row: &VersionRow) -> Markup {
    match row.verdict {
        Some(v) => html! { span class={"badge v-" (v.as_str())} { (v.as_str()) } },
        None => html! { span class="badge v-pending" { (row.state.as_str()) } },
    }
}

#[derive(Debug, Deserialize, Default)]
struct ListQuery {
    verdict: Option<String>,
    q: Option<String>,
    limit: Option<usize>,
    include_pending: Option<bool>,
}

impl ListQuery {
    fn filter(&self, scanned_only: bool) -> Result<Filter, String> {
        let verdict = match self.verdict.as_deref().filter(|v| !v.is_empty() && *v != "all") {
            Some(v) => Some(v.parse::<Verdict>()?),
            None => None,
        };
        Ok(Filter {
            verdict,
            name_contains: self.q.clone().map(|q| shorten(&q, 100)),
            scanned_only,
            limit: self.limit.unwrap_or(500),
        })
    }
}

fn internal(e: impl std::fmt::Display) -> Response {
    tracing::error!(error = %e, "request failed");
    (StatusCode::INTERNAL_SERVER_ERROR, page("error", html! { p.err { "internal error: " (e.to_string()) } }))
        .into_response()
}

fn bad_request(msg: &str) -> Response {
    (StatusCode::BAD_REQUEST, page("bad request", html! { p.err { (msg) } })).into_response()
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, Response> {
    tokio::task::spawn_blocking(f).await.map_err(internal)
}

async fn index(State(st): State<AppState>, Query(q): Query<ListQuery>) -> Response {
    let filter = match q.filter(false) {
        Ok(f) => f,
        Err(e) => return bad_request(&e),
    };
    let store = st.store.clone();
    let data = blocking(move || {
        Ok::<_, crate::db::DbError>((
            store.list(&filter)?,
            store.job_counts()?,
            store.meta(keys::LAST_OK)?,
            store.meta(keys::LAST_ERROR)?,
            store.meta(keys::GAPS)?,
            store.events(20)?,
        ))
    })
    .await;
    let (rows, counts, last_ok, last_error, gaps, events) = match data {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return internal(e),
        Err(r) => return r,
    };
    let selected = q.verdict.clone().unwrap_or_default();
    let body = html! {
        h1 { "Scanned versions" }
        p #status {
            "queued " b #queued { (counts.queued) } " · running " b { (counts.running) }
            " · done " b #done { (counts.done) } " · failed " b { (counts.failed) }
            " · feed last read " (fmt_ms(last_ok.and_then(|s| s.parse().ok())))
            @if let Some(g) = gaps.filter(|g| g != "0") { " · " span.err { "gaps detected: " (g) } }
            @if let Some(e) = last_error.filter(|e| !e.is_empty()) { br; span.err { "last feed error: " (e) } }
        }
        form method="get" action="/" {
            label { "verdict " select name="verdict" {
                @for v in ["all", "malicious", "suspicious", "clean"] {
                    option value=(v) selected[selected == v] { (v) }
                }
            } }
            " "
            label { "name " input type="search" name="q" value=(q.q.clone().unwrap_or_default()); }
            " " button type="submit" { "filter" }
        }
        table #queue {
            thead { tr { th { "verdict" } th { "score" } th { "crate" } th { "version" } th { "triage" } th { "scanned" } th { "description" } } }
            tbody {
                @for r in &rows {
                    tr class="row" data-verdict=(r.verdict.map_or("pending", |v| v.as_str())) {
                        td { (verdict_badge(r)) }
                        td { (r.score.map(|s| s.to_string()).unwrap_or_default()) }
                        td { a href=(crate_href(&r.name, &r.version)) { (r.name) } }
                        td { (r.version) }
                        td { (r.triage.clone().unwrap_or_default()) }
                        td.muted { (fmt_ms(r.scanned_at)) }
                        td {
                            (shorten(r.description.as_deref().unwrap_or(""), 160))
                            @if let Some(e) = &r.error { br; span.err { (shorten(e, 200)) } }
                        }
                    }
                }
            }
        }
        @if rows.is_empty() { p.muted { "Nothing yet." } }
        @if !events.is_empty() {
            h2 { "Recent problems" }
            ul #events { @for e in &events { li { span.muted { (fmt_ms(Some(e.at))) " " (e.source) " " (e.level) ": " } (e.message) } } }
        }
    };
    page("queue", body).into_response()
}

static STRING_LIT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#""(?:[^"\\\n]|\\.)*""#).expect("valid regex"));

/// Render text with the indicators (URLs, IPs, hosts) it contains in `<mark>` (all escaped).
fn mark_indicators(text: &str) -> Markup {
    let mut sets = Default::default();
    indicators::from_text(text, &mut sets);
    let (urls, ips, hosts) = sets;
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for needle in urls.iter().chain(&ips).chain(&hosts) {
        for (start, m) in text.match_indices(needle.as_str()) {
            marks.push((start, start + m.len()));
        }
    }
    // Longest first at each start; drop overlaps.
    marks.sort_by_key(|m| (m.0, std::cmp::Reverse(m.1)));
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for m in marks {
        if kept.last().is_none_or(|k| m.0 >= k.1) {
            kept.push(m);
        }
    }
    let mut parts: Vec<(bool, &str)> = Vec::new();
    let mut pos = 0;
    for (s, e) in kept {
        parts.push((false, &text[pos..s]));
        parts.push((true, &text[s..e]));
        pos = e;
    }
    parts.push((false, &text[pos..]));
    html! { @for (marked, t) in parts { @if marked { mark { (t) } } @else { (t) } } }
}

/// Render one line of code with string literals and indicators highlighted (all escaped).
fn highlight_line(line: &str) -> Markup {
    let mut parts: Vec<(bool, &str)> = Vec::new();
    let mut pos = 0;
    for m in STRING_LIT.find_iter(line) {
        parts.push((false, &line[pos..m.start()]));
        parts.push((true, m.as_str()));
        pos = m.end();
    }
    parts.push((false, &line[pos..]));
    html! {
        @for (lit, t) in parts {
            @if lit { span.str { (mark_indicators(t)) } } @else { (mark_indicators(t)) }
        }
    }
}

fn finding_view(f: &Finding) -> Markup {
    let first = if f.line > 0 { f.line as usize } else { 1 };
    html! {
        div.finding {
            div {
                b { (f.code) } " " (f.rule) " · " span class={"sev-" (f.severity.as_str())} { (f.severity.as_str()) }
                @if !f.file.is_empty() { " · " code.file { (f.file) @if f.line > 0 { ":" (f.line) } } }
            }
            div.message { (f.message) }
            @if !f.snippet.is_empty() {
                pre.code { code {
                    @for (i, l) in f.snippet.lines().take(200).enumerate() {
                        span.hit { span.ln { (first + i) } (highlight_line(&shorten(l, 2000))) }
                    }
                } }
            }
        }
    }
}

async fn load_detail(st: &AppState, name: String, version: String) -> Result<Option<VersionDetail>, Response> {
    let store = st.store.clone();
    match blocking(move || store.detail(&name, &version)).await? {
        Ok(d) => Ok(d),
        Err(e) => Err(internal(e)),
    }
}

fn not_found(name: &str, version: &str) -> Response {
    (StatusCode::NOT_FOUND, page("not found", html! { p { "No version " code { (name) " " (version) } " is known." } }))
        .into_response()
}

async fn version_page(
    State(st): State<AppState>,
    Path((name, version)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let d = match load_detail(&st, name.clone(), version.clone()).await {
        Ok(Some(d)) => d,
        Ok(None) => return not_found(&name, &version),
        Err(r) => return r,
    };
    let session = st.session(&headers);
    let href = crate_href(&d.row.name, &d.row.version);
    let body = html! {
        h1 { (d.row.name) " " (d.row.version) " " (verdict_badge(&d.row)) }
        table.meta {
            tr { th { "score" } td #score { (d.row.score.map(|s| s.to_string()).unwrap_or_default()) } }
            tr { th { "state" } td { (d.row.state.as_str()) " (" (d.attempts) " attempt(s))" } }
            tr { th { "source" } td { (d.source) } }
            tr { th { "published" } td { (d.published_at.clone().unwrap_or_default()) } }
            tr { th { "seen" } td { (fmt_ms(Some(d.row.seen_at))) } }
            tr { th { "scanned" } td { (fmt_ms(d.row.scanned_at)) } }
            tr { th { "description" } td #description { (d.row.description.clone().unwrap_or_default()) } }
            @if let Some(r) = &d.report { @if !r.decided_by.is_empty() {
                tr { th { "decided by" } td { (r.decided_by.join(", ")) } }
            } }
            @if let Some(e) = &d.row.error { tr { th { "error" } td.err #error { (e) } } }
        }
        h2 { "Findings" }
        @match &d.report {
            Some(r) if !r.findings.is_empty() => { div #findings { @for f in &r.findings { (finding_view(f)) } } }
            Some(_) => { p.muted { "No findings." } }
            None => { p.muted { "Not scanned yet." } }
        }
        h2 { "Changes since the previous version" }
        @match &d.previous_version {
            Some(p) => {
                p { "Compared with " a href=(crate_href(&d.row.name, p)) { (d.row.name) " " (p) } ":" }
                @if d.diff.is_empty() { p.muted { "No new findings." } }
                @else { div #diff { @for f in &d.diff { (finding_view(f)) } } }
            }
            None => { p.muted { "No previous version to compare with." } }
        }
        h2 { "Triage" }
        @if let Some(t) = &d.triage {
            p #triage-status { b { (t.status) } " by " (t.who) " at " (fmt_ms(Some(t.at))) }
            @if !t.note.is_empty() { blockquote { (t.note) } }
            @if t.status == "confirmed" {
                p { "Advisory drafts: "
                    a href={(href) "/advisory/rustsec.md"} { "RustSec (markdown)" } " · "
                    a href={(href) "/advisory/osv.json"} { "OSV (JSON)" } }
            }
        } @else { p.muted { "Not triaged." } }
        @if st.token_hash.is_none() {
            p.muted { "Triage is disabled: start the service with --token or FERRET_TOKEN." }
        } @else if let Some(s) = &session {
            form method="post" action={(href) "/triage"} {
                input type="hidden" name="csrf" value=(s.csrf);
                label { "note" textarea name="note" maxlength=(MAX_NOTE_CHARS) {} }
                button type="submit" name="action" value="confirm" { "confirm malicious" } " "
                button type="submit" name="action" value="dismiss" { "dismiss" }
                span.muted { " as " (s.who) }
            }
        } @else {
            p { a href={"/login?next=" (percent_encoding::utf8_percent_encode(&href, percent_encoding::NON_ALPHANUMERIC))} { "Log in" } " to triage." }
        }
    };
    page(&format!("{} {}", d.row.name, d.row.version), body).into_response()
}

#[derive(Debug, Deserialize)]
struct TriageForm {
    csrf: String,
    action: String,
    #[serde(default)]
    note: String,
}

async fn triage(
    State(st): State<AppState>,
    Path((name, version)): Path<(String, String)>,
    headers: HeaderMap,
    Form(form): Form<TriageForm>,
) -> Response {
    if st.token_hash.is_none() {
        return (StatusCode::FORBIDDEN, "triage is disabled: start the service with --token or FERRET_TOKEN").into_response();
    }
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
    }
    let Some(session) = st.session(&headers) else {
        return (StatusCode::UNAUTHORIZED, "log in first").into_response();
    };
    if !bool::from(session.csrf.as_bytes().ct_eq(form.csrf.as_bytes())) {
        return (StatusCode::FORBIDDEN, "invalid CSRF token").into_response();
    }
    let status = match form.action.as_str() {
        "confirm" => "confirmed",
        "dismiss" => "dismissed",
        _ => return bad_request("action must be confirm or dismiss"),
    };
    let note = shorten(form.note.trim(), MAX_NOTE_CHARS);
    let store = st.store.clone();
    let (n, v, who) = (name.clone(), version.clone(), session.who.clone());
    match blocking(move || store.set_triage(&n, &v, status, &note, &who)).await {
        Ok(Ok(true)) => {
            tracing::info!(crate_name = %name, %version, status, who = %session.who, "triage");
            Redirect::to(&crate_href(&name, &version)).into_response()
        }
        Ok(Ok(false)) => not_found(&name, &version),
        Ok(Err(e)) => internal(e),
        Err(r) => r,
    }
}

#[derive(Debug, Deserialize, Default)]
struct NextQuery {
    next: Option<String>,
}

fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') && n.len() < 1000 => n.to_string(),
        _ => "/".to_string(),
    }
}

async fn login_form(State(st): State<AppState>, Query(q): Query<NextQuery>) -> Response {
    let body = html! {
        h1 { "Log in" }
        @if st.token_hash.is_none() {
            p.muted { "Triage is disabled: start the service with --token or FERRET_TOKEN." }
        } @else {
            form method="post" action="/login" {
                input type="hidden" name="next" value=(safe_next(q.next.as_deref()));
                p { label { "your name " input type="text" name="who" maxlength="64" required; } }
                p { label { "token " input type="password" name="token" required; } }
                button type="submit" { "log in" }
            }
        }
    };
    page("login", body).into_response()
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    token: String,
    #[serde(default)]
    who: String,
    #[serde(default)]
    next: String,
}

async fn login(State(st): State<AppState>, headers: HeaderMap, Form(form): Form<LoginForm>) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
    }
    if !st.token_ok(&form.token) {
        tracing::warn!("failed triage login");
        return (StatusCode::UNAUTHORIZED, page("login", html! { p.err { "Wrong token." } a href="/login" { "try again" } }))
            .into_response();
    }
    let who: String = form.who.trim().chars().filter(|c| !c.is_control()).take(64).collect();
    let who = if who.is_empty() { "analyst".to_string() } else { who };
    let id = random_hex();
    st.sessions
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id.clone(), Session { csrf: random_hex(), who, created: Instant::now() });
    let mut resp = Redirect::to(&safe_next(Some(&form.next))).into_response();
    let cookie = format!("{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}", SESSION_TTL.as_secs());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if !same_origin(&headers) {
        return (StatusCode::FORBIDDEN, "cross-origin request refused").into_response();
    }
    if let Some(id) = cookie(&headers, SESSION_COOKIE) {
        st.sessions.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
    }
    let mut resp = Redirect::to("/").into_response();
    resp.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("ferret_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
    );
    resp
}

async fn confirmed_detail(st: &AppState, name: String, version: String) -> Result<VersionDetail, Response> {
    match load_detail(st, name.clone(), version.clone()).await? {
        Some(d) if d.triage.as_ref().is_some_and(|t| t.status == "confirmed") => Ok(d),
        Some(_) => Err((StatusCode::NOT_FOUND, "no advisory: this version is not confirmed malicious").into_response()),
        None => Err(not_found(&name, &version)),
    }
}

async fn rustsec(State(st): State<AppState>, Path((name, version)): Path<(String, String)>) -> Response {
    match confirmed_detail(&st, name, version).await {
        Ok(d) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/markdown; charset=utf-8")),
                (header::CONTENT_DISPOSITION, HeaderValue::from_static("attachment; filename=\"RUSTSEC-0000-0000.md\"")),
            ],
            advisory::rustsec_markdown(&d),
        )
            .into_response(),
        Err(r) => r,
    }
}

async fn osv(State(st): State<AppState>, Path((name, version)): Path<(String, String)>) -> Response {
    match confirmed_detail(&st, name, version).await {
        Ok(d) => Json(advisory::osv_json(&d)).into_response(),
        Err(r) => r,
    }
}

async fn atom(State(st): State<AppState>, headers: HeaderMap) -> Response {
    let store = st.store.clone();
    let rows = blocking(move || {
        let mut rows = store.list(&Filter { verdict: Some(Verdict::Malicious), scanned_only: true, limit: 200, ..Filter::default() })?;
        rows.extend(store.list(&Filter { verdict: Some(Verdict::Suspicious), scanned_only: true, limit: 200, ..Filter::default() })?);
        Ok::<_, crate::db::DbError>(rows)
    })
    .await;
    let mut rows = match rows {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return internal(e),
        Err(r) => return r,
    };
    rows.sort_by_key(|r| std::cmp::Reverse(r.scanned_at));
    rows.truncate(200);
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b)))
        .unwrap_or("localhost");
    let base = format!("http://{host}");
    let to_dt = |ms: Option<i64>| {
        ms.and_then(chrono::DateTime::from_timestamp_millis).unwrap_or_default().fixed_offset()
    };
    let mut feed = atom_syndication::Feed::default();
    feed.set_title("ferret: malicious and suspicious versions");
    feed.set_id(format!("{base}/feed.atom"));
    feed.set_updated(to_dt(rows.iter().filter_map(|r| r.scanned_at).max()));
    let mut self_link = atom_syndication::Link::default();
    self_link.set_href(format!("{base}/feed.atom"));
    self_link.set_rel("self");
    feed.set_links(vec![self_link]);
    let entries = rows
        .iter()
        .map(|r| {
            let url = format!("{base}{}", crate_href(&r.name, &r.version));
            let mut e = atom_syndication::Entry::default();
            let verdict = r.verdict.map_or("pending", |v| v.as_str());
            e.set_title(format!("{verdict}: {} {} (score {})", r.name, r.version, r.score.unwrap_or(0)));
            e.set_id(url.clone());
            e.set_updated(to_dt(r.scanned_at));
            let mut link = atom_syndication::Link::default();
            link.set_href(url);
            link.set_rel("alternate");
            e.set_links(vec![link]);
            let mut summary = String::new();
            if let Some(t) = &r.triage {
                summary.push_str(&format!("triage: {t}. "));
            }
            if let Some(d) = &r.description {
                summary.push_str(&shorten(d, 300));
            }
            if let Some(err) = &r.error {
                summary.push_str(&format!(" error: {}", shorten(err, 300)));
            }
            e.set_summary(Some(atom_syndication::Text::plain(summary)));
            e
        })
        .collect::<Vec<_>>();
    feed.set_entries(entries);
    ([(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"))], feed.to_string())
        .into_response()
}

fn json_error(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({ "error": msg }))).into_response()
}

async fn api_versions(State(st): State<AppState>, Query(q): Query<ListQuery>) -> Response {
    let filter = match q.filter(!q.include_pending.unwrap_or(false)) {
        Ok(f) => f,
        Err(e) => return json_error(StatusCode::BAD_REQUEST, &e),
    };
    let store = st.store.clone();
    match blocking(move || store.list(&filter)).await {
        Ok(Ok(rows)) => {
            let versions: Vec<_> = rows
                .iter()
                .map(|r| {
                    json!({
                        "name": r.name,
                        "version": r.version,
                        "verdict": r.verdict.map(|v| v.as_str()),
                        "score": r.score,
                        "scanned_at": r.scanned_at.map(|ms| fmt_ms(Some(ms))),
                        "state": r.state.as_str(),
                        "triage": r.triage,
                        "error": r.error,
                    })
                })
                .collect();
            Json(json!({ "versions": versions })).into_response()
        }
        Ok(Err(e)) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(r) => r,
    }
}

async fn api_version(State(st): State<AppState>, Path((name, version)): Path<(String, String)>) -> Response {
    match load_detail(&st, name, version).await {
        Ok(Some(d)) => Json(json!({
            "name": d.row.name,
            "version": d.row.version,
            "state": d.row.state.as_str(),
            "verdict": d.row.verdict.map(|v| v.as_str()),
            "score": d.row.score,
            "scanned_at": d.row.scanned_at.map(|ms| fmt_ms(Some(ms))),
            "seen_at": fmt_ms(Some(d.row.seen_at)),
            "published_at": d.published_at,
            "source": d.source,
            "description": d.row.description,
            "attempts": d.attempts,
            "error": d.row.error,
            "previous_version": d.previous_version,
            "report": d.report,
            "diff": d.diff,
            "triage": d.triage,
        }))
        .into_response(),
        Ok(None) => json_error(StatusCode::NOT_FOUND, "unknown version"),
        Err(r) => r,
    }
}

async fn api_status(State(st): State<AppState>) -> Response {
    let store = st.store.clone();
    let data = blocking(move || {
        Ok::<_, crate::db::DbError>((
            store.job_counts()?,
            store.meta(keys::LAST_OK)?,
            store.meta(keys::LAST_ERROR)?,
            store.meta(keys::GAPS)?,
            store.events(50)?,
        ))
    })
    .await;
    match data {
        Ok(Ok((counts, last_ok, last_error, gaps, events))) => Json(json!({
            "jobs": counts,
            "feed": {
                "last_ok_at": last_ok.and_then(|s| s.parse().ok()).map(|ms| fmt_ms(Some(ms))),
                "last_error": last_error.filter(|e| !e.is_empty()),
                "gaps": gaps.and_then(|g| g.parse::<u64>().ok()).unwrap_or(0),
            },
            "events": events,
        }))
        .into_response(),
        Ok(Err(e)) => json_error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(r) => r,
    }
}

