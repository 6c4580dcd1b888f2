//! Reading one Rust file: capabilities from the AST, with evidence lines.
//!
//! The file is lexed by `proc-macro2` (iterative, so hostile nesting cannot overflow the
//! stack there), measured, and only then parsed by `syn` when nesting and expression length
//! are within bounds. Nothing is expanded, built or run.

use crate::facts::{Cap, Evidence, FileFacts, NetKind, Recovered};
use crate::fold::{self, Env, Folded, Transform, Value};
use crate::indicators;
use proc_macro2::{TokenStream, TokenTree};
use std::collections::{HashMap, HashSet};
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Item};

/// Deepest bracket nesting parsed; deeper files are reported instead of parsed.
pub const MAX_NESTING: usize = 128;
/// Most operator tokens in one run without a `;`/`,` (a chain `1+1+1+...` nests without brackets).
pub const MAX_RUN: usize = 4096;

/// Why a file was not parsed.
#[derive(Debug)]
pub enum Unparsed {
    Lex(String, u32),
    TooDeep(usize, u32),
    TooLong(u32),
    Syntax(String, u32),
}

/// Lex and bound-check, then parse.
pub fn parse(text: &str) -> Result<syn::File, Unparsed> {
    let tokens: TokenStream = text.parse().map_err(|e: proc_macro2::LexError| {
        let line = e.span().start().line as u32;
        Unparsed::Lex(e.to_string(), line)
    })?;
    check_shape(&tokens)?;
    syn::parse2::<syn::File>(tokens).map_err(|e| Unparsed::Syntax(e.to_string(), e.span().start().line as u32))
}

fn check_shape(tokens: &TokenStream) -> Result<(), Unparsed> {
    // Iterative walk: a stack of token iterators.
    let mut stack: Vec<proc_macro2::token_stream::IntoIter> = vec![tokens.clone().into_iter()];
    let mut run = 0usize;
    while let Some(top) = stack.last_mut() {
        match top.next() {
            None => {
                stack.pop();
            }
            Some(TokenTree::Group(g)) => {
                if stack.len() >= MAX_NESTING {
                    return Err(Unparsed::TooDeep(stack.len(), g.span().start().line as u32));
                }
                run = 0;
                stack.push(g.stream().into_iter());
            }
            Some(TokenTree::Punct(p)) => {
                if matches!(p.as_char(), ';' | ',' | '{' | '}') {
                    run = 0;
                } else {
                    run += 1;
                    if run > MAX_RUN {
                        return Err(Unparsed::TooLong(p.span().start().line as u32));
                    }
                }
            }
            Some(_) => {}
        }
    }
    Ok(())
}

const NET_CRATES: &[(&str, NetKind)] = &[
    ("reqwest", NetKind::Http),
    ("ureq", NetKind::Http),
    ("hyper", NetKind::Http),
    ("hyper_util", NetKind::Http),
    ("curl", NetKind::Http),
    ("isahc", NetKind::Http),
    ("attohttpc", NetKind::Http),
    ("surf", NetKind::Http),
    ("minreq", NetKind::Http),
    ("ehttp", NetKind::Http),
    ("http_req", NetKind::Http),
    ("awc", NetKind::Http),
    ("reqwless", NetKind::Http),
    ("tungstenite", NetKind::WebSocket),
    ("tokio_tungstenite", NetKind::WebSocket),
    ("async_tungstenite", NetKind::WebSocket),
    ("websocket", NetKind::WebSocket),
    ("trust_dns_resolver", NetKind::Dns),
    ("hickory_resolver", NetKind::Dns),
    ("dns_lookup", NetKind::Dns),
    ("teloxide", NetKind::Http),
    ("frankenstein", NetKind::Http),
    ("telegram_bot", NetKind::Http),
    ("serenity", NetKind::Http),
    ("lettre", NetKind::Tcp),
];

fn line_of<T: Spanned>(t: &T) -> u32 {
    t.span().start().line as u32
}

fn has_attr(attrs: &[syn::Attribute], names: &[&str]) -> Option<String> {
    attrs.iter().find_map(|a| {
        let p = fold::path_string(a.path());
        let last = p.rsplit("::").next().unwrap_or("").to_string();
        names.contains(&last.as_str()).then_some(p)
    })
}

fn is_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        if a.path().is_ident("test") {
            return true;
        }
        if a.path().is_ident("cfg") {
            let t = quote::ToTokens::to_token_stream(&a.meta).to_string();
            return t.contains("test") && !t.contains("not (test") && !t.contains("not(test");
        }
        false
    })
}

