//! Deobfuscation: fold constant expressions back into the strings an attacker hid.
//!
//! Handles string and byte literals, `concat!`, `format!` with constant arguments, arrays of
//! parts joined or concatenated, byte vectors turned into strings, base64 and hex decoded
//! constants, reversed strings, single-byte XOR / add / sub over constant bytes, and constants
//! bound by `const`, `static` and `let`. Every result records the transforms that produced it,
//! so a plain literal is distinguishable from a recovered one.

use base64::Engine as _;
use std::collections::HashMap;
use syn::{Expr, Lit};

/// Largest value (bytes or list items) the folder builds; bigger ones are abandoned.
const MAX_VALUE: usize = 1 << 20;
/// Deepest expression the folder descends into.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Str(String),
    Bytes(Vec<u8>),
    Int(i128),
    Char(char),
    Bool(bool),
    List(Vec<Value>),
}

impl Value {
    /// The value as text, when it is (or can be read as) a printable string.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Char(c) => Some(c.to_string()),
            Value::Bytes(b) => bytes_to_text(b),
            Value::List(items) => {
                let bytes = list_to_bytes(items)?;
                bytes_to_text(&bytes)
            }
            _ => None,
        }
    }

    fn into_bytes(self) -> Option<Vec<u8>> {
        match self {
            Value::Str(s) => Some(s.into_bytes()),
            Value::Bytes(b) => Some(b),
            Value::List(items) => list_to_bytes(&items),
            _ => None,
        }
    }
}

fn list_to_bytes(items: &[Value]) -> Option<Vec<u8>> {
    items
        .iter()
        .map(|v| match v {
            Value::Int(i) if (0..=255).contains(i) => Some(*i as u8),
            Value::Char(c) if c.is_ascii() => Some(*c as u8),
            _ => None,
        })
        .collect()
}

/// Bytes that are mostly printable UTF-8 text.
pub fn bytes_to_text(b: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(b).ok()?;
    if s.is_empty() {
        return Some(String::new());
    }
    let printable = s.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t' || *c == '\r').count();
    (printable * 10 >= s.chars().count() * 9).then(|| s.to_string())
}

/// A transform the folder applied on the way to a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transform {
    Concat,
    Join,
    Format,
    BytesToString,
    Base64,
    Hex,
    Reverse,
    Xor,
    Arith,
    Replace,
    Obfstr,
}

impl Transform {
    pub fn as_str(self) -> &'static str {
        match self {
            Transform::Concat => "concatenation",
            Transform::Join => "joined parts",
            Transform::Format => "format!",
            Transform::BytesToString => "bytes to string",
            Transform::Base64 => "base64",
            Transform::Hex => "hex",
            Transform::Reverse => "reversed",
            Transform::Xor => "XOR",
            Transform::Arith => "byte arithmetic",
            Transform::Replace => "replace",
            Transform::Obfstr => "string obfuscation macro",
        }
    }

    /// Transforms that exist mainly to hide text (as opposed to building it).
    pub fn is_obfuscation(self) -> bool {
        matches!(
            self,
            Transform::Base64
                | Transform::Hex
                | Transform::Reverse
                | Transform::Xor
                | Transform::Arith
                | Transform::BytesToString
                | Transform::Obfstr
        )
    }
}

/// A folded value and how it was obtained.
#[derive(Debug, Clone)]
pub struct Folded {
    pub value: Value,
    pub transforms: Vec<Transform>,
}

impl Folded {
    fn plain(value: Value) -> Folded {
        Folded { value, transforms: Vec::new() }
    }
    fn with(mut self, t: Transform) -> Folded {
        if !self.transforms.contains(&t) {
            self.transforms.push(t);
        }
        self
    }
}

/// Names bound to constant values (consts, statics, lets).
#[derive(Debug, Default, Clone)]
pub struct Env {
    vars: HashMap<String, Folded>,
}

impl Env {
    pub fn bind(&mut self, name: String, value: Folded) {
        if self.vars.len() < 10_000 {
            self.vars.insert(name, value);
        }
    }
    pub fn get(&self, name: &str) -> Option<&Folded> {
        self.vars.get(name)
    }
}

