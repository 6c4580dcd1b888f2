//! Building the facts of a whole crate from its archive.

use crate::analyze;
use crate::context::{self, FileContext};
use crate::facts::{Evidence, FileFacts};
use crate::flows;
use crate::manifest::{self, Manifest};
use ferret_archive::{CrateArchive, FileKind};

/// Substrings whose absence lets a file skip the parser: a file that mentions none of them
/// cannot reach the network, a process, the environment, the file system, or hide a string.
const TRIGGERS: &[&str] = &[
    // network
    "TcpStream", "UdpSocket", "to_socket_addrs", "lookup_host", "reqwest", "ureq", "hyper::",
    "curl::", "isahc", "attohttpc", "surf::", "minreq", "http_req", "ehttp", "awc::", "tungstenite",
    "websocket", "trust_dns", "hickory", "dns_lookup", "teloxide", "serenity", "lettre", "reqwless",
    // processes and loading
    "Command::new", "CommandExt", "libc::execv", "unistd::execv", "libc::system", "libc::popen",
    "duct::cmd", "libloading", "libc::dlopen", "memfd_create(", "LoadLibraryA(", "LoadLibraryW(",
    // environment and identity
    "env::var", "std::env", "var_os", "whoami", "hostname::", "libc::gethostname",
    "unistd::gethostname", "sysinfo::", "sys_info::",
    // secrets, persistence, wallets
    ".ssh", "id_rsa", "id_ed25519", "credentials.toml", "/credentials", "git-credentials", "solana", "keystore", "wallet", ".env\"", "\".env",
    "authorized_keys", "bashrc", "zshrc", ".profile", "bash_profile", "crontab", "/etc/cron",
    "systemd", "LaunchAgents", "LaunchDaemons", "CurrentVersion", "Startup\\", "autostart",
    "schtasks", ".aws", ".kube", ".docker", ".npmrc", ".pypirc", ".netrc", ".gnupg",
    "Login Data", "Local State",
    // key hunting
    "{64}", "{40}", "{63}", "1-9A-HJ", "PRIVATE KEY-----", "PRIVATE\\\\sKEY",
    // hidden strings
    "decode(\"", "from_utf8(vec!", "from_utf8(&[", "from_utf8_lossy(&[", "chars().rev()", "obfstr",
    "xorstr", "litcrypt",
    // code that runs unasked, TLS, embedded files
    "#[ctor", "ctor::", "init_array", "CRT$X", "mod_init_func", "danger_accept", "CertVerifier",
    "NoCertificateVerification", "verify_peer", "verify_host", "SslVerifyMode",
    "from_raw_fd", "libc::dup2", "unistd::dup2", "set_permissions", "from_mode", "set_mode",
    "\"chmod", "chmod +x",
    // free anonymous hosts and chat endpoints
    "workers.dev", "pages.dev", "vercel.app", "netlify.app", "ngrok", "trycloudflare",
    "webhook", "requestbin", "pipedream", "interact.sh", "oast.", "pastebin", "transfer.sh",
    "herokuapp", "glitch.me", "repl.co", "replit", "duckdns", "no-ip", "ddns", "telegram",
    "discord", "hooks.slack",
];

/// One multi-pattern automaton over [`TRIGGERS`], built once.
fn triggers() -> &'static aho_corasick::AhoCorasick {
    static AC: std::sync::OnceLock<aho_corasick::AhoCorasick> = std::sync::OnceLock::new();
    AC.get_or_init(|| aho_corasick::AhoCorasick::new(TRIGGERS).expect("valid trigger patterns"))
}

/// Whether a file needs the parser: build-time code always; other files when they mention a
/// trigger (or carry long arrays of small integers, where bytes may hide text).
fn needs_parse(data: &[u8]) -> bool {
    triggers().is_match(data) || (memchr::memchr(b'^', data).is_some() && memchr::memmem::find(data, b"as char").is_some())
}