const SECRET_ENV: &[&str] = &["TOKEN", "SECRET", "PASSW", "PRIVATE", "API_KEY", "APIKEY", "ACCESS_KEY", "MNEMONIC", "SEED", "CREDENTIAL", "WALLET", "AUTH"];
const CI_ENV: &[&str] = &["GITLAB_CI", "GITHUB_ACTIONS", "CI", "TRAVIS", "CIRCLECI", "JENKINS_URL", "BUILDKITE", "TF_BUILD", "CI_JOB_TOKEN", "GITHUB_TOKEN_URL"];
const ID_ENV: &[&str] = &["USER", "USERNAME", "LOGNAME", "HOSTNAME", "COMPUTERNAME", "USERDOMAIN"];

/// Environment variable names that are secrets.
pub fn secret_env(var: &str) -> bool {
    let v = var.to_ascii_uppercase();
    if v.starts_with("CARGO_") && !(v.contains("TOKEN") && v.contains("REGIST")) {
        return false;
    }
    if matches!(v.as_str(), "RUSTC_WRAPPER" | "OUT_DIR" | "DEP_OPENSSL_VERSION") {
        return false;
    }
    SECRET_ENV.iter().any(|s| v.contains(s)) && !v.ends_with("_PATH") && !v.ends_with("_DIR") && !v.ends_with("_FILE")
}

/// Per-file visitor state.
pub struct Analyzer<'a> {
    pub facts: &'a mut FileFacts,
    env: Env,
    imports: HashMap<String, String>,
    funcs: Vec<String>,
    unasked: usize,
    test: usize,
    seen_strings: HashSet<(u32, String)>,
    /// Variables bound to host-name templates (`format!("{}.x.example.com", data)`).
    dns_templates: HashSet<String>,
    has_xor: bool,
    file_dir: String,
    /// Loop variables over constant string arrays: `for k in ["AWS_SECRET_ACCESS_KEY", ..]`.
    loop_values: HashMap<String, Vec<String>>,
}

