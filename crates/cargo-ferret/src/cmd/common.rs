//! Pieces shared by the commands: registry set-up, scan options, printing reports.

use crate::cli::Format;
use crate::render::{self, ColorMode, RuleDoc};
use anyhow::{Context, Result};
use ferret_core::{Report, ScanOptions, ScanOutput, Scanner};
use ferret_intel::Intel;
use std::sync::Arc;
use ferret_registry::{DownloadCache, Registry, RegistrySource};
use std::path::Path;

/// The registry to fetch `name[@version]` targets from: `--index`, else cargo's configuration
/// for crates.io (source replacement honoured), else crates.io's sparse index.
pub fn registry(index: Option<&str>, cache_dir: Option<&Path>) -> Result<Registry> {
    let source = match index {
        Some(url) => RegistrySource::sparse(url).with_context(|| format!("invalid --index {url}"))?,
        None => {
            let cwd = std::env::current_dir().context("cannot read the current directory")?;
            let config = ferret_registry::CargoConfig::load(&cwd, ferret_registry::cargo_home().as_deref())
                .context("cannot read cargo's configuration")?;
            config.crates_io_source().context("cannot resolve crates.io's source from cargo's configuration")?.source
        }
    };
    let mut b = Registry::builder(source);
    if let Some(dir) = cache_dir {
        b = b.cache(DownloadCache::new(dir));
    }
    b.build().context("cannot set up the registry client")
}

/// Scan options for every command: default limits, plus the name/advisory oracle.
pub fn scan_options(intel: &Arc<Intel>) -> ScanOptions {
    ScanOptions { names: Some(intel.clone() as Arc<dyn ferret_core::NameOracle>), ..ScanOptions::default() }
}

/// Resolve `name[@version]` in the registry, download it (checksum verified) and scan it.
pub fn scan_from_registry(scanner: &Scanner, intel: &Intel, registry: &Registry, spec: &str) -> Report {
    let (name, req) = match ferret_registry::parse_spec(spec) {
        Ok(s) => (s.name, s.version_req),
        Err(e) => return Report::failed(spec, "", e.to_string()),
    };
    let entry = match registry.resolve(&name, req.as_deref()) {
        Ok(e) => e,
        Err(e) => return Report::failed(name, req.unwrap_or_default(), e.to_string()),
    };
    let version = entry.vers.to_string();
    // What the index says (versions, publication times) feeds the metadata checks.
    if let Ok(all) = registry.entries(&name) {
        let mut sorted: Vec<_> = all.iter().collect();
        sorted.sort_by(|a, b| a.vers.cmp(&b.vers));
        if let Some(first) = sorted.first() {
            intel.set_registry_facts(&entry.name, &version, ferret_names::RegistryFacts {
                versions_published: all.len(),
                first_version: first.vers.to_string(),
                first_pubtime: first.pubtime.clone(),
                this_pubtime: entry.pubtime.clone(),
            });
        }
    }
    match registry.download(&entry) {
        Ok(path) => {
            let mut r = scanner.scan_path(&path);
            if r.name.is_empty() {
                r.name = name;
            }
            if r.version.is_empty() {
                r.version = version;
            }
            r
        }
        Err(e) => Report::failed(name, version, e.to_string()),
    }
}

/// Rule documentation for SARIF.
pub fn rule_doc(code: &str) -> Option<RuleDoc> {
    ferret_core::rules::find(code).map(|i| RuleDoc { name: i.name.to_string(), summary: i.summary.to_string(), help_markdown: i.doc.to_string() })
}

pub fn color_mode(color: &str) -> ColorMode {
    match color {
        "always" => ColorMode::Always,
        "never" => ColorMode::Never,
        _ => ColorMode::Auto,
    }
}

/// Print a scan's reports in the chosen format on stdout.
pub fn print_reports(output: &ScanOutput, format: Format, color: &str) -> Result<()> {
    use std::io::Write;
    let views = render::views(output);
    match format {
        Format::Json => {
            let s = render::scan_json(output)?;
            std::io::stdout().lock().write_all(s.as_bytes())?;
        }
        Format::Sarif => {
            let s = render::sarif_string(&views, &rule_doc);
            std::io::stdout().lock().write_all(s.as_bytes())?;
        }
        Format::Human => render::print_human(&views, false, color_mode(color))?,
    }
    Ok(())
}