/// Everything known about one crate, for the rules.
pub struct CrateFacts<'a> {
    pub archive: &'a CrateArchive,
    pub name: String,
    pub version: String,
    pub manifest: Manifest,
    pub manifest_error: Option<String>,
    pub files: Vec<FileFacts>,
}

impl<'a> CrateFacts<'a> {
    pub fn build(archive: &'a CrateArchive, fallback_name: &str, fallback_version: &str) -> CrateFacts<'a> {
        let (manifest, manifest_error) = match archive.cargo_toml() {
            Some(f) => match manifest::parse(&f.text(), |p| archive.file(p).is_some()) {
                Ok(m) => (m, None),
                Err(e) => (Manifest::default(), Some(format!("Cargo.toml cannot be parsed: {e}"))),
            },
            None => (Manifest::default(), Some("the crate has no Cargo.toml".to_string())),
        };
        let name = manifest.name.clone().unwrap_or_else(|| fallback_name.to_string());
        let version = manifest.version.clone().unwrap_or_else(|| fallback_version.to_string());
        let mut files = Vec::new();
        let mut parsed: Vec<(usize, syn::File)> = Vec::new();
        for f in &archive.files {
            if f.kind != FileKind::Rust && !f.path.ends_with(".rs") {
                continue;
            }
            let ctx = context::classify(&f.path, &manifest);
            let mut facts = FileFacts::new(&f.path, ctx);
            // Build scripts are always read; tests, examples and benches (which dependents never
            // run) are not parsed at all; the rest (proc-macros included) when it mentions a trigger.
            let must = ctx == FileContext::BuildScript;
            if must || (!ctx.dev_only() && needs_parse(&f.data)) {
                let text = f.text();
                if let Some(ast) = analyze::analyze_rust(&text, &mut facts) {
                    let interesting = facts.evidence.iter().any(|e| !matches!(e.cap, crate::facts::Cap::Include { .. }));
                    if interesting {
                        parsed.push((files.len(), ast));
                    }
                }
            }
            files.push(facts);
        }
        // Flows need the crate's functions linked by name; only files with evidence take part.
        if !parsed.is_empty() {
            let asts: Vec<&syn::File> = parsed.iter().map(|(_, a)| a).collect();
            let links = flows::link(&asts);
            for (idx, ast) in &parsed {
                files[*idx].flows = flows::flows(ast, &links);
            }
        }
        drop(parsed);
        // Spans of the parsed files are no longer needed; free proc-macro2's source map.
        proc_macro2::extra::invalidate_current_thread_spans();
        CrateFacts { archive, name, version, manifest, manifest_error, files }
    }

    /// Evidence from files in contexts accepted by `ctx`.
    pub fn evidence<'s>(&'s self, ctx: impl Fn(FileContext) -> bool + 's) -> impl Iterator<Item = (&'s FileFacts, &'s Evidence)> + 's {
        self.files.iter().filter(move |f| ctx(f.context)).flat_map(|f| f.evidence.iter().map(move |e| (f, e)))
    }

    /// The source line(s) at `line` of `path`, for a finding's snippet.
    pub fn snippet(&self, path: &str, line: u32) -> String {
        if line == 0 {
            return String::new();
        }
        let Some(f) = self.archive.file(path) else { return String::new() };
        let text = f.text();
        let Some(l) = text.lines().nth(line as usize - 1) else { return String::new() };
        let l = l.trim_end();
        if l.chars().count() > 240 {
            let mut s: String = l.chars().take(240).collect();
            s.push('…');
            s
        } else {
            l.to_string()
        }
    }

    /// Whether the crate's code in `ctx` contains any of `needles` (a cheap text test).
    pub fn text_mentions(&self, ctx: impl Fn(FileContext) -> bool, needles: &[&str]) -> bool {
        self.files.iter().filter(|f| ctx(f.context)).any(|f| {
            self.archive.file(&f.path).is_some_and(|cf| needles.iter().any(|n| memchr::memmem::find(&cf.data, n.as_bytes()).is_some()))
        })
    }
}
