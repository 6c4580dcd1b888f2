//! Cargo's configuration, as far as it decides where crates.io's crates come from:
//! `[source.crates-io] replace-with`, `[source.NAME]` and `[registries.NAME]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{RegistryError, Result};

/// crates.io's sparse index, the one cargo uses by default.
pub const CRATES_IO_INDEX: &str = "https://index.crates.io/";
/// crates.io's git index URL; cargo treats it as the same registry as the sparse one.
pub const CRATES_IO_GIT_INDEX: &str = "https://github.com/rust-lang/crates.io-index";

/// Where a registry's index and crates are read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrySource {
    /// A sparse (HTTP) index; `index_url` is normalised: no `sparse+`, ends with `/`.
    Sparse {
        /// The index root URL.
        index_url: String,
    },
    /// A cargo `local-registry`: `PATH/index/...` holds index files (same layout as a sparse
    /// index) and `PATH/NAME-VERSION.crate` the crates.
    Local {
        /// The registry directory.
        path: PathBuf,
    },
}

impl RegistrySource {
    /// A sparse index from a URL: `sparse+https://...`, `https://...`, or `http://` to a
    /// loopback host (`127.0.0.1`, `localhost`, `[::1]`, for tests and local mirrors).
    /// crates.io's git index URL maps to its sparse index.
    pub fn sparse(url: &str) -> Result<RegistrySource> {
        Ok(RegistrySource::Sparse { index_url: normalize_index_url(url)? })
    }

    /// crates.io's sparse index.
    pub fn crates_io() -> RegistrySource {
        RegistrySource::Sparse { index_url: CRATES_IO_INDEX.to_owned() }
    }
}