impl<'a> Analyzer<'a> {
    pub fn new(facts: &'a mut FileFacts, text: &str) -> Analyzer<'a> {
        let file_dir = facts.path.rsplit_once('/').map(|(d, _)| d.to_string()).unwrap_or_default();
        Analyzer {
            facts,
            env: Env::default(),
            imports: HashMap::new(),
            funcs: Vec::new(),
            unasked: 0,
            test: 0,
            seen_strings: HashSet::new(),
            dns_templates: HashSet::new(),
            has_xor: text.contains('^'),
            file_dir,
            loop_values: HashMap::new(),
        }
    }

    /// Analyse a parsed file.
    pub fn run(&mut self, file: &syn::File) {
        self.collect_items(&file.items);
        self.visit_file(file);
    }

    fn collect_items(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Use(u) => self.collect_use(&u.tree, String::new()),
                Item::Const(c) => {
                    if let Some(v) = fold::fold(&c.expr, &self.env) {
                        self.env.bind(c.ident.to_string(), v);
                    }
                }
                Item::Static(s) => {
                    if let Some(v) = fold::fold(&s.expr, &self.env) {
                        self.env.bind(s.ident.to_string(), v);
                    }
                }
                Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        self.collect_items(items);
                    }
                }
                _ => {}
            }
        }
    }

    fn collect_use(&mut self, tree: &syn::UseTree, prefix: String) {
        let join = |p: &str, s: &str| if p.is_empty() { s.to_string() } else { format!("{p}::{s}") };
        match tree {
            syn::UseTree::Path(p) => self.collect_use(&p.tree, join(&prefix, &p.ident.to_string())),
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                let full = if name == "self" { prefix.clone() } else { join(&prefix, &name) };
                let key = if name == "self" { prefix.rsplit("::").next().unwrap_or("").to_string() } else { name };
                self.imports.insert(key, full);
            }
            syn::UseTree::Rename(r) => {
                self.imports.insert(r.rename.to_string(), join(&prefix, &r.ident.to_string()));
            }
            syn::UseTree::Glob(_) => {
                self.imports.insert(format!("*{prefix}"), prefix.clone());
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.collect_use(t, prefix.clone());
                }
            }
        }
    }

    /// A path with its first segment resolved through the file's `use` items.
    fn resolve(&self, path: &syn::Path) -> String {
        let s = fold::path_string(path);
        let first = s.split("::").next().unwrap_or("");
        match self.imports.get(first) {
            Some(full) if full != first => format!("{full}{}", &s[first.len()..]),
            _ => {
                // Glob imports: `use std::net::*;` then `TcpStream::connect`.
                for (k, v) in &self.imports {
                    if let Some(prefix) = k.strip_prefix('*') {
                        if glob_provides(prefix, first) {
                            return format!("{v}::{s}");
                        }
                    }
                }
                s
            }
        }
    }

    fn push(&mut self, cap: Cap, line: u32) {
        let ev = Evidence { cap, line, func: self.funcs.last().cloned(), unasked: self.unasked > 0 };
        if self.test > 0 {
            // Inline tests: record nothing that could decide a verdict.
            return;
        }
        if !self.facts.evidence.contains(&ev) && self.facts.evidence.len() < 2000 {
            self.facts.evidence.push(ev);
        }
    }

    fn fold(&self, e: &Expr) -> Option<Folded> {
        fold::fold(e, &self.env)
    }

    fn fold_text(&self, e: &Expr) -> Option<String> {
        self.fold(e).and_then(|f| f.value.as_text())
    }

    /// Look at a string (literal or recovered) for indicators.
    fn inspect_string(&mut self, text: &str, line: u32, recovered: Option<&[Transform]>) {
        if text.len() < 3 || text.len() > 64 * 1024 {
            return;
        }
        if !self.seen_strings.insert((line, text.to_string())) {
            return;
        }
        for ind in indicators::extract(text) {
            if let indicators::Indicator::Host(h) | indicators::Indicator::Ip(h) = &ind {
                if let Some(why) = indicators::exfil_host_reason(h) {
                    self.push(Cap::ExfilHost { host: h.clone(), why }, line);
                }
            }
            if self.test == 0 && !self.facts.indicators.iter().any(|(i, _)| *i == ind) && self.facts.indicators.len() < 200 {
                self.facts.indicators.push((ind, line));
            }
        }
        if let Some(what) = indicators::chat_endpoint(text) {
            self.push(Cap::ChatEndpoint { what, text: text.to_string() }, line);
        }
        if let Some(what) = indicators::secret_path(text) {
            self.push(Cap::SecretPath { path: text.to_string(), what }, line);
        }
        if let Some(what) = indicators::persistence_path(text) {
            self.push(Cap::PersistencePath { path: text.to_string(), what }, line);
        }
        if let Some(what) = indicators::key_pattern(text) {
            self.push(Cap::KeyPattern { what, pattern: text.to_string() }, line);
        }
        if let Some(what) = indicators::shell_download(text) {
            self.push(Cap::ShellPayload { what, text: text.to_string() }, line);
        }
        if let Some(ts) = recovered {
            if ts.iter().any(|t| t.is_obfuscation()) && self.test == 0 {
                self.facts.recovered.push(Recovered { text: text.to_string(), transforms: ts.to_vec(), line });
                if interesting(text) {
                    self.push(Cap::Obfuscated { text: text.to_string(), transforms: ts.to_vec() }, line);
                }
            }
        } else {
            self.brute_force_string(text, line);
        }
    }

    /// Literals that are themselves encoded: base64, hex or reversed text hiding an indicator.
    fn brute_force_string(&mut self, text: &str, line: u32) {
        let t = text.trim();
        if t.len() >= 12 && t.len() <= 8192 && !t.contains(' ') {
            let b64 = t.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_'));
            let has_upper_lower = t.bytes().any(|b| b.is_ascii_uppercase()) && t.bytes().any(|b| b.is_ascii_lowercase());
            if b64 && has_upper_lower {
                if let Some(s) = base64_text(t) {
                    if interesting(&s) {
                        self.inspect_string(&s, line, Some(&[Transform::Base64]));
                    }
                }
            }
            if t.len() % 2 == 0 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
                if let Some(s) = hex::decode(t).ok().and_then(|b| fold::bytes_to_text(&b)) {
                    if interesting(&s) {
                        self.inspect_string(&s, line, Some(&[Transform::Hex]));
                    }
                }
            }
        }
        if t.len() >= 8 && (t.contains("//:") || t.starts_with("hs/") || t.contains("hss.") || t.contains("moc.") && t.contains('/')) {
            let r: String = t.chars().rev().collect();
            if interesting(&r) && !interesting(t) {
                self.inspect_string(&r, line, Some(&[Transform::Reverse]));
            }
        }
    }

    /// Arrays of small integers: plain byte strings, or single-byte XOR of one.
    fn brute_force_bytes(&mut self, bytes: &[u8], line: u32) {
        if bytes.len() < 6 || bytes.len() > 64 * 1024 {
            return;
        }
        if let Some(s) = fold::bytes_to_text(bytes) {
            if interesting(&s) {
                self.inspect_string(&s, line, Some(&[Transform::BytesToString]));
                return;
            }
        }
        if self.has_xor {
            for key in 1u8..=255 {
                let x: Vec<u8> = bytes.iter().map(|b| b ^ key).collect();
                if let Some(s) = fold::bytes_to_text(&x) {
                    if interesting(&s) {
                        self.push(Cap::XorDecode, line);
                        self.inspect_string(&s, line, Some(&[Transform::Xor]));
                        return;
                    }
                }
            }
        }
    }

    fn record_fold(&mut self, e: &Expr) {
        if let Some(f) = self.fold(e) {
            if f.transforms.is_empty() {
                return;
            }
            if f.transforms.contains(&Transform::Xor) || f.transforms.contains(&Transform::Arith) {
                self.push(Cap::XorDecode, line_of(e));
            }
            if let Some(text) = f.value.as_text() {
                self.inspect_string(&text, line_of(e), Some(&f.transforms));
            }
        }
    }

    fn classify_call(&mut self, resolved: &str, args: &[&Expr], line: u32) {
        let segs: Vec<&str> = resolved.split("::").collect();
        let first = segs.first().copied().unwrap_or("");
        let last = segs.last().copied().unwrap_or("");
        let last2 = if segs.len() >= 2 { format!("{}::{}", segs[segs.len() - 2], last) } else { last.to_string() };
        let arg_text = |i: usize, me: &Self| args.get(i).and_then(|e| me.fold_text(e));

        if let Some((_, kind)) = NET_CRATES.iter().find(|(c, _)| *c == first) {
            self.push(Cap::Network { kind: *kind, api: resolved.to_string() }, line);
        }
        match last2.as_str() {
            "TcpStream::connect" | "TcpStream::connect_timeout" => {
                self.push(Cap::Network { kind: NetKind::Tcp, api: resolved.to_string() }, line)
            }
            "UdpSocket::bind" | "UdpSocket::send_to" => self.push(Cap::Network { kind: NetKind::Udp, api: resolved.to_string() }, line),
            "net::lookup_host" | "dns_lookup::lookup_host" | "dns_lookup::getaddrinfo" => {
                self.push(Cap::Network { kind: NetKind::Dns, api: resolved.to_string() }, line);
                if args.first().is_some_and(|a| self.is_dns_template(a)) {
                    self.push(Cap::DnsDynamic, line);
                }
            }
            "Command::new" => {
                let program = arg_text(0, self);
                self.push_process(program, line);
            }
            "env::var" | "env::var_os" => {
                if let Some(var) = arg_text(0, self) {
                    self.classify_env(&var, line);
                } else if let Some(Expr::Path(p)) = args.first().map(|a| strip_ref(a)) {
                    let values = p.path.get_ident().and_then(|i| self.loop_values.get(&i.to_string())).cloned().unwrap_or_default();
                    for v in values {
                        self.classify_env(&v, line);
                    }
                }
            }
            "env::vars" | "env::vars_os" => self.push(Cap::EnvEnumerate, line),
            "fs::read" | "fs::read_to_string" | "File::open" => self.push(Cap::FsRead, line),
            "fs::write" | "File::create" | "fs::copy" | "io::copy" | "File::create_new" => self.push(Cap::FsWrite, line),
            "fs::read_dir" | "WalkDir::new" | "glob::glob" | "WalkBuilder::new" | "jwalk::WalkDir" | "ignore::Walk" => self.push(Cap::FsWalk, line),
            "fs::set_permissions" => self.push(Cap::SetExecutable, line),
            "Permissions::from_mode" | "PermissionsExt::from_mode" => {
                if let Some(Folded { value: Value::Int(m), .. }) = args.first().and_then(|a| self.fold(a)) {
                    if m & 0o111 != 0 {
                        self.push(Cap::SetExecutable, line);
                    }
                }
            }
            "Library::new" | "libloading::Library" => self.push(Cap::DynLoad { api: resolved.to_string() }, line),
            "Stdio::from" | "File::from_raw_fd" | "Stdio::from_raw_fd" | "OwnedFd::from" => self.push(Cap::SocketStdio, line),
            _ => {}
        }
        match last {
            "gethostname" | "get_current_username" | "hostname" | "username" | "realname" | "devicename" | "distro" | "host_name"
                if matches!(first, "whoami" | "hostname" | "gethostname" | "sys_info" | "sysinfo" | "users" | "libc" | "nix" | "System") || resolved.contains("hostname::get") =>
            {
                self.push(Cap::Fingerprint { api: resolved.to_string() }, line)
            }
            "get" if first == "hostname" => self.push(Cap::Fingerprint { api: resolved.to_string() }, line),
            "dlopen" | "LoadLibraryA" | "LoadLibraryW" | "LoadLibraryExW" | "memfd_create" => self.push(Cap::DynLoad { api: resolved.to_string() }, line),
            "system" | "execv" | "execve" | "execvp" | "popen" if matches!(first, "libc" | "nix") => self.push_process(None, line),
            "dup2" if matches!(first, "libc" | "nix") => self.push(Cap::SocketStdio, line),
            "cmd" if first == "duct" => {
                let program = arg_text(0, self);
                self.push_process(program, line);
            }
            _ => {}
        }
    }

    fn is_dns_template(&self, e: &Expr) -> bool {
        let mut e = e;
        while let Expr::Reference(r) = e {
            e = &r.expr;
        }
        match e {
            Expr::Path(p) => p.path.get_ident().is_some_and(|i| self.dns_templates.contains(&i.to_string())),
            Expr::Macro(m) => dns_template_macro(&m.mac),
            Expr::Tuple(t) => t.elems.first().is_some_and(|x| self.is_dns_template(x)),
            Expr::MethodCall(m) => self.is_dns_template(&m.receiver),
            _ => false,
        }
    }

    fn classify_env(&mut self, var: &str, line: u32) {
        let v = var.to_ascii_uppercase();
        if CI_ENV.contains(&v.as_str()) {
            self.push(Cap::CiGate { var: var.to_string() }, line);
        } else if ID_ENV.contains(&v.as_str()) {
            self.push(Cap::Fingerprint { api: format!("env var {var}") }, line);
        } else if secret_env(&v) {
            self.push(Cap::EnvSecret { var: var.to_string() }, line);
        }
    }

    fn push_process(&mut self, program: Option<String>, line: u32) {
        match program {
            Some(p) => {
                let base = p.rsplit(['/', '\\']).next().unwrap_or(&p).to_ascii_lowercase();
                let base = base.trim_end_matches(".exe").to_string();
                let shell = matches!(
                    base.as_str(),
                    "sh" | "bash" | "zsh" | "dash" | "ksh" | "fish" | "cmd" | "powershell" | "pwsh" | "osascript" | "wscript" | "cscript" | "mshta" | "rundll32" | "regsvr32"
                );
                let downloader = matches!(base.as_str(), "curl" | "wget" | "certutil" | "bitsadmin");
                if base == "chmod" {
                    self.push(Cap::SetExecutable, line);
                }
                if p.starts_with("/tmp/") || p.starts_with("./") && p.len() > 2 || p.contains("\\Temp\\") || p.contains("AppData") {
                    self.push(Cap::ExecComputed, line);
                }
                self.push(Cap::Process { program: Some(p), shell, downloader }, line);
            }
            None => {
                self.push(Cap::Process { program: None, shell: false, downloader: false }, line);
                self.push(Cap::ExecComputed, line);
            }
        }
    }

    fn visit_macro_tokens(&mut self, mac: &syn::Macro) {
        let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
        match name.as_str() {
            "include_bytes" | "include_str" | "include" => {
                if let Some(p) = fold::parse_args(&mac.tokens).and_then(|a| a.first().and_then(|e| self.fold_text(e))) {
                    let full = join_rel(&self.file_dir, &p);
                    self.push(Cap::Include { path: full }, line_of(mac));
                }
                return;
            }
            "env" | "option_env" => return,
            _ => {}
        }
        if let Some(args) = fold::parse_args(&mac.tokens) {
            for a in &args {
                self.visit_expr(a);
            }
            return;
        }
        let t = &mac.tokens;
        if let Ok(block) = syn::parse2::<syn::Block>(quote::quote!({ #t })) {
            self.visit_block(&block);
            return;
        }
        self.scan_tokens(&mac.tokens);
    }

    /// Custom-syntax macro bodies and `macro_rules!` definitions: string literals and paths.
    fn scan_tokens(&mut self, tokens: &TokenStream) {
        let mut stack = vec![tokens.clone().into_iter()];
        let mut path: Vec<String> = Vec::new();
        let mut colons = 0;
        while let Some(top) = stack.last_mut() {
            let Some(tt) = top.next() else {
                stack.pop();
                continue;
            };
            match tt {
                TokenTree::Group(g) => {
                    if path.len() >= 2 {
                        let p = path.join("::");
                        let resolved = self.resolve(&syn::parse_str::<syn::Path>(&p).unwrap_or_else(|_| syn::parse_quote!(x)));
                        self.classify_call(&resolved, &[], g.span().start().line as u32);
                    }
                    path.clear();
                    if stack.len() < MAX_NESTING {
                        stack.push(g.stream().into_iter());
                    }
                }
                TokenTree::Ident(i) => {
                    if colons == 2 || path.is_empty() {
                        path.push(i.to_string());
                    } else {
                        path = vec![i.to_string()];
                    }
                    colons = 0;
                }
                TokenTree::Punct(p) if p.as_char() == ':' => colons += 1,
                TokenTree::Punct(_) => {
                    path.clear();
                    colons = 0;
                }
                TokenTree::Literal(l) => {
                    if let Ok(Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })) = syn::parse_str::<Expr>(&l.to_string()) {
                        self.inspect_string(&s.value(), l.span().start().line as u32, None);
                    }
                    path.clear();
                }
            }
        }
    }

    fn with_fn<F: FnOnce(&mut Self)>(&mut self, name: String, attrs: &[syn::Attribute], f: F) {
        let test = is_cfg_test(attrs) || has_attr(attrs, &["test", "bench", "tokio_test"]).is_some();
        let ctor = has_attr(attrs, &["ctor", "dtor", "init", "constructor"]);
        if let Some(attr) = &ctor {
            self.funcs.push(name.clone());
            self.push(Cap::Constructor { attr: attr.clone() }, attrs.first().map(line_of).unwrap_or(0));
            self.funcs.pop();
        }
        self.funcs.push(name);
        self.test += test as usize;
        self.unasked += ctor.is_some() as usize;
        f(self);
        self.unasked -= ctor.is_some() as usize;
        self.test -= test as usize;
        self.funcs.pop();
    }
}

