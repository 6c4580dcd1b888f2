//! The fake crates.io.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;

use crate::http::{Reply, Request, Server};

/// A failure the fake registry answers with instead of the real response, for every request
/// whose path starts with the prefix given to [`FakeRegistry::set_fault`].
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer with this HTTP status and a short text body.
    Status(u16),
    /// Answer `200 OK` with these bytes as the body.
    Garbage(Vec<u8>),
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Close the connection without answering.
    Drop,
}

/// The kind of a dependency in an index line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DepKind {
    /// `[dependencies]`
    Normal,
    /// `[build-dependencies]`
    Build,
    /// `[dev-dependencies]`
    Dev,
}

/// A dependency of a published version, as it appears in the index line's `deps`.
#[derive(Clone, Debug)]
pub struct Dep {
    name: String,
    req: String,
    kind: DepKind,
    optional: bool,
    target: Option<String>,
    package: Option<String>,
    registry: Option<String>,
    features: Vec<String>,
    default_features: bool,
}

impl Dep {
    /// A normal, non-optional dependency on `name` with version requirement `req`.
    pub fn new(name: &str, req: &str) -> Dep {
        Dep {
            name: name.to_owned(),
            req: req.to_owned(),
            kind: DepKind::Normal,
            optional: false,
            target: None,
            package: None,
            registry: None,
            features: Vec::new(),
            default_features: true,
        }
    }
    /// Sets the dependency kind.
    pub fn kind(mut self, kind: DepKind) -> Dep {
        self.kind = kind;
        self
    }
    /// Marks the dependency optional.
    pub fn optional(mut self) -> Dep {
        self.optional = true;
        self
    }
    /// A `cfg(...)` or target-triple condition.
    pub fn target(mut self, target: &str) -> Dep {
        self.target = Some(target.to_owned());
        self
    }
    /// The real crate name when the dependency is renamed (`name` is then the alias).
    pub fn package(mut self, package: &str) -> Dep {
        self.package = Some(package.to_owned());
        self
    }
    /// The index URL of another registry the dependency comes from.
    pub fn registry(mut self, registry: &str) -> Dep {
        self.registry = Some(registry.to_owned());
        self
    }
    /// Features enabled on the dependency.
    pub fn features(mut self, features: &[&str]) -> Dep {
        self.features = features.iter().map(|f| (*f).to_owned()).collect();
        self
    }
    /// Turns off the dependency's default features.
    pub fn no_default_features(mut self) -> Dep {
        self.default_features = false;
        self
    }

    fn to_json(&self) -> Value {
        let mut v = json!({
            "name": self.name,
            "req": self.req,
            "features": self.features,
            "optional": self.optional,
            "default_features": self.default_features,
            "target": self.target,
            "kind": match self.kind { DepKind::Normal => "normal", DepKind::Build => "build", DepKind::Dev => "dev" },
        });
        if let Some(obj) = v.as_object_mut() {
            if let Some(p) = &self.package {
                obj.insert("package".into(), json!(p));
            }
            if let Some(r) = &self.registry {
                obj.insert("registry".into(), json!(r));
            }
        }
        v
    }
}

/// A version to publish with [`FakeRegistry::publish_with`]: the crate bytes plus everything
/// that goes into its index line and feed item.
#[derive(Clone, Debug)]
pub struct Publish {
    name: String,
    version: String,
    bytes: Vec<u8>,
    deps: Vec<Dep>,
    features: BTreeMap<String, Vec<String>>,
    yanked: bool,
    pubtime: Option<SystemTime>,
    omit_pubtime: bool,
    description: Option<String>,
    links: Option<String>,
    rust_version: Option<String>,
    cksum: Option<String>,
    in_feed: bool,
}

