//! Building the facts of a whole crate from its archive.

use crate::analyze;
use crate::context::{self, FileContext};
use crate::facts::{Evidence, FileFacts};
use crate::flows;
use crate::manifest::{self, Manifest};
use ferret_archive::{CrateArchive, FileKind};

/// Substrings whose absence lets a file skip the parser: a file that mentions none of them
/// cannot reach the network, a process, the environment, the file system, or hide a string.
const TRIGGERS: &[&[u8]] = &[
    b"net", b"http", b"Command", b"process", b"env", b"fs", b"File", b"read", b"write", b"Regex",
    b"regex", b"decode", b"from_utf8", b"rev()", b"concat", b"join", b"^", b"ctor", b"Drop",
    b"include_", b"danger", b"Verifier", b"verify", b"dlopen", b"Library", b"://", b"socket",
    b"Socket", b"Stream", b"hostname", b"whoami", b"exec", b"mode", b"link_section", b"ssh",
    b"wallet", b"key", b"token", b"secret", b"telegram", b"discord", b"from_raw", b"dup2",
    b"vec![", b"chars()", b"[u8", b"0x", b"system", b"memfd", b"curl", b"wget", b"lookup",
    b"spawn", b"std::", b"macro_rules", b"obf",
];

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
            let must = ctx.runs_at_build();
            if must || TRIGGERS.iter().any(|t| memchr::memmem::find(&f.data, t).is_some()) {
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
