//! Reader for RustSec advisories: `crates/<name>/RUSTSEC-*.md`, TOML front matter inside a
//! ```` ```toml ```` fence, then Markdown whose first `# ` heading is the title.

use jiff::civil::Date;
use semver::VersionReq;
use serde::Deserialize;

use crate::error::ParseError;
use crate::model::{Advisory, Source};

/// The front matter. Unknown keys are ignored (the format grows over time).
#[derive(Debug, Deserialize)]
struct FrontMatter {
    advisory: AdvisorySection,
    #[serde(default)]
    versions: VersionsSection,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct AdvisorySection {
    id: String,
    package: String,
    date: String,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    references: Vec<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    #[serde(default)]
    withdrawn: Option<String>,
    /// Old-format advisories carried the title and description in the TOML.
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct VersionsSection {
    #[serde(default)]
    patched: Vec<String>,
    #[serde(default)]
    unaffected: Vec<String>,
}

/// Parses one RustSec advisory file. `file` names it in the result (and in errors).
///
/// An advisory is **malicious** when its `categories` contain `"malicious"`, or, for takedowns
/// filed without categories (RustSec's `arone`, `aronenao`, `tinymember`, `logprinter`), when its
/// title says the crate was removed from crates.io over malicious code or malware: the title
/// (case-insensitively) contains `removed from crates.io` and `malicious` or `malware`, or
/// starts with `malicious crate`. Titles such as "a malicious server can crash the client" do
/// not match, since they do not say the crate was removed.
pub fn parse_rustsec(text: &str, file: &str) -> Result<Advisory, ParseError> {
    let err = |message: String| ParseError { file: file.to_owned(), message };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (toml_text, markdown) = split_front_matter(text).ok_or_else(|| {
        err("no TOML front matter: expected the file to start with a ```toml fence".into())
    })?;
    let front: FrontMatter =
        toml::from_str(toml_text).map_err(|e| err(format!("front matter: {}", e.message())))?;
    let a = front.advisory;
    if a.id.trim().is_empty() {
        return Err(err("empty advisory id".into()));
    }
    if a.package.trim().is_empty() {
        return Err(err("empty package name".into()));
    }
    let date = parse_date(&a.date).map_err(|m| err(format!("date {:?}: {m}", a.date)))?;
    let withdrawn = match &a.withdrawn {
        Some(w) => Some(parse_date(w).map_err(|m| err(format!("withdrawn {w:?}: {m}")))?),
        None => None,
    };
    let patched = parse_reqs(&front.versions.patched).map_err(|m| err(format!("patched: {m}")))?;
    let unaffected =
        parse_reqs(&front.versions.unaffected).map_err(|m| err(format!("unaffected: {m}")))?;

    let (md_title, body) = split_title(markdown);
    let title = a.title.or(md_title).unwrap_or_default();
    let description = a.description.unwrap_or(body);
    let malicious = a.categories.iter().any(|c| c == "malicious") || title_says_takedown(&title);

    Ok(Advisory {
        id: a.id.trim().to_owned(),
        aliases: a.aliases,
        package: a.package.trim().to_owned(),
        title,
        description,
        date,
        url: a.url,
        references: a.references,
        source: Source::RustSec,
        malicious,
        patched,
        unaffected,
        affected_ranges: Vec::new(),
        withdrawn,
        indicators: Vec::new(),
        related: Vec::new(),
        file: Some(file.to_owned()),
    })
}

/// Whether a title says the crate was taken down as malware (see [`parse_rustsec`]).
pub fn title_says_takedown(title: &str) -> bool {
    let t = title.to_lowercase();
    (t.contains("removed from crates.io") && (t.contains("malicious") || t.contains("malware")))
        || t.trim_start_matches(['#', ' ']).starts_with("malicious crate")
}

/// Splits "```toml\n...\n```\n rest" into the TOML and the rest.
fn split_front_matter(text: &str) -> Option<(&str, &str)> {
    let text = text.trim_start();
    let rest = text.strip_prefix("```toml")?;
    let rest = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n'))?;
    // The closing fence is a line that is exactly ``` (maybe with trailing spaces).
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "```" {
            return Some((&rest[..offset], &rest[offset + line.len()..]));
        }
        offset += line.len();
    }
    None
}

/// The first `# ` heading and the Markdown after it.
fn split_title(markdown: &str) -> (Option<String>, String) {
    let mut offset = 0;
    for line in markdown.split_inclusive('\n') {
        let trimmed = line.trim();
        if let Some(title) = trimmed.strip_prefix("# ") {
            let body = markdown[offset + line.len()..].trim().to_owned();
            return (Some(title.trim().to_owned()), body);
        }
        if !trimmed.is_empty() {
            break;
        }
        offset += line.len();
    }
    (None, markdown.trim().to_owned())
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    let s = s.trim();
    if s.len() <= 10 {
        return s.parse::<Date>().map_err(|e| e.to_string());
    }
    // A full RFC 3339 timestamp (OSV): its date in UTC.
    s.parse::<jiff::Timestamp>()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date())
        .map_err(|e| e.to_string())
}

fn parse_reqs(list: &[String]) -> Result<Vec<VersionReq>, String> {
    list.iter()
        .map(|s| VersionReq::parse(s).map_err(|e| format!("{s:?}: {e}")))
        .collect()
}