impl Publish {
    /// `name` at `version` with these `.crate` bytes; no dependencies, published now.
    pub fn new(name: &str, version: &str, crate_bytes: Vec<u8>) -> Publish {
        Publish {
            name: name.to_owned(),
            version: version.to_owned(),
            bytes: crate_bytes,
            deps: Vec::new(),
            features: BTreeMap::new(),
            yanked: false,
            pubtime: None,
            omit_pubtime: false,
            description: None,
            links: None,
            rust_version: None,
            cksum: None,
            in_feed: true,
        }
    }
    /// Adds a normal dependency.
    pub fn dep(mut self, name: &str, req: &str) -> Publish {
        self.deps.push(Dep::new(name, req));
        self
    }
    /// Adds a dependency described in full.
    pub fn dep_with(mut self, dep: Dep) -> Publish {
        self.deps.push(dep);
        self
    }
    /// Adds a feature.
    pub fn feature(mut self, name: &str, enables: &[&str]) -> Publish {
        self.features.insert(name.to_owned(), enables.iter().map(|f| (*f).to_owned()).collect());
        self
    }
    /// Publishes the version already yanked.
    pub fn yanked(mut self, yanked: bool) -> Publish {
        self.yanked = yanked;
        self
    }
    /// The publication time (index `pubtime` and feed `pubDate`); default now.
    pub fn pubtime(mut self, at: SystemTime) -> Publish {
        self.pubtime = Some(at);
        self
    }
    /// Leaves `pubtime` out of the index line, as in lines written before crates.io had it.
    pub fn without_pubtime(mut self) -> Publish {
        self.omit_pubtime = true;
        self
    }
    /// The crate's description, shown in the feed item.
    pub fn description(mut self, text: &str) -> Publish {
        self.description = Some(text.to_owned());
        self
    }
    /// The `links` key.
    pub fn links(mut self, links: &str) -> Publish {
        self.links = Some(links.to_owned());
        self
    }
    /// The `rust_version` key.
    pub fn rust_version(mut self, rust_version: &str) -> Publish {
        self.rust_version = Some(rust_version.to_owned());
        self
    }
    /// Writes this checksum into the index instead of the real one (for mismatch tests).
    pub fn cksum(mut self, cksum: &str) -> Publish {
        self.cksum = Some(cksum.to_owned());
        self
    }
    /// Keeps the version out of the RSS feed (a publish the feed missed).
    pub fn hidden_from_feed(mut self) -> Publish {
        self.in_feed = false;
        self
    }
}

/// One request the fake registry received.
#[derive(Clone, Debug)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path and query, as sent.
    pub path: String,
    /// Request headers, in order.
    pub headers: Vec<(String, String)>,
}

enum IndexLine {
    Entry(Value),
    Raw(String),
}

struct FeedItem {
    name: String,
    version: String,
    description: Option<String>,
    at: OffsetDateTime,
    seq: u64,
}

struct FaultRule {
    prefix: String,
    fault: Fault,
    remaining: Option<usize>,
}

#[derive(Default)]
struct Inner {
    /// Lowercased name -> index lines in publish order.
    index: BTreeMap<String, Vec<IndexLine>>,
    /// (lowercased name, version) -> crate bytes.
    files: HashMap<(String, String), Vec<u8>>,
    feed: Vec<FeedItem>,
    feed_window: Option<usize>,
    faults: Vec<FaultRule>,
    log: Vec<RequestRecord>,
    seq: u64,
}