fn strip_ref(e: &Expr) -> &Expr {
    match e {
        Expr::Reference(r) => strip_ref(&r.expr),
        Expr::Paren(p) => strip_ref(&p.expr),
        e => e,
    }
}

fn glob_provides(prefix: &str, name: &str) -> bool {
    matches!(
        (prefix, name),
        ("std::net", "TcpStream" | "UdpSocket" | "TcpListener" | "ToSocketAddrs")
            | ("std::process", "Command" | "Stdio")
            | ("std::fs", "File" | "OpenOptions" | "read_to_string" | "read" | "write" | "read_dir" | "set_permissions")
            | ("std::env", "var" | "vars" | "var_os")
            | ("std::os::unix::fs", "PermissionsExt")
    )
}

fn join_rel(dir: &str, p: &str) -> String {
    let mut parts: Vec<&str> = if dir.is_empty() { Vec::new() } else { dir.split('/').collect() };
    for seg in p.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn dns_template_macro(mac: &syn::Macro) -> bool {
    let name = mac.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
    if name != "format" {
        return false;
    }
    let Some(args) = fold::parse_args(&mac.tokens) else { return false };
    let Some(Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. })) = args.first() else { return false };
    let f = s.value();
    // `{}.{}.collector.example.com` style: a placeholder label followed by a fixed domain.
    f.contains("}.") && {
        let tail = f.rsplit('}').next().unwrap_or("");
        let tail = tail.split(':').next().unwrap_or("");
        tail.starts_with('.') && tail.matches('.').count() >= 2 && tail.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    }
}

