//! Parsing crates.io's RSS feed of version publishes (`rss/updates.xml`).
//!
//! Each item carries `<crates:name>` and `<crates:version>`; when those are missing the name and
//! version are taken from the title `New crate version published: foo v1.2.0`. Names and
//! versions are validated (crates.io's name rules, semver); an item that fails is reported, never
//! enqueued. The description is the crate's own text: it is kept, bounded, and escaped wherever
//! it is shown.

/// Largest feed accepted, in bytes.
pub const MAX_FEED_BYTES: usize = 16 * 1024 * 1024;
/// Most items read from one feed.
pub const MAX_ITEMS: usize = 20_000;
/// Descriptions are cut to this many characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2_000;

/// One publish listed in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedItem {
    /// Crate name (validated).
    pub name: String,
    /// Version (valid semver).
    pub version: String,
    /// The crate's description, if the feed gave one (hostile text).
    pub description: Option<String>,
    /// Publication time, RFC 3339, when the feed's `pubDate` parsed.
    pub published_at: Option<String>,
}

/// The result of parsing a feed: its usable items (newest first, as listed) and the problems
/// found in the others.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedFeed {
    /// Valid items.
    pub items: Vec<FeedItem>,
    /// One message per rejected item.
    pub rejected: Vec<String>,
}

/// Why a feed could not be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedError {
    /// Too big.
    #[error("feed is larger than {MAX_FEED_BYTES} bytes")]
    TooLarge,
    /// Not RSS.
    #[error("feed is not a valid RSS document: {0}")]
    Invalid(String),
}

/// Whether `name` is a valid crates.io crate name: ASCII letters, digits, `-` and `_`, starting
/// with a letter, at most 64 characters.
pub fn valid_crate_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.as_bytes()[0].is_ascii_alphabetic()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Whether `version` is a valid semver version of reasonable length.
pub fn valid_version(version: &str) -> bool {
    version.len() <= 100 && semver::Version::parse(version).is_ok()
}

fn ext_value<'a>(item: &'a rss::Item, field: &str) -> Option<&'a str> {
    // The prefix is whatever the feed declared for crates.io's namespace; accept the usual one
    // and any prefix bound to a crates.io namespace URI.
    let map = item.extensions();
    if let Some(v) = map.get("crates").and_then(|m| m.get(field)).and_then(|v| v.first()).and_then(|e| e.value())
    {
        return Some(v);
    }
    map.values().find_map(|m| m.get(field).and_then(|v| v.first()).and_then(|e| e.value()))
}

fn from_title(title: &str) -> Option<(String, String)> {
    let rest = title.trim().strip_prefix("New crate version published:")?.trim();
    let (name, version) = rest.rsplit_once(' ')?;
    let version = version.strip_prefix('v').unwrap_or(version);
    Some((name.trim().to_string(), version.to_string()))
}

fn shorten(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// crates.io XML-escapes the description and then wraps it in CDATA, so the text inside the
/// CDATA still holds entity references: decode the predefined ones once. (The result is
/// escaped again wherever it is shown.)
fn unescape_xml(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Parse a feed body.
pub fn parse(body: &[u8]) -> Result<ParsedFeed, FeedError> {
    if body.len() > MAX_FEED_BYTES {
        return Err(FeedError::TooLarge);
    }
    let channel = rss::Channel::read_from(body).map_err(|e| FeedError::Invalid(e.to_string()))?;
    let mut parsed = ParsedFeed::default();
    for (i, item) in channel.items().iter().take(MAX_ITEMS).enumerate() {
        let pair = match (ext_value(item, "name"), ext_value(item, "version")) {
            (Some(n), Some(v)) => Some((n.trim().to_string(), v.trim().to_string())),
            _ => item.title().and_then(from_title),
        };
        let Some((name, version)) = pair else {
            parsed.rejected.push(format!("item {}: no crate name and version", i + 1));
            continue;
        };
        if !valid_crate_name(&name) {
            parsed.rejected.push(format!("item {}: invalid crate name {:?}", i + 1, shorten(&name, 80)));
            continue;
        }
        if !valid_version(&version) {
            parsed.rejected.push(format!("item {}: invalid version {:?} of {name}", i + 1, shorten(&version, 80)));
            continue;
        }
        let published_at = item
            .pub_date()
            .and_then(|d| chrono::DateTime::parse_from_rfc2822(d.trim()).ok())
            .map(|d| d.with_timezone(&chrono::Utc).to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let description = item
            .description()
            .map(|d| unescape_xml(d.trim()))
            .filter(|d| !d.is_empty())
            .map(|d| shorten(&d, MAX_DESCRIPTION_CHARS));
        parsed.items.push(FeedItem { name, version, description, published_at });
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:crates="https://crates.io/">
<channel><title>crates.io: recent updates</title><link>https://crates.io/</link><description>x</description>
<item><title>New crate version published: foo v1.2.0</title><link>https://crates.io/crates/foo/1.2.0</link>
<description><![CDATA[&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends]]></description><guid>https://crates.io/crates/foo/1.2.0</guid>
<pubDate>Sat, 22 Jun 2024 15:57:19 +0000</pubDate><crates:name>foo</crates:name><crates:version>1.2.0</crates:version></item>
<item><title>New crate version published: bar_x v0.1.0-alpha.1</title><guid>g</guid></item>
<item><title>New crate version published: ../etc v1.0.0</title></item>
<item><title>hello</title></item>
<item><crates:name>ok</crates:name><crates:version>not-semver</crates:version></item>
</channel></rss>"#;

    #[test]
    fn parses_crates_io_items_and_rejects_bad_ones() {
        let p = parse(FEED.as_bytes()).unwrap();
        assert_eq!(p.items.len(), 2, "{p:?}");
        assert_eq!(p.items[0].name, "foo");
        assert_eq!(p.items[0].version, "1.2.0");
        assert_eq!(p.items[0].description.as_deref(), Some("<script>alert(1)</script> & friends"));
        assert_eq!(p.items[0].published_at.as_deref(), Some("2024-06-22T15:57:19Z"));
        assert_eq!(p.items[1].name, "bar_x");
        assert_eq!(p.items[1].version, "0.1.0-alpha.1");
        assert_eq!(p.rejected.len(), 3, "{:?}", p.rejected);
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(parse(b"<html><body>502 Bad Gateway"), Err(FeedError::Invalid(_))));
        assert!(matches!(parse(b"\x00\x01\x02"), Err(FeedError::Invalid(_))));
    }

    #[test]
    fn crate_name_rules() {
        assert!(valid_crate_name("serde_json"));
        assert!(valid_crate_name("proc-macro2"));
        assert!(!valid_crate_name("2fast"));
        assert!(!valid_crate_name("a/b"));
        assert!(!valid_crate_name("<script>"));
        assert!(!valid_crate_name(&"a".repeat(65)));
    }
}