struct Shared {
    base: String,
    inner: Mutex<Inner>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A test that panicked while holding the lock must not hide the state from others.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A fake crates.io on `127.0.0.1` with a random port, stopped when dropped.
///
/// Routes, all GET:
/// * `/index/config.json`: `{"dl": "<base>/api/v1/crates", "api": "<base>"}`
/// * `/index/<prefix>/<name>`: the sparse index file (cargo's path rules, lowercase), with an
///   `ETag`; `If-None-Match` gets `304`.
/// * `/api/v1/crates/<name>/<version>/download`: the `.crate` bytes.
/// * `/rss/updates.xml`: crates.io's RSS 2.0 feed of recent publishes, newest first.
///
/// ```
/// let reg = ferret_testkit::FakeRegistry::start();
/// let bytes = ferret_testkit::CrateBuilder::new("foo", "1.0.0").minimal_manifest().build();
/// let cksum = reg.publish("foo", "1.0.0", bytes);
/// assert_eq!(cksum.len(), 64);
/// assert!(reg.index_url().starts_with("http://127.0.0.1:"));
/// ```
pub struct FakeRegistry {
    shared: Arc<Shared>,
    server: Server,
}

impl FakeRegistry {
    /// Starts the server.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub fn start() -> FakeRegistry {
        // The handler needs the base URL, which needs the port: bind first, then fill it in.
        let slot: Arc<Mutex<Option<Arc<Shared>>>> = Arc::new(Mutex::new(None));
        let handler_slot = Arc::clone(&slot);
        let server = Server::start(move |req| {
            let shared = handler_slot.lock().unwrap_or_else(|p| p.into_inner()).clone();
            match shared {
                Some(shared) => handle(&shared, req),
                None => Reply::new(503, "text/plain", b"starting".to_vec()),
            }
        })
        .unwrap_or_else(|e| panic!("cannot bind the fake registry on 127.0.0.1: {e}"));
        let shared = Arc::new(Shared {
            base: format!("http://{}", server.addr()),
            inner: Mutex::new(Inner::default()),
        });
        *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&shared));
        FakeRegistry { shared, server }
    }

    /// The socket address served.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.shared.base.clone()
    }

    /// The sparse index root, `http://127.0.0.1:PORT/index/` (prefix it with `sparse+` for
    /// cargo's config).
    pub fn index_url(&self) -> String {
        format!("{}/index/", self.shared.base)
    }

    /// The RSS feed, `http://127.0.0.1:PORT/rss/updates.xml`.
    pub fn feed_url(&self) -> String {
        format!("{}/rss/updates.xml", self.shared.base)
    }

    /// The URL path of `name`'s index file, e.g. `/index/3/f/foo` (for [`FakeRegistry::set_fault`]).
    pub fn index_file_path(name: &str) -> String {
        format!("/index/{}", index_path(name))
    }

    /// The URL path of a version's download, `/api/v1/crates/{name}/{version}/download`.
    pub fn download_path(name: &str, version: &str) -> String {
        format!("/api/v1/crates/{name}/{version}/download")
    }

    /// Publishes `name` `version` with no dependencies at the current time; returns the
    /// sha256 written to the index.
    pub fn publish(&self, name: &str, version: &str, crate_bytes: Vec<u8>) -> String {
        self.publish_with(Publish::new(name, version, crate_bytes))
    }

    /// Publishes a version described by `publish`; returns the checksum written to the index.
    pub fn publish_with(&self, publish: Publish) -> String {
        let real = sha256_hex(&publish.bytes);
        let cksum = publish.cksum.clone().unwrap_or(real);
        let at = OffsetDateTime::from(publish.pubtime.unwrap_or_else(SystemTime::now));
        let mut line = json!({
            "name": publish.name,
            "vers": publish.version,
            "deps": publish.deps.iter().map(Dep::to_json).collect::<Vec<_>>(),
            "cksum": cksum,
            "features": publish.features,
            "yanked": publish.yanked,
        });
        if let Some(obj) = line.as_object_mut() {
            if let Some(links) = &publish.links {
                obj.insert("links".into(), json!(links));
            }
            if let Some(rv) = &publish.rust_version {
                obj.insert("rust_version".into(), json!(rv));
            }
            obj.insert("v".into(), json!(2));
            if !publish.omit_pubtime {
                obj.insert("pubtime".into(), json!(rfc3339_seconds(at)));
            }
        }
        let key = publish.name.to_ascii_lowercase();
        let mut inner = self.shared.lock();
        inner.index.entry(key.clone()).or_default().push(IndexLine::Entry(line));
        inner.files.insert((key, publish.version.clone()), publish.bytes);
        if publish.in_feed {
            inner.seq += 1;
            let seq = inner.seq;
            inner.feed.push(FeedItem {
                name: publish.name,
                version: publish.version,
                description: publish.description,
                at,
                seq,
            });
        }
        cksum
    }

    /// Appends a raw line (anything, e.g. garbage) to `name`'s index file.
    pub fn push_raw_index_line(&self, name: &str, line: &str) {
        let mut inner = self.shared.lock();
        inner.index.entry(name.to_ascii_lowercase()).or_default().push(IndexLine::Raw(line.to_owned()));
    }

    /// Sets the `yanked` flag of a published version; returns whether the version exists.
    pub fn set_yanked(&self, name: &str, version: &str, yanked: bool) -> bool {
        let mut inner = self.shared.lock();
        let Some(lines) = inner.index.get_mut(&name.to_ascii_lowercase()) else { return false };
        let mut found = false;
        for line in lines.iter_mut() {
            if let IndexLine::Entry(v) = line
                && v["vers"] == version
            {
                v["yanked"] = json!(yanked);
                found = true;
            }
        }
        found
    }

    /// Deletes a version (as crates.io does for malware): its index line and download go
    /// away, its feed item stays. Returns whether it existed.
    pub fn delete(&self, name: &str, version: &str) -> bool {
        let key = name.to_ascii_lowercase();
        let mut inner = self.shared.lock();
        let removed_file = inner.files.remove(&(key.clone(), version.to_owned())).is_some();
        if let Some(lines) = inner.index.get_mut(&key) {
            lines.retain(|l| !matches!(l, IndexLine::Entry(v) if v["vers"] == version));
            if lines.is_empty() {
                inner.index.remove(&key);
            }
        }
        removed_file
    }

    /// Limits the feed to the newest `n` items (crates.io lists at least 100 and everything
    /// from the last hour); `None` lists everything.
    pub fn set_feed_window(&self, n: Option<usize>) {
        self.shared.lock().feed_window = n;
    }

    /// Every request whose path starts with `path_prefix` gets `fault` until cleared.
    pub fn set_fault(&self, path_prefix: &str, fault: Fault) {
        self.add_fault(path_prefix, fault, None);
    }

    /// The next `times` requests whose path starts with `path_prefix` get `fault`; later
    /// ones are answered normally (e.g. a 500 followed by success).
    pub fn set_fault_times(&self, path_prefix: &str, fault: Fault, times: usize) {
        self.add_fault(path_prefix, fault, Some(times));
    }

    fn add_fault(&self, prefix: &str, fault: Fault, remaining: Option<usize>) {
        let mut inner = self.shared.lock();
        inner.faults.retain(|r| r.prefix != prefix);
        inner.faults.push(FaultRule { prefix: prefix.to_owned(), fault, remaining });
    }

    /// Removes the fault set for exactly `path_prefix`.
    pub fn clear_fault(&self, path_prefix: &str) {
        self.shared.lock().faults.retain(|r| r.prefix != path_prefix);
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.clone()
    }

    /// How many requests had a path starting with `path_prefix`.
    pub fn request_count(&self, path_prefix: &str) -> usize {
        self.shared.lock().log.iter().filter(|r| r.path.starts_with(path_prefix)).count()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.shared.lock().log.clear();
    }

    /// The RSS document currently served at `/rss/updates.xml`.
    pub fn feed_xml(&self) -> String {
        render_feed(&self.shared.base, &self.shared.lock())
    }
}