/// Fold `expr` to a constant, if it is one.
pub fn fold(expr: &Expr, env: &Env) -> Option<Folded> {
    fold_depth(expr, env, 0)
}

fn merge(parts: Vec<Folded>) -> (Vec<Value>, Vec<Transform>) {
    let mut ts = Vec::new();
    let mut vs = Vec::with_capacity(parts.len());
    for p in parts {
        for t in p.transforms {
            if !ts.contains(&t) {
                ts.push(t);
            }
        }
        vs.push(p.value);
    }
    (vs, ts)
}

fn lit_value(lit: &Lit) -> Option<Value> {
    Some(match lit {
        Lit::Str(s) => Value::Str(s.value()),
        Lit::ByteStr(b) => Value::Bytes(b.value()),
        Lit::CStr(c) => Value::Bytes(c.value().into_bytes()),
        Lit::Byte(b) => Value::Int(b.value() as i128),
        Lit::Char(c) => Value::Char(c.value()),
        Lit::Int(i) => Value::Int(i.base10_parse::<i128>().ok()?),
        Lit::Bool(b) => Value::Bool(b.value),
        _ => return None,
    })
}

fn path_last(path: &syn::Path) -> String {
    path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default()
}

/// `a::b::c` from a path's segments (generic arguments dropped).
pub fn path_string(path: &syn::Path) -> String {
    let mut s = String::new();
    for (i, seg) in path.segments.iter().enumerate() {
        if i > 0 {
            s.push_str("::");
        }
        s.push_str(&seg.ident.to_string());
    }
    s
}

fn fold_depth(expr: &Expr, env: &Env, depth: usize) -> Option<Folded> {
    if depth > MAX_DEPTH {
        return None;
    }
    let d = depth + 1;
    match expr {
        Expr::Lit(l) => lit_value(&l.lit).map(Folded::plain),
        Expr::Paren(p) => fold_depth(&p.expr, env, d),
        Expr::Group(g) => fold_depth(&g.expr, env, d),
        Expr::Reference(r) => fold_depth(&r.expr, env, d),
        Expr::Try(t) => fold_depth(&t.expr, env, d),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => fold_depth(&u.expr, env, d),
        Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            env.get(&p.path.segments[0].ident.to_string()).cloned()
        }
        Expr::Array(a) => {
            if a.elems.len() > MAX_VALUE {
                return None;
            }
            let parts = a.elems.iter().map(|e| fold_depth(e, env, d)).collect::<Option<Vec<_>>>()?;
            let (vs, ts) = merge(parts);
            Some(Folded { value: Value::List(vs), transforms: ts })
        }
        Expr::Repeat(r) => {
            let item = fold_depth(&r.expr, env, d)?;
            let n = match fold_depth(&r.len, env, d)?.value {
                Value::Int(n) if (0..=4096).contains(&n) => n as usize,
                _ => return None,
            };
            Some(Folded { value: Value::List(vec![item.value; n]), transforms: item.transforms })
        }
        Expr::Cast(c) => {
            let inner = fold_depth(&c.expr, env, d)?;
            let ty = quote::ToTokens::to_token_stream(&c.ty).to_string();
            let v = match (inner.value, ty.as_str()) {
                (Value::Int(i), "char") => Value::Char(char::from_u32(u32::try_from(i).ok()?)?),
                (Value::Int(i), "u8") => Value::Int(i & 0xff),
                (Value::Char(c), "u8") => Value::Int((c as u32 & 0xff) as i128),
                (Value::Char(c), _) => Value::Int(c as i128),
                (Value::Int(i), _) => Value::Int(i),
                _ => return None,
            };
            Some(Folded { value: v, transforms: inner.transforms })
        }
        Expr::Binary(b) => fold_binary(b, env, d),
        Expr::Macro(m) => fold_macro(&m.mac, env, d),
        Expr::Call(c) => fold_call(c, env, d),
        Expr::MethodCall(m) => fold_method(m, env, d),
        _ => None,
    }
}

