//! Indicators of compromise (URLs, IP addresses, host names) pulled out of a report's
//! findings, for the OSV draft and for highlighting in the report page.

use ferret_core::report::Finding;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)\b(?:https?|wss?|ftp)://[^\s"'`<>()\[\]{},;\\]+"#).expect("valid regex"));
static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?::\d{1,5})?\b").expect("valid regex"));
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:workers\.dev|vercel\.app|pages\.dev|netlify\.app|herokuapp\.com|ngrok\.io|ngrok-free\.app|onion|com|net|org|io|dev|app|ru|cn|xyz|top|site|online|me|co|sh|cc|tk)\b").expect("valid regex")
});

/// Indicators found in a set of findings, each list sorted and without duplicates.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Indicators {
    /// Full URLs.
    pub urls: Vec<String>,
    /// IPv4 addresses (with a port when one was written).
    pub ips: Vec<String>,
    /// Host names (from URLs and from bare mentions).
    pub domains: Vec<String>,
}

impl Indicators {
    /// True when nothing was found.
    pub fn is_empty(&self) -> bool {
        self.urls.is_empty() && self.ips.is_empty() && self.domains.is_empty()
    }
}

/// Extract indicators from a text.
pub fn from_text(text: &str, out: &mut (BTreeSet<String>, BTreeSet<String>, BTreeSet<String>)) {
    for m in URL.find_iter(text) {
        let url = m.as_str().trim_end_matches(['.', ':']);
        out.0.insert(url.to_string());
        if let Some(rest) = url.split_once("://").map(|(_, r)| r) {
            let host_port = rest.split(['/', '?', '#']).next().unwrap_or("");
            let host = host_port.rsplit_once('@').map_or(host_port, |(_, h)| h);
            let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
            if IPV4.is_match(&host) {
                out.1.insert(host);
            } else if !host.is_empty() && host.contains('.') {
                out.2.insert(host);
            }
        }
    }
    for m in IPV4.find_iter(text) {
        let ip = m.as_str();
        // Version numbers like 1.2.3.4 in Cargo.toml snippets are rare; loopback and
        // unspecified addresses are not indicators.
        if !ip.starts_with("127.") && !ip.starts_with("0.") {
            out.1.insert(ip.to_string());
        }
    }
    for m in HOST.find_iter(text) {
        out.2.insert(m.as_str().to_ascii_lowercase());
    }
}

/// Indicators of a list of findings (their messages and snippets).
pub fn from_findings<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Indicators {
    let mut sets = Default::default();
    for f in findings {
        from_text(&f.message, &mut sets);
        from_text(&f.snippet, &mut sets);
    }
    let (urls, ips, domains) = sets;
    // A host that is only part of a known URL's host is kept once, in domains.
    Indicators { urls: urls.into_iter().collect(), ips: ips.into_iter().collect(), domains: domains.into_iter().collect() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_urls_ips_and_hosts() {
        let mut sets = Default::default();
        from_text(
            r#"reqwest::post("https://rust-api-jet.vercel.app/api/validate/files") ; connect("23.254.165.112:443"); let h = "evil.workers.dev";"#,
            &mut sets,
        );
        assert!(sets.0.contains("https://rust-api-jet.vercel.app/api/validate/files"));
        assert!(sets.1.contains("23.254.165.112:443"));
        assert!(sets.2.contains("rust-api-jet.vercel.app"));
        assert!(sets.2.contains("evil.workers.dev"));
    }
}
