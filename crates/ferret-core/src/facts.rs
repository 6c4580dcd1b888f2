//! What the analysis learns about a crate: capabilities with evidence, recovered strings,
//! indicators and source-to-sink flows. Rules read these facts; they never re-parse code.

use crate::context::FileContext;
use crate::fold::Transform;
use crate::indicators::Indicator;

/// Kinds of network access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NetKind {
    Http,
    Tcp,
    Udp,
    Dns,
    WebSocket,
}

/// One capability the code has.
#[derive(Debug, Clone, PartialEq)]
pub enum Cap {
    /// Uses a network API (`api` is the resolved path or method).
    Network { kind: NetKind, api: String },
    /// Spawns a process; `program` when it folds to a constant.
    Process { program: Option<String>, shell: bool, downloader: bool },
    /// A command line that downloads/runs a payload (curl | sh, PowerShell cradle, /dev/tcp).
    ShellPayload { what: &'static str, text: String },
    /// Names a secret-bearing file (keys, credentials, wallets, .env).
    SecretPath { path: String, what: &'static str },
    /// Names a persistence location (authorized_keys, shell rc, cron, systemd, Run keys).
    PersistencePath { path: String, what: &'static str },
    /// Reads an environment variable with a secret-like name.
    EnvSecret { var: String },
    /// Enumerates the whole environment.
    EnvEnumerate,
    /// Tests for a CI system (`GITLAB_CI`, `GITHUB_ACTIONS`, ...).
    CiGate { var: String },
    /// Collects host identity: user name, host name, OS details.
    Fingerprint { api: String },
    FsWalk,
    FsRead,
    FsWrite,
    /// Makes a file executable (mode 0o7xx, chmod +x).
    SetExecutable,
    /// Runs a program from a computed path (not a constant command).
    ExecComputed,
    DynLoad { api: String },
    TlsDisabled { how: String },
    KeyPattern { what: &'static str, pattern: String },
    ChatEndpoint { what: &'static str, text: String },
    ExfilHost { host: String, why: &'static str },
    /// A string recovered by deobfuscation.
    Obfuscated { text: String, transforms: Vec<Transform> },
    /// A byte-wise XOR/arith decoding over data.
    XorDecode,
    /// Resolves a host name built at run time (DNS exfiltration channel).
    DnsDynamic,
    /// Turns a socket into a process's stdio (reverse shell).
    SocketStdio,
    /// Code that runs before `main` (`#[ctor]`, `.init_array`).
    Constructor { attr: String },
    /// `include_bytes!`/`include_str!` of a crate file.
    Include { path: String },
}

/// A capability at a place.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub cap: Cap,
    pub line: u32,
    /// The function it sits in, if any.
    pub func: Option<String>,
    /// Inside code that runs without being asked (constructor, Drop, static initialiser).
    pub unasked: bool,
}

/// Where tainted data ended up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SinkKind {
    /// Request body, query, form, JSON, or raw socket/DNS payload.
    Payload,
    /// Part of the URL or host name.
    Url,
    /// A request header (how credentials are normally *used*).
    Header,
}

/// A secret or identity source flowing into a network sink.
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    pub source: String,
    pub source_line: u32,
    pub sink: String,
    pub sink_kind: SinkKind,
    pub line: u32,
    pub func: String,
}

/// A string recovered by deobfuscation.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovered {
    pub text: String,
    pub transforms: Vec<Transform>,
    pub line: u32,
}

/// Everything learned about one file.
#[derive(Debug, Clone)]
pub struct FileFacts {
    pub path: String,
    pub context: FileContext,
    pub evidence: Vec<Evidence>,
    pub flows: Vec<Flow>,
    pub indicators: Vec<(Indicator, u32)>,
    pub recovered: Vec<Recovered>,
    /// Why the file could not be analysed as Rust, if it could not.
    pub parse_error: Option<(String, u32)>,
    /// Whether the file was parsed (files with nothing of interest are skipped).
    pub parsed: bool,
}

impl FileFacts {
    pub fn new(path: &str, context: FileContext) -> FileFacts {
        FileFacts {
            path: path.to_string(),
            context,
            evidence: Vec::new(),
            flows: Vec::new(),
            indicators: Vec::new(),
            recovered: Vec::new(),
            parse_error: None,
            parsed: false,
        }
    }

    pub fn has(&self, pred: impl Fn(&Cap) -> bool) -> bool {
        self.evidence.iter().any(|e| pred(&e.cap))
    }

    pub fn find(&self, pred: impl Fn(&Cap) -> bool) -> Option<&Evidence> {
        self.evidence.iter().find(|e| pred(&e.cap))
    }
}