fn fold_binary(b: &syn::ExprBinary, env: &Env, d: usize) -> Option<Folded> {
    let l = fold_depth(&b.left, env, d)?;
    let r = fold_depth(&b.right, env, d)?;
    let (vs, mut ts) = merge(vec![l, r]);
    let (lv, rv) = (&vs[0], &vs[1]);
    let v = match (&b.op, lv, rv) {
        (syn::BinOp::Add(_), Value::Str(a), _) => {
            let mut s = a.clone();
            s.push_str(&rv.as_text()?);
            ts.push(Transform::Concat);
            Value::Str(s)
        }
        (syn::BinOp::Add(_), Value::Int(a), Value::Int(b)) => Value::Int(a.checked_add(*b)?),
        (syn::BinOp::Sub(_), Value::Int(a), Value::Int(b)) => Value::Int(a.checked_sub(*b)?),
        (syn::BinOp::BitXor(_), Value::Int(a), Value::Int(b)) => Value::Int(a ^ b),
        (syn::BinOp::BitAnd(_), Value::Int(a), Value::Int(b)) => Value::Int(a & b),
        (syn::BinOp::BitOr(_), Value::Int(a), Value::Int(b)) => Value::Int(a | b),
        (syn::BinOp::Mul(_), Value::Int(a), Value::Int(b)) => Value::Int(a.checked_mul(*b)?),
        _ => return None,
    };
    Some(Folded { value: v, transforms: ts })
}

/// A macro's tokens read as comma-separated expressions (`format!`, `concat!`, `vec!`).
pub fn parse_args(tokens: &proc_macro2::TokenStream) -> Option<Vec<Expr>> {
    use syn::parse::Parser;
    let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    parser.parse2(tokens.clone()).ok().map(|p| p.into_iter().collect())
}

fn fold_macro(mac: &syn::Macro, env: &Env, d: usize) -> Option<Folded> {
    let name = path_last(&mac.path);
    match name.as_str() {
        "concat" => {
            let args = parse_args(&mac.tokens)?;
            let parts = args.iter().map(|e| fold_depth(e, env, d)).collect::<Option<Vec<_>>>()?;
            let (vs, mut ts) = merge(parts);
            let mut s = String::new();
            for v in vs {
                match v {
                    Value::Str(x) => s.push_str(&x),
                    Value::Char(c) => s.push(c),
                    Value::Int(i) => s.push_str(&i.to_string()),
                    Value::Bool(b) => s.push_str(&b.to_string()),
                    _ => return None,
                }
            }
            ts.push(Transform::Concat);
            Some(Folded { value: Value::Str(s), transforms: ts })
        }
        "vec" => {
            let t = &mac.tokens;
            let arr: Expr = syn::parse2(quote::quote!([#t])).ok()?;
            fold_depth(&arr, env, d)
        }
        "format" => {
            let args = parse_args(&mac.tokens)?;
            let (fmt, rest) = args.split_first()?;
            let fmt = match fold_depth(fmt, env, d)?.value {
                Value::Str(s) => s,
                _ => return None,
            };
            let parts = rest.iter().map(|e| fold_depth(e, env, d)).collect::<Option<Vec<_>>>()?;
            let (vs, mut ts) = merge(parts);
            let texts = vs.iter().map(|v| match v {
                Value::Int(i) => Some(i.to_string()),
                other => other.as_text(),
            }).collect::<Option<Vec<_>>>()?;
            let s = simple_format(&fmt, &texts)?;
            ts.push(Transform::Format);
            Some(Folded { value: Value::Str(s), transforms: ts })
        }
        "obfstr" | "obfstring" | "lit" | "xorstr" | "cstr" => {
            let args = parse_args(&mac.tokens)?;
            let f = fold_depth(args.first()?, env, d)?;
            Some(f.with(Transform::Obfstr))
        }
        _ => None,
    }
}

/// `format!` with positional `{}` placeholders only (no named or formatted arguments).
fn simple_format(fmt: &str, args: &[String]) -> Option<String> {
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                out.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('}');
            }
            '{' => {
                let mut spec = String::new();
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    spec.push(c);
                }
                let idx = if spec.is_empty() || spec.starts_with(':') {
                    next += 1;
                    next - 1
                } else {
                    spec.split(':').next()?.parse::<usize>().ok()?
                };
                out.push_str(args.get(idx)?);
            }
            c => out.push(c),
        }
    }
    Some(out)
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    use base64::engine::general_purpose as gp;
    gp::STANDARD
        .decode(&t)
        .or_else(|_| gp::STANDARD_NO_PAD.decode(&t))
        .or_else(|_| gp::URL_SAFE.decode(&t))
        .or_else(|_| gp::URL_SAFE_NO_PAD.decode(&t))
        .ok()
}

