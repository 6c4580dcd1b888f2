//! Resolves and downloads `name[@version]` as `cargo ferret scan name@version` would, with
//! cargo's source replacement for the current directory:
//! `cargo run -p ferret-registry --example fetch -- serde@1`.
#![forbid(unsafe_code)]

use ferret_registry::{Registry, parse_spec};

fn main() {
    let Some(spec) = std::env::args().nth(1) else {
        eprintln!("usage: fetch NAME[@VERSION] [INDEX_URL]");
        std::process::exit(2);
    };
    if let Err(e) = run(&spec, std::env::args().nth(2)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(spec: &str, index: Option<String>) -> Result<(), Box<dyn std::error::Error>> {
    let spec = parse_spec(spec)?;
    let registry = match index {
        Some(url) => Registry::new(&url)?,
        None => Registry::from_cargo_config(&std::env::current_dir()?)?,
    };
    let file = registry.index_file(&spec.name)?;
    let entry = ferret_registry::select_version(&spec.name, &file.entries, spec.version_req.as_deref())?;
    let path = registry.download(&entry)?;
    println!("{} {} ({} versions, {} lines skipped)", entry.name, entry.vers, file.entries.len(), file.skipped);
    println!("pubtime {}", entry.pubtime.as_deref().unwrap_or("-"));
    println!("{}", path.display());
    Ok(())
}