/// Checks and normalises a sparse index URL (see [`RegistrySource::sparse`]).
pub fn normalize_index_url(url: &str) -> Result<String> {
    let invalid = |reason: &str| RegistryError::InvalidIndexUrl { url: url.to_owned(), reason: reason.to_owned() };
    let trimmed = url.trim();
    if trimmed.trim_end_matches('/') == CRATES_IO_GIT_INDEX || trimmed == "registry+https://github.com/rust-lang/crates.io-index" {
        return Ok(CRATES_IO_INDEX.to_owned());
    }
    let bare = trimmed.strip_prefix("sparse+").unwrap_or(trimmed);
    if bare.starts_with("registry+") || bare.starts_with("git+") || bare.starts_with("ssh://") {
        return Err(invalid("git registries are not supported; use the registry's sparse index (sparse+https://...)"));
    }
    let parsed = reqwest::Url::parse(bare).map_err(|e| invalid(&e.to_string()))?;
    match parsed.scheme() {
        "https" => {}
        "http" => {
            let host = parsed.host_str().unwrap_or("");
            let bare_host = host.trim_start_matches('[').trim_end_matches(']');
            let loopback = host.eq_ignore_ascii_case("localhost")
                || bare_host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(invalid("plain http is only accepted for loopback hosts; use https"));
            }
        }
        other => return Err(invalid(&format!("unsupported scheme {other:?}; expected https"))),
    }
    if parsed.host().is_none() {
        return Err(invalid("no host"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("an index URL has no query or fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("credentials in the URL are not accepted"));
    }
    let mut s = parsed.to_string();
    if !s.ends_with('/') {
        s.push('/');
    }
    Ok(s)
}

/// The replacement for crates.io found in cargo's configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfiguredSource {
    /// Where crates.io's crates come from.
    pub source: RegistrySource,
    /// The name of the replacement source (`None` when crates.io is not replaced).
    pub replaced_by: Option<String>,
    /// The configuration file that defined the replacement source.
    pub defined_in: Option<PathBuf>,
}

/// One value with the file it came from.
#[derive(Clone, Debug)]
struct Def {
    value: String,
    file: PathBuf,
}

impl Def {
    /// Resolves a path value as cargo does: relative to the directory holding the `.cargo`
    /// directory of the config file.
    fn path(&self) -> PathBuf {
        let p = Path::new(&self.value);
        if p.is_absolute() {
            return p.to_path_buf();
        }
        let base = self.file.parent().and_then(Path::parent).unwrap_or(Path::new("/"));
        base.join(p)
    }
}

/// The merged `[source]` and `[registries]` tables of every cargo config file that applies.
#[derive(Debug, Default)]
pub struct CargoConfig {
    /// source name -> key -> value (nearest file wins per key).
    sources: BTreeMap<String, BTreeMap<String, Def>>,
    /// registry name -> key -> value.
    registries: BTreeMap<String, BTreeMap<String, Def>>,
    /// The files read, lowest priority first.
    files: Vec<PathBuf>,
}

const SOURCE_KINDS: [&str; 4] = ["registry", "local-registry", "directory", "git"];

impl CargoConfig {
    /// Reads the config files cargo would read for a command run in `cwd`:
    /// `.cargo/config` or `.cargo/config.toml` in `cwd` and each ancestor (the nearer file
    /// wins), then `CARGO_HOME/config[.toml]` (lowest priority). In one directory, `config`
    /// wins over `config.toml`, as in cargo.
    pub fn load(cwd: &Path, cargo_home: Option<&Path>) -> Result<CargoConfig> {
        let mut nearest_first = Vec::new();
        for dir in cwd.ancestors() {
            if let Some(file) = config_file_in(&dir.join(".cargo")) {
                nearest_first.push(file);
            }
        }
        if let Some(file) = cargo_home.and_then(config_file_in) {
            let canon = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            let home_canon = canon(&file);
            if !nearest_first.iter().any(|f| canon(f) == home_canon) {
                nearest_first.push(file);
            }
        }
        let mut config = CargoConfig::default();
        for file in nearest_first.into_iter().rev() {
            config.merge_file(&file)?;
        }
        Ok(config)
    }

    /// The files that were read, lowest priority first.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn merge_file(&mut self, file: &Path) -> Result<()> {
        let text = std::fs::read_to_string(file).map_err(|e| RegistryError::io("read", file, e))?;
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| RegistryError::CargoConfig { path: file.to_path_buf(), reason: e.to_string() })?;
        for (section, target) in [("source", &mut self.sources), ("registries", &mut self.registries)] {
            let Some(value) = table.get(section) else { continue };
            let bad = |key: &str, what: &str| RegistryError::CargoConfig {
                path: file.to_path_buf(),
                reason: format!("{key} must be {what}"),
            };
            let tab = value.as_table().ok_or_else(|| bad(section, "a table"))?;
            for (name, def) in tab {
                let def = def.as_table().ok_or_else(|| bad(&format!("{section}.{name}"), "a table"))?;
                let entry = target.entry(name.clone()).or_default();
                for (key, v) in def {
                    // Only string keys matter here; others (e.g. `branch`, `protocol` as
                    // strings too) are kept, non-strings ignored.
                    if let Some(s) = v.as_str() {
                        entry.insert(key.clone(), Def { value: s.to_owned(), file: file.to_path_buf() });
                    } else if key == "replace-with" || SOURCE_KINDS.contains(&key.as_str()) || key == "index" {
                        return Err(bad(&format!("{section}.{name}.{key}"), "a string"));
                    }
                }
            }
        }
        self.files.push(file.to_path_buf());
        Ok(())
    }

    /// Where crates.io's crates come from after source replacement.
    pub fn crates_io_source(&self) -> Result<ConfiguredSource> {
        let mut name = "crates-io".to_owned();
        let mut seen = vec![name.clone()];
        let mut replaced_by = None;
        while let Some(next) = self.sources.get(&name).and_then(|s| s.get("replace-with")) {
            if seen.contains(&next.value) {
                return Err(RegistryError::CargoConfig {
                    path: next.file.clone(),
                    reason: format!("source replacement cycle: {} -> {}", seen.join(" -> "), next.value),
                });
            }
            name = next.value.clone();
            seen.push(name.clone());
            replaced_by = Some(name.clone());
        }
        let Some(replacement) = replaced_by else {
            return Ok(ConfiguredSource { source: RegistrySource::crates_io(), replaced_by: None, defined_in: None });
        };
        if let Some(def) = self.sources.get(&replacement) {
            let kinds: Vec<(&str, &Def)> =
                SOURCE_KINDS.iter().filter_map(|k| def.get(*k).map(|d| (*k, d))).collect();
            match kinds.as_slice() {
                [] => {}
                [(kind, d)] => {
                    let source = match *kind {
                        "registry" => config_registry_url(&replacement, d)?,
                        "local-registry" => RegistrySource::Local { path: d.path() },
                        "directory" => {
                            return Err(RegistryError::UnsupportedSource {
                                source_name: replacement.clone(),
                                reason: format!(
                                    "it is a directory source of unpacked crates ({}); scan those directories directly",
                                    d.path().display()
                                ),
                            });
                        }
                        _ => {
                            return Err(RegistryError::UnsupportedSource {
                                source_name: replacement.clone(),
                                reason: format!("git sources ({}) are not supported", d.value),
                            });
                        }
                    };
                    return Ok(ConfiguredSource { source, replaced_by: Some(replacement), defined_in: Some(d.file.clone()) });
                }
                [(_, d), ..] => {
                    return Err(RegistryError::CargoConfig {
                        path: d.file.clone(),
                        reason: format!(
                            "source {replacement:?} has more than one kind: {}",
                            kinds.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
            }
        }
        // `replace-with` may also name a registry from `[registries]`.
        if let Some(index) = self.registries.get(&replacement).and_then(|r| r.get("index")) {
            let source = config_registry_url(&replacement, index)?;
            return Ok(ConfiguredSource { source, replaced_by: Some(replacement), defined_in: Some(index.file.clone()) });
        }
        let file = self
            .sources
            .get("crates-io")
            .and_then(|s| s.get("replace-with"))
            .map(|d| d.file.clone())
            .unwrap_or_default();
        Err(RegistryError::CargoConfig {
            path: file,
            reason: format!("crates-io is replaced with {replacement:?}, which is defined in no [source] or [registries] table"),
        })
    }
}

/// A registry URL from cargo's configuration: there, a URL without `sparse+` is a git index,
/// which ferret cannot read (except crates.io's, which maps to its sparse index).
fn config_registry_url(source_name: &str, def: &Def) -> Result<RegistrySource> {
    let unsupported = |reason: String| RegistryError::UnsupportedSource {
        source_name: source_name.to_owned(),
        reason: format!("{reason} (in {})", def.file.display()),
    };
    let value = def.value.trim();
    let is_crates_io_git = value.trim_end_matches('/') == CRATES_IO_GIT_INDEX;
    if !value.starts_with("sparse+") && !is_crates_io_git {
        return Err(unsupported(format!(
            "{value:?} is a git registry; ferret reads sparse indexes only (sparse+https://...)"
        )));
    }
    RegistrySource::sparse(value).map_err(|e| unsupported(e.to_string()))
}

/// `dir/config` if it exists, else `dir/config.toml` if it exists.
fn config_file_in(dir: &Path) -> Option<PathBuf> {
    let plain = dir.join("config");
    if plain.is_file() {
        return Some(plain);
    }
    let toml = dir.join("config.toml");
    toml.is_file().then_some(toml)
}

/// `$CARGO_HOME`, or `~/.cargo` when unset.
pub fn cargo_home() -> Option<PathBuf> {
    match std::env::var_os("CARGO_HOME") {
        Some(h) if !h.is_empty() => Some(PathBuf::from(h)),
        _ => directories::BaseDirs::new().map(|d| d.home_dir().join(".cargo")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(normalize_index_url("sparse+https://index.crates.io/").unwrap(), CRATES_IO_INDEX);
        assert_eq!(normalize_index_url("https://mirror.example/idx").unwrap(), "https://mirror.example/idx/");
        assert_eq!(normalize_index_url("http://127.0.0.1:8080/index/").unwrap(), "http://127.0.0.1:8080/index/");
        assert_eq!(normalize_index_url("https://github.com/rust-lang/crates.io-index").unwrap(), CRATES_IO_INDEX);
        for bad in ["http://example.com/", "ftp://x/", "registry+https://git.example/idx", "https://u:p@x/", "nonsense", "https://x/?q=1"] {
            let err = normalize_index_url(bad).unwrap_err().to_string();
            assert!(err.contains(bad), "{err}");
        }
    }
}