fn fold_call(c: &syn::ExprCall, env: &Env, d: usize) -> Option<Folded> {
    let Expr::Path(p) = &*c.func else { return None };
    let path = path_string(&p.path);
    let last = path_last(&p.path);
    let arg = |i: usize| c.args.iter().nth(i).and_then(|e| fold_depth(e, env, d));
    match last.as_str() {
        "from_utf8" | "from_utf8_lossy" | "from_utf8_unchecked" => {
            let a = arg(0)?;
            let was_text = matches!(a.value, Value::Str(_));
            let bytes = a.value.clone().into_bytes()?;
            let s = bytes_to_text(&bytes)?;
            let f = Folded { value: Value::Str(s), transforms: a.transforms };
            Some(if was_text { f } else { f.with(Transform::BytesToString) })
        }
        "from" | "new" | "from_str" | "to_string" | "from_iter"
            if path.contains("String") || path.contains("PathBuf") || path.contains("Path") || path.contains("OsString") || path.contains("Vec") =>
        {
            let a = arg(0)?;
            if last == "from_iter" {
                if let Value::List(items) = &a.value {
                    let text: Option<String> = items.iter().map(|v| match v {
                        Value::Char(c) => Some(c.to_string()),
                        Value::Str(s) => Some(s.clone()),
                        _ => None,
                    }).collect();
                    return Some(Folded { value: Value::Str(text?), transforms: a.transforms });
                }
            }
            Some(a)
        }
        "decode" if path.contains("hex") => {
            let a = arg(0)?;
            let text = a.value.as_text()?;
            let bytes = hex::decode(text.trim()).ok()?;
            Some(Folded { value: Value::Bytes(bytes), transforms: a.transforms }.with(Transform::Hex))
        }
        "decode" | "decode_config" => {
            let a = arg(0)?;
            let text = a.value.as_text()?;
            let bytes = decode_base64(&text)?;
            Some(Folded { value: Value::Bytes(bytes), transforms: a.transforms }.with(Transform::Base64))
        }
        "concat" => {
            let a = arg(0)?;
            concat_list(a)
        }
        _ => None,
    }
}

fn concat_list(a: Folded) -> Option<Folded> {
    let Value::List(items) = a.value else { return None };
    if items.iter().all(|v| matches!(v, Value::Str(_) | Value::Char(_))) {
        let s: String = items.iter().filter_map(|v| v.as_text()).collect();
        return Some(Folded { value: Value::Str(s), transforms: a.transforms }.with(Transform::Join));
    }
    let mut out = Vec::new();
    for v in items {
        match v {
            Value::Bytes(b) => out.extend(b),
            Value::List(l) => out.extend(list_to_bytes(&l)?),
            _ => return None,
        }
    }
    Some(Folded { value: Value::Bytes(out), transforms: a.transforms }.with(Transform::Join))
}

