//! A lenient reading of a scanned crate's `Cargo.toml` (hostile input: never trusted, never run).

/// One dependency as declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The crate's registry name (`package = ...` when renamed).
    pub name: String,
    pub req: String,
    pub kind: DepKind,
    /// Not from crates.io (git, path, or another registry).
    pub source: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DepKind {
    Normal,
    Build,
    Dev,
}

/// What ferret needs from a manifest.
#[derive(Debug, Clone, Default)]
pub struct Manifest {
    pub name: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub repository: Option<String>,
    pub homepage: Option<String>,
    pub documentation: Option<String>,
    pub authors: Vec<String>,
    pub readme: Option<String>,
    pub links: Option<String>,
    /// Path of the build script, when there is one.
    pub build_script: Option<String>,
    pub proc_macro: bool,
    pub lib_path: Option<String>,
    pub bin_paths: Vec<String>,
    pub dependencies: Vec<Dependency>,
}

/// Parse `Cargo.toml` text. `has_file` tells whether a crate path exists (for the default build.rs).
pub fn parse(text: &str, has_file: impl Fn(&str) -> bool) -> Result<Manifest, String> {
    let doc: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let msg = e.message().to_string();
        match e.span() {
            Some(span) => format!("line {}: {msg}", text[..span.start.min(text.len())].lines().count().max(1)),
            None => msg,
        }
    })?;
    let mut m = Manifest::default();
    let pkg = doc.get("package").or_else(|| doc.get("project")).and_then(|p| p.as_table());
    let s = |t: Option<&toml::Table>, k: &str| t.and_then(|t| t.get(k)).and_then(|v| v.as_str()).map(str::to_string);
    m.name = s(pkg, "name");
    m.version = s(pkg, "version");
    m.description = s(pkg, "description");
    m.repository = s(pkg, "repository");
    m.homepage = s(pkg, "homepage");
    m.documentation = s(pkg, "documentation");
    m.links = s(pkg, "links");
    m.readme = s(pkg, "readme");
    if let Some(a) = pkg.and_then(|p| p.get("authors")).and_then(|a| a.as_array()) {
        m.authors = a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
    }
    m.build_script = match pkg.and_then(|p| p.get("build")) {
        Some(toml::Value::String(p)) => Some(normalize(p)),
        Some(toml::Value::Boolean(false)) => None,
        Some(toml::Value::Boolean(true)) => Some("build.rs".into()),
        Some(toml::Value::Array(a)) => a.first().and_then(|v| v.as_str()).map(normalize),
        _ => has_file("build.rs").then(|| "build.rs".to_string()),
    };
    if let Some(lib) = doc.get("lib").and_then(|l| l.as_table()) {
        m.proc_macro = lib.get("proc-macro").or_else(|| lib.get("proc_macro")).and_then(|v| v.as_bool()).unwrap_or(false);
        m.lib_path = lib.get("path").and_then(|v| v.as_str()).map(normalize);
    }
    if let Some(bins) = doc.get("bin").and_then(|b| b.as_array()) {
        m.bin_paths = bins.iter().filter_map(|b| b.get("path")?.as_str().map(normalize)).collect();
    }
    let add = |table: &toml::Table, kind: DepKind, m: &mut Manifest| {
        for (key, spec) in table {
            let (name, req, source) = match spec {
                toml::Value::String(v) => (key.clone(), v.clone(), None),
                toml::Value::Table(t) => {
                    let name = t.get("package").and_then(|v| v.as_str()).unwrap_or(key).to_string();
                    let req = t.get("version").and_then(|v| v.as_str()).unwrap_or("*").to_string();
                    let source = ["git", "path", "registry"].iter().find_map(|k| {
                        t.get(*k).and_then(|v| v.as_str()).map(|v| format!("{k} = {v}"))
                    });
                    (name, req, source)
                }
                _ => continue,
            };
            m.dependencies.push(Dependency { name, req, kind, source });
        }
    };
    let sections = [("dependencies", DepKind::Normal), ("build-dependencies", DepKind::Build), ("build_dependencies", DepKind::Build), ("dev-dependencies", DepKind::Dev), ("dev_dependencies", DepKind::Dev)];
    for (sec, kind) in sections {
        if let Some(t) = doc.get(sec).and_then(|v| v.as_table()) {
            add(t, kind, &mut m);
        }
    }
    if let Some(targets) = doc.get("target").and_then(|v| v.as_table()) {
        for (_, t) in targets {
            for (sec, kind) in sections {
                if let Some(t) = t.get(sec).and_then(|v| v.as_table()) {
                    add(t, kind, &mut m);
                }
            }
        }
    }
    Ok(m)
}

fn normalize(p: &str) -> String {
    p.trim_start_matches("./").replace('\\', "/")
}