fn base64_text(t: &str) -> Option<String> {
    use base64::Engine as _;
    use base64::engine::general_purpose as gp;
    let b = gp::STANDARD
        .decode(t)
        .or_else(|_| gp::STANDARD_NO_PAD.decode(t))
        .or_else(|_| gp::URL_SAFE_NO_PAD.decode(t))
        .ok()?;
    fold::bytes_to_text(&b)
}

/// Recovered text worth reporting: it names a place, a command or a secret.
pub fn interesting(s: &str) -> bool {
    // Decoded junk (tables, hashes) is mostly punctuation; hidden text is mostly words.
    let alnum = s.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    if s.is_empty() || alnum * 2 < s.chars().count() {
        return false;
    }
    let l = s.to_ascii_lowercase();
    indicators::extract(s).iter().any(|i| match i {
        indicators::Indicator::Url(u) => indicators::url_host(u).is_some_and(|h| h.contains('.') && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')),
        indicators::Indicator::Ip(_) => true,
        // A bare `x.y` in decoded bytes is too often noise.
        indicators::Indicator::Host(_) => false,
    }) || l.contains("/bin/sh")
        || l.contains("/bin/bash")
        || l.contains("/tmp/")
        || l.contains("cmd.exe")
        || l.contains("powershell")
        || l.contains("api.telegram")
        || l.contains("discord.com/api")
        || indicators::secret_path(s).is_some()
        || indicators::persistence_path(s).is_some()
        || indicators::shell_download(s).is_some()
        || l.contains("chmod +x")
}

impl<'ast> Visit<'ast> for Analyzer<'_> {
    fn visit_attribute(&mut self, _a: &'ast syn::Attribute) {
        // Doc comments and other attributes: prose and configuration, not behaviour.
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let name = f.sig.ident.to_string();
        self.with_fn(name, &f.attrs, |me| visit::visit_item_fn(me, f));
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let name = f.sig.ident.to_string();
        self.with_fn(name, &f.attrs, |me| visit::visit_impl_item_fn(me, f));
    }

    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = is_cfg_test(&m.attrs);
        self.test += test as usize;
        visit::visit_item_mod(self, m);
        self.test -= test as usize;
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let trait_name = i.trait_.as_ref().map(|(_, p, _)| fold::path_string(p)).unwrap_or_default();
        let last = trait_name.rsplit("::").next().unwrap_or("").to_string();
        if matches!(last.as_str(), "ServerCertVerifier" | "ClientCertVerifier" | "ServerCertVerifierBuilder") {
            for item in &i.items {
                if let syn::ImplItem::Fn(f) = item {
                    if f.sig.ident == "verify_server_cert" || f.sig.ident == "verify_client_cert" {
                        let body = quote::ToTokens::to_token_stream(&f.block).to_string();
                        if body.contains("assertion") && !body.contains("verify_server_cert (") && !body.contains("webpki") && !body.contains("Err (") {
                            self.push(Cap::TlsDisabled { how: format!("`{last}` that accepts every certificate") }, line_of(&f.sig));
                        }
                    }
                }
            }
        }
        let drop = last == "Drop";
        self.unasked += drop as usize;
        visit::visit_item_impl(self, i);
        self.unasked -= drop as usize;
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        if let Some(a) = s.attrs.iter().find(|a| a.path().is_ident("link_section")) {
            let t = quote::ToTokens::to_token_stream(&a.meta).to_string();
            if t.contains("init_array") || t.contains("CRT$X") || t.contains("mod_init_func") || t.contains(".ctors") {
                self.push(Cap::Constructor { attr: "link_section".into() }, line_of(s));
            }
        }
        visit::visit_item_static(self, s);
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        // `macro_rules!` bodies and item-position macros: look at their tokens.
        self.scan_tokens(&m.mac.tokens);
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        if let (syn::Pat::Ident(pi), Some(fold::Folded { value: Value::List(items), .. })) = (&*f.pat, self.fold(&f.expr)) {
            let values: Vec<String> = items.iter().filter_map(|v| match v {
                Value::Str(s) => Some(s.clone()),
                _ => None,
            }).collect();
            self.loop_values.insert(pi.ident.to_string(), values);
        }
        visit::visit_expr_for_loop(self, f);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let (syn::Pat::Ident(pi), Some(init)) = (&l.pat, &l.init) {
            if let Some(v) = self.fold(&init.expr) {
                self.env.bind(pi.ident.to_string(), v);
            }
            if let Expr::Macro(m) = &*init.expr {
                if dns_template_macro(&m.mac) {
                    self.dns_templates.insert(pi.ident.to_string());
                }
            }
        } else if let (syn::Pat::Type(pt), Some(init)) = (&l.pat, &l.init) {
            if let syn::Pat::Ident(pi) = &*pt.pat {
                if let Some(v) = self.fold(&init.expr) {
                    self.env.bind(pi.ident.to_string(), v);
                }
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_expr(&mut self, e: &'ast Expr) {
        match e {
            Expr::Macro(_) | Expr::MethodCall(_) | Expr::Call(_) | Expr::Binary(_) => self.record_fold(e),
            Expr::Array(a) if a.elems.len() >= 6 => {
                if let Some(f) = self.fold(e) {
                    if let Value::List(items) = &f.value {
                        let bytes: Option<Vec<u8>> = items.iter().map(|v| match v {
                            Value::Int(i) if (0..=255).contains(i) => Some(*i as u8),
                            _ => None,
                        }).collect();
                        if let Some(b) = bytes {
                            self.brute_force_bytes(&b, line_of(e));
                        }
                    }
                }
            }
            _ => {}
        }
        visit::visit_expr(self, e);
    }

    fn visit_lit_str(&mut self, s: &'ast syn::LitStr) {
        let v = s.value();
        self.inspect_string(&v, line_of(s), None);
    }

    fn visit_lit_byte_str(&mut self, s: &'ast syn::LitByteStr) {
        let v = s.value();
        if let Some(t) = fold::bytes_to_text(&v) {
            self.inspect_string(&t, line_of(s), None);
        }
        // Raw payloads in byte strings: fake ELF/PE headers embedded in code.
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let resolved = self.resolve(&p.path);
            let args: Vec<&Expr> = c.args.iter().collect();
            self.classify_call(&resolved, &args, line_of(c));
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        // Function paths passed as values (`.map(std::env::var)`) and `reqwest::get` etc.
        let resolved = self.resolve(&p.path);
        if resolved.contains("::") {
            let first = resolved.split("::").next().unwrap_or("");
            if let Some((_, kind)) = NET_CRATES.iter().find(|(c, _)| *c == first) {
                self.push(Cap::Network { kind: *kind, api: resolved.clone() }, line_of(p));
            }
        }
        visit::visit_expr_path(self, p);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let method = m.method.to_string();
        let line = line_of(&m.method);
        let arg0 = m.args.first();
        match method.as_str() {
            "danger_accept_invalid_certs" | "danger_accept_invalid_hostnames" | "ssl_verify_peer" | "ssl_verify_host" | "accept_invalid_certs" | "accept_invalid_hostnames" => {
                let v = arg0.and_then(|a| self.fold(a)).map(|f| f.value);
                let disabled = match (method.starts_with("ssl_verify"), v) {
                    (true, Some(Value::Bool(false))) => true,
                    (false, Some(Value::Bool(true))) => true,
                    _ => false,
                };
                if disabled {
                    self.push(Cap::TlsDisabled { how: format!("`.{method}(..)` with a constant argument") }, line);
                }
            }
            "set_verify" | "verify_mode" => {
                let t = arg0.map(|a| quote::ToTokens::to_token_stream(a).to_string()).unwrap_or_default();
                if t.contains("NONE") {
                    self.push(Cap::TlsDisabled { how: "OpenSSL verify mode NONE".into() }, line);
                }
            }
            "set_certificate_verifier" | "with_custom_certificate_verifier" => {
                let t = arg0.map(|a| quote::ToTokens::to_token_stream(a).to_string()).unwrap_or_default().to_ascii_lowercase();
                if t.contains("noverif") || t.contains("accept") || t.contains("insecure") || t.contains("dangerous") || t.contains("skip") {
                    self.push(Cap::TlsDisabled { how: format!("custom certificate verifier `{}`", t.chars().take(60).collect::<String>()) }, line);
                }
            }
            "to_socket_addrs" | "lookup_ip" | "lookup_host" | "ipv4_lookup" | "txt_lookup" => {
                self.push(Cap::Network { kind: NetKind::Dns, api: format!(".{method}()") }, line);
                if self.is_dns_template(&m.receiver) || arg0.is_some_and(|a| self.is_dns_template(a)) {
                    self.push(Cap::DnsDynamic, line);
                }
            }
            "set_mode" | "mode" => {
                if let Some(Folded { value: Value::Int(mode), .. }) = arg0.and_then(|a| self.fold(a)) {
                    if mode & 0o111 != 0 && mode <= 0o7777 && method == "set_mode" {
                        self.push(Cap::SetExecutable, line);
                    }
                }
            }
            "from_raw_fd" | "into_raw_fd" | "as_raw_fd" | "as_raw_socket" | "into_raw_socket" | "from_raw_socket" => {
                self.push(Cap::SocketStdio, line)
            }
            "append" if arg0.is_some_and(|a| matches!(self.fold(a), Some(Folded { value: Value::Bool(true), .. }))) => {
                self.push(Cap::FsWrite, line)
            }
            "exec" if m.args.is_empty() => self.push_process(None, line),
            "hostname" | "username" | "host_name" if quote::ToTokens::to_token_stream(&m.receiver).to_string().contains("System") => {
                self.push(Cap::Fingerprint { api: format!(".{method}()") }, line)
            }
            _ => {}
        }
        visit::visit_expr_method_call(self, m);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.visit_macro_tokens(mac);
        visit::visit_macro(self, mac);
    }
}

/// Analyse one Rust file's text into `facts`.
pub fn analyze_rust(text: &str, facts: &mut FileFacts) -> Option<syn::File> {
    match parse(text) {
        Ok(file) => {
            facts.parsed = true;
            let mut a = Analyzer::new(facts, text);
            a.run(&file);
            Some(file)
        }
        Err(e) => {
            facts.parse_error = Some(match e {
                Unparsed::Lex(m, l) => (format!("cannot be tokenized as Rust: {m}"), l),
                Unparsed::TooDeep(d, l) => (format!("nests brackets more than {d} deep; not parsed"), l),
                Unparsed::TooLong(l) => (format!("has an expression of more than {MAX_RUN} operators; not parsed"), l),
                Unparsed::Syntax(m, l) => (format!("is not valid Rust: {m}"), l),
            });
            // Still look at what a cheap pass can see: the string literals.
            if let Ok(tokens) = text.parse::<TokenStream>() {
                let mut a = Analyzer::new(facts, text);
                a.scan_tokens(&tokens);
            }
            None
        }
    }
}