/// A constant closure of one parameter applied to each byte: `|b| b ^ 0x2a`, `|&b| (b - 3) as char`.
fn byte_closure(expr: &Expr, env: &Env) -> Option<(Box<dyn Fn(i128) -> Option<i128>>, Transform)> {
    let Expr::Closure(c) = expr else { return None };
    if c.inputs.len() != 1 {
        return None;
    }
    let param = pat_ident(&c.inputs[0])?;
    let mut body = &*c.body;
    let mut to_char = false;
    loop {
        match body {
            Expr::Paren(p) => body = &p.expr,
            Expr::Block(b) if b.block.stmts.len() == 1 => match &b.block.stmts[0] {
                syn::Stmt::Expr(e, None) => body = e,
                _ => return None,
            },
            Expr::Cast(cast) => {
                to_char |= quote::ToTokens::to_token_stream(&cast.ty).to_string() == "char";
                body = &cast.expr;
            }
            _ => break,
        }
    }
    let _ = to_char;
    let Expr::Binary(b) = body else { return None };
    let is_param = |e: &Expr| {
        let mut e = e;
        loop {
            match e {
                Expr::Unary(u) => e = &u.expr,
                Expr::Paren(p) => e = &p.expr,
                Expr::Cast(c) => e = &c.expr,
                Expr::Path(p) => return p.path.is_ident(&param),
                _ => return false,
            }
        }
    };
    let (k, param_left) = if is_param(&b.left) {
        (fold(&b.right, env)?, true)
    } else if is_param(&b.right) {
        (fold(&b.left, env)?, false)
    } else {
        return None;
    };
    let Value::Int(k) = k.value else { return None };
    match b.op {
        syn::BinOp::BitXor(_) => Some((Box::new(move |x| Some((x ^ k) & 0xff)), Transform::Xor)),
        syn::BinOp::Add(_) => Some((Box::new(move |x| Some((x + k) & 0xff)), Transform::Arith)),
        syn::BinOp::Sub(_) if param_left => Some((Box::new(move |x| Some((x - k).rem_euclid(256))), Transform::Arith)),
        _ => None,
    }
}

fn pat_ident(p: &syn::Pat) -> Option<syn::Ident> {
    match p {
        syn::Pat::Ident(i) => Some(i.ident.clone()),
        syn::Pat::Reference(r) => pat_ident(&r.pat),
        syn::Pat::Type(t) => pat_ident(&t.pat),
        _ => None,
    }
}