/// The sparse-index path of a crate name, per cargo's rules, lowercased: `1/a`, `2/ab`,
/// `3/a/abc`, `ab/cd/abcd…`.
pub fn index_path(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    match lower.len() {
        0 => String::new(),
        1 => format!("1/{lower}"),
        2 => format!("2/{lower}"),
        3 => format!("3/{}/{lower}", &lower[..1]),
        _ => format!("{}/{}/{lower}", &lower[..2], &lower[2..4]),
    }
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn rfc3339_seconds(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

fn handle(shared: &Shared, req: Request) -> Reply {
    let fault = {
        let mut inner = shared.lock();
        inner.log.push(RequestRecord { method: req.method.clone(), path: req.path.clone(), headers: req.headers.clone() });
        take_fault(&mut inner, &req.path)
    };
    match fault {
        Some(Fault::Status(code)) => return Reply::new(code, "text/plain", format!("injected status {code}\n").into_bytes()),
        Some(Fault::Garbage(bytes)) => return Reply::new(200, "application/octet-stream", bytes),
        Some(Fault::Drop) => return Reply::Drop,
        Some(Fault::Delay(d)) => std::thread::sleep(d),
        None => {}
    }
    if req.method != "GET" && req.method != "HEAD" {
        return Reply::new(405, "text/plain", b"method not allowed\n".to_vec());
    }
    let path = req.path.split('?').next().unwrap_or("");
    if path == "/index/config.json" {
        let body = json!({ "dl": format!("{}/api/v1/crates", shared.base), "api": shared.base });
        return Reply::new(200, "application/json", body.to_string().into_bytes());
    }
    if let Some(rest) = path.strip_prefix("/index/") {
        return index_file(shared, rest, req.header("If-None-Match"));
    }
    if let Some(rest) = path.strip_prefix("/api/v1/crates/") {
        let parts: Vec<&str> = rest.split('/').collect();
        if let [name, version, "download"] = parts.as_slice() {
            let inner = shared.lock();
            if let Some(bytes) = inner.files.get(&(name.to_ascii_lowercase(), (*version).to_owned())) {
                return Reply::new(200, "application/gzip", bytes.clone());
            }
        }
        return not_found();
    }
    if path == "/rss/updates.xml" {
        let xml = render_feed(&shared.base, &shared.lock());
        return Reply::new(200, "application/rss+xml; charset=utf-8", xml.into_bytes());
    }
    not_found()
}

fn take_fault(inner: &mut Inner, path: &str) -> Option<Fault> {
    let pos = inner.faults.iter().position(|r| path.starts_with(&r.prefix))?;
    let rule = &mut inner.faults[pos];
    let fault = rule.fault.clone();
    if let Some(remaining) = &mut rule.remaining {
        *remaining = remaining.saturating_sub(1);
        if *remaining == 0 {
            inner.faults.remove(pos);
        }
    }
    Some(fault)
}

fn not_found() -> Reply {
    Reply::new(404, "text/plain", b"not found\n".to_vec())
}

fn index_file(shared: &Shared, rest: &str, if_none_match: Option<&str>) -> Reply {
    let Some(name) = rest.rsplit('/').next() else { return not_found() };
    // Serve only at the exact path cargo's rules give, so a client computing it wrong fails.
    if name.is_empty() || index_path(name) != rest || rest.to_ascii_lowercase() != rest {
        return not_found();
    }
    let inner = shared.lock();
    let Some(lines) = inner.index.get(name) else { return not_found() };
    let mut body = String::new();
    for line in lines {
        match line {
            IndexLine::Entry(v) => body.push_str(&v.to_string()),
            IndexLine::Raw(s) => body.push_str(s),
        }
        body.push('\n');
    }
    let etag = format!("\"{}\"", &sha256_hex(body.as_bytes())[..16]);
    if if_none_match == Some(etag.as_str()) {
        return Reply::Response { status: 304, headers: vec![("ETag".into(), etag)], body: Vec::new() };
    }
    Reply::Response {
        status: 200,
        headers: vec![("Content-Type".into(), "text/plain".into()), ("ETag".into(), etag)],
        body: body.into_bytes(),
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// crates.io's `rss/updates.xml`, as its `sync_updates_feed` job writes it with the `rss`
/// crate: descriptions are XML-escaped and then wrapped in CDATA.
fn render_feed(base: &str, inner: &Inner) -> String {
    let mut items: Vec<&FeedItem> = inner.feed.iter().collect();
    items.sort_by(|a, b| b.at.cmp(&a.at).then(b.seq.cmp(&a.seq)));
    if let Some(n) = inner.feed_window {
        items.truncate(n);
    }
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
    let _ = write!(
        out,
        "<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:crates=\"https://crates.io/\">\
         <channel><title>crates.io: recent updates</title><link>{base}/</link>\
         <description>Recent version publishes on the crates.io package registry</description>\
         <language>en</language>\
         <atom:link href=\"{base}/rss/updates.xml\" rel=\"self\" type=\"application/rss+xml\"/>"
    );
    for item in items {
        let name = xml_escape(&item.name);
        let version = xml_escape(&item.version);
        let link = format!("{base}/crates/{name}/{version}");
        let _ = write!(out, "<item><title>New crate version published: {name} v{version}</title><link>{link}</link>");
        if let Some(d) = &item.description {
            let _ = write!(out, "<description><![CDATA[{}]]></description>", xml_escape(d));
        }
        let date = item.at.to_offset(time::UtcOffset::UTC).format(&Rfc2822).unwrap_or_default();
        let _ = write!(
            out,
            "<guid>{link}</guid><pubDate>{date}</pubDate><crates:name>{name}</crates:name><crates:version>{version}</crates:version></item>"
        );
    }
    out.push_str("</channel></rss>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_follow_cargo_rules() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("Abc"), "3/a/abc");
        assert_eq!(index_path("Serde_JSON"), "se/rd/serde_json");
    }

    #[test]
    fn feed_is_newest_first_and_escaped() {
        let reg = FakeRegistry::start();
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_719_071_839);
        reg.publish_with(Publish::new("foo", "1.2.0", vec![1]).pubtime(old).description("<script>x</script> ]]>"));
        reg.publish("bar", "0.1.0", vec![2]);
        let xml = reg.feed_xml();
        let bar = xml.find("bar v0.1.0").unwrap();
        let foo = xml.find("foo v1.2.0").unwrap();
        assert!(bar < foo, "newest first: {xml}");
        assert!(xml.contains("<pubDate>Sat, 22 Jun 2024 15:57:19 +0000</pubDate>"), "{xml}");
        assert!(xml.contains("<![CDATA[&lt;script&gt;x&lt;/script&gt; ]]&gt;]]>"), "{xml}");
        assert!(xml.contains("<crates:name>foo</crates:name><crates:version>1.2.0</crates:version>"));
        assert!(xml.contains("xmlns:crates=\"https://crates.io/\""));
    }

    #[test]
    fn feed_window_limits_items() {
        let reg = FakeRegistry::start();
        for i in 0..5 {
            reg.publish("w", &format!("0.1.{i}"), vec![i]);
        }
        reg.set_feed_window(Some(2));
        let xml = reg.feed_xml();
        assert_eq!(xml.matches("<item>").count(), 2);
        assert!(xml.contains("w v0.1.4") && xml.contains("w v0.1.3"));
    }

    #[test]
    fn pubtime_is_rfc3339_utc() {
        let at = OffsetDateTime::from(SystemTime::UNIX_EPOCH + Duration::from_secs(1_719_071_839));
        assert_eq!(rfc3339_seconds(at), "2024-06-22T15:57:19Z");
    }
}

#[cfg(test)]
mod http_tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::TcpStream;

    /// Raw GET; returns (status, body) or None when the connection closed without an answer.
    fn get(reg: &FakeRegistry, path: &str, extra: &str) -> Option<(u16, Vec<u8>)> {
        let mut s = TcpStream::connect(reg.addr()).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: x\r\n{extra}\r\n").unwrap();
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).ok()?;
        if buf.is_empty() {
            return None;
        }
        let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let status = std::str::from_utf8(&buf[9..12]).unwrap().parse().unwrap();
        Some((status, buf[end + 4..].to_vec()))
    }

    #[test]
    fn serves_index_downloads_and_faults() {
        let reg = FakeRegistry::start();
        let cksum = reg.publish_with(Publish::new("Foo", "1.0.0", b"crate".to_vec()).dep("bar", "^1"));
        reg.push_raw_index_line("foo", "not json");
        let (status, body) = get(&reg, "/index/3/f/foo", "").unwrap();
        assert_eq!(status, 200);
        let body = String::from_utf8(body).unwrap();
        let first: Value = serde_json::from_str(body.lines().next().unwrap()).unwrap();
        assert_eq!(first["cksum"], cksum);
        assert_eq!(first["deps"][0]["name"], "bar");
        assert_eq!(body.lines().nth(1), Some("not json"));
        assert_eq!(get(&reg, "/index/3/F/foo", "").unwrap().0, 404, "wrong-case path");
        assert_eq!(get(&reg, "/index/fo/o", "").unwrap().0, 404);
        assert_eq!(get(&reg, "/api/v1/crates/foo/1.0.0/download", "").unwrap(), (200, b"crate".to_vec()));
        assert_eq!(get(&reg, "/api/v1/crates/foo/9.0.0/download", "").unwrap().0, 404);

        reg.set_fault_times("/index/", Fault::Status(503), 1);
        assert_eq!(get(&reg, "/index/3/f/foo", "").unwrap().0, 503);
        assert_eq!(get(&reg, "/index/3/f/foo", "").unwrap().0, 200);
        reg.set_fault("/index/", Fault::Drop);
        assert!(get(&reg, "/index/3/f/foo", "").is_none());
        reg.set_fault("/index/", Fault::Garbage(b"\x00\x01".to_vec()));
        assert_eq!(get(&reg, "/index/3/f/foo", "").unwrap(), (200, b"\x00\x01".to_vec()));
        reg.clear_faults();
        assert_eq!(reg.request_count("/index/3/f/foo"), 5);
        assert!(reg.delete("foo", "1.0.0"));
        assert_eq!(get(&reg, "/api/v1/crates/foo/1.0.0/download", "").unwrap().0, 404);
    }

    #[test]
    fn etag_revalidation() {
        let reg = FakeRegistry::start();
        reg.publish("abcd", "0.1.0", vec![0]);
        let mut s = TcpStream::connect(reg.addr()).unwrap();
        write!(s, "GET /index/ab/cd/abcd HTTP/1.1\r\n\r\n").unwrap();
        let mut head = String::new();
        s.read_to_string(&mut head).unwrap();
        let etag = head.lines().find_map(|l| l.strip_prefix("ETag: ")).unwrap().to_owned();
        let (status, _) = get(&reg, "/index/ab/cd/abcd", &format!("If-None-Match: {etag}\r\n")).unwrap();
        assert_eq!(status, 304);
        reg.publish("abcd", "0.2.0", vec![0]);
        let (status, _) = get(&reg, "/index/ab/cd/abcd", &format!("If-None-Match: {etag}\r\n")).unwrap();
        assert_eq!(status, 200);
    }
}