fn fold_method(m: &syn::ExprMethodCall, env: &Env, d: usize) -> Option<Folded> {
    let method = m.method.to_string();
    // Base64 engines: `STANDARD.decode(x)`, `general_purpose::STANDARD.decode(x)`.
    if method == "decode" {
        let a = fold_depth(m.args.first()?, env, d)?;
        let text = a.value.as_text()?;
        let recv = quote::ToTokens::to_token_stream(&m.receiver).to_string();
        let (bytes, t) = if recv.to_ascii_lowercase().contains("hex") {
            (hex::decode(text.trim()).ok()?, Transform::Hex)
        } else {
            (decode_base64(&text)?, Transform::Base64)
        };
        return Some(Folded { value: Value::Bytes(bytes), transforms: a.transforms }.with(t));
    }
    let recv = fold_depth(&m.receiver, env, d)?;
    let arg = |i: usize| m.args.iter().nth(i).and_then(|e| fold_depth(e, env, d));
    let v = match method.as_str() {
        "to_string" | "to_owned" | "clone" | "into" | "as_str" | "to_vec" | "iter" | "into_iter"
        | "unwrap" | "expect" | "unwrap_or_default" | "as_ref" | "copied" | "cloned" | "as_slice"
        | "trim" | "into_owned" | "to_str" => {
            if method == "trim" {
                if let Value::Str(s) = &recv.value {
                    return Some(Folded { value: Value::Str(s.trim().to_string()), transforms: recv.transforms });
                }
            }
            return Some(recv);
        }
        "as_bytes" | "bytes" | "into_bytes" => match recv.value {
            Value::Str(s) => Value::Bytes(s.into_bytes()),
            _ => return None,
        },
        "chars" => match &recv.value {
            Value::Str(s) => Value::List(s.chars().map(Value::Char).collect()),
            _ => return None,
        },
        "rev" => {
            let items = match recv.value.clone() {
                Value::List(l) => l,
                Value::Bytes(b) => b.into_iter().map(|x| Value::Int(x as i128)).collect(),
                _ => return None,
            };
            return Some(Folded { value: Value::List(items.into_iter().rev().collect()), transforms: recv.transforms }.with(Transform::Reverse));
        }
        "collect" => {
            return match recv.value {
                Value::List(items) if items.iter().all(|v| matches!(v, Value::Char(_) | Value::Str(_))) => {
                    let s: String = items.iter().filter_map(|v| v.as_text()).collect();
                    Some(Folded { value: Value::Str(s), transforms: recv.transforms })
                }
                other => Some(Folded { value: other, transforms: recv.transforms }),
            };
        }
        "join" | "concat" => {
            let sep = if method == "join" {
                match arg(0)?.value {
                    Value::Str(s) => s,
                    Value::Char(c) => c.to_string(),
                    _ => return None,
                }
            } else {
                String::new()
            };
            if sep.is_empty() {
                return concat_list(recv);
            }
            let Value::List(items) = &recv.value else { return None };
            let texts = items.iter().map(|v| v.as_text()).collect::<Option<Vec<_>>>()?;
            return Some(Folded { value: Value::Str(texts.join(&sep)), transforms: recv.transforms }.with(Transform::Join));
        }
        "replace" | "replacen" => {
            let (Value::Str(s), Some(from), Some(to)) = (&recv.value, arg(0), arg(1)) else { return None };
            let (from, to) = (from.value.as_text()?, to.value.as_text()?);
            if from.is_empty() {
                return None;
            }
            return Some(Folded { value: Value::Str(s.replace(&from, &to)), transforms: recv.transforms }.with(Transform::Replace));
        }
        "map" => {
            let (f, t) = byte_closure(m.args.first()?, env)?;
            let items: Vec<i128> = match &recv.value {
                Value::Bytes(b) => b.iter().map(|&x| x as i128).collect(),
                Value::List(l) => l.iter().map(|v| match v {
                    Value::Int(i) => Some(*i),
                    Value::Char(c) => Some(*c as i128),
                    _ => None,
                }).collect::<Option<Vec<_>>>()?,
                _ => return None,
            };
            let out = items.into_iter().map(&f).collect::<Option<Vec<_>>>()?;
            return Some(Folded { value: Value::List(out.into_iter().map(Value::Int).collect()), transforms: recv.transforms }.with(t));
        }
        _ => return None,
    };
    if matches!(&v, Value::Bytes(b) if b.len() > MAX_VALUE) || matches!(&v, Value::List(l) if l.len() > MAX_VALUE) {
        return None;
    }
    Some(Folded { value: v, transforms: recv.transforms })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(src: &str) -> Option<String> {
        let e: Expr = syn::parse_str(src).unwrap();
        fold(&e, &Env::default()).and_then(|v| v.value.as_text())
    }

    #[test]
    fn folds_the_usual_hiding_tricks() {
        assert_eq!(f(r#"concat!("ht", "tps://", "x.io")"#).as_deref(), Some("https://x.io"));
        assert_eq!(f(r#"["a", "b", "c"].join("")"#).as_deref(), Some("abc"));
        assert_eq!(f(r#"["a", "b"].concat()"#).as_deref(), Some("ab"));
        assert_eq!(f(r#"String::from_utf8(vec![104, 105]).unwrap()"#).as_deref(), Some("hi"));
        assert_eq!(f(r#"base64::decode("aHR0cHM6Ly9ldmlsLmV4YW1wbGU=").unwrap()"#).as_deref(), Some("https://evil.example"));
        assert_eq!(f(r#"general_purpose::STANDARD.decode("aGk=").unwrap()"#).as_deref(), Some("hi"));
        assert_eq!(f(r#"hex::decode("6869").unwrap()"#).as_deref(), Some("hi"));
        assert_eq!(f(r#""olleh".chars().rev().collect::<String>()"#).as_deref(), Some("hello"));
        assert_eq!(f(r#"[0x42u8, 0x43].iter().map(|b| b ^ 0x2a).collect::<Vec<u8>>()"#).as_deref(), Some("hi"));
        assert_eq!(f(r#"format!("{}://{}", "https", "h.io")"#).as_deref(), Some("https://h.io"));
        assert_eq!(f(r#""h-t-t-p".replace("-", "")"#).as_deref(), Some("http"));
        assert_eq!(f(r#"String::from("a") + "b""#).as_deref(), Some("ab"));
    }

    #[test]
    fn refuses_what_is_not_constant_or_too_big() {
        assert_eq!(f("foo(x)"), None);
        assert_eq!(f("[0u8; 100000000].concat()"), None);
        assert_eq!(f("format!(\"{}\", x)"), None);
    }
}
