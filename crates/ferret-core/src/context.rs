//! Where a file sits in the crate, and so when its code runs.

use crate::manifest::Manifest;
use serde::Serialize;

/// The role of a file, which decides how much its behaviour weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileContext {
    /// `build.rs` (or the manifest's `build`): runs on every `cargo build` of every dependent.
    BuildScript,
    /// Library code of a proc-macro crate: runs inside the compiler of every dependent.
    ProcMacro,
    /// Library code: runs when a dependent calls it.
    Library,
    /// Binary targets (`src/main.rs`, `src/bin/`): run when someone runs the tool.
    Binary,
    /// Tests, examples, benches and other files dependents never run.
    DevOnly,
    /// Not Rust source (data, docs, scripts, binaries).
    Other,
}

impl FileContext {
    pub fn as_str(self) -> &'static str {
        match self {
            FileContext::BuildScript => "build script",
            FileContext::ProcMacro => "proc-macro",
            FileContext::Library => "library",
            FileContext::Binary => "binary",
            FileContext::DevOnly => "tests/examples",
            FileContext::Other => "other",
        }
    }

    /// Code that runs on a dependent's machine merely by building it.
    pub fn runs_at_build(self) -> bool {
        matches!(self, FileContext::BuildScript | FileContext::ProcMacro)
    }

    /// Code that dependents never run.
    pub fn dev_only(self) -> bool {
        matches!(self, FileContext::DevOnly | FileContext::Other)
    }
}

/// Classify a crate-relative path.
pub fn classify(path: &str, manifest: &Manifest) -> FileContext {
    if !path.ends_with(".rs") {
        return FileContext::Other;
    }
    if let Some(build) = manifest.build_script.as_deref() {
        if path == build {
            return FileContext::BuildScript;
        }
        // A build script in its own folder (`build/main.rs`) owns that folder's modules.
        if let Some((dir, _)) = build.rsplit_once('/') {
            if path.starts_with(&format!("{dir}/")) && dir != "src" {
                return FileContext::BuildScript;
            }
        }
    }
    let first = path.split('/').next().unwrap_or("");
    match first {
        "tests" | "examples" | "benches" | "fuzz" | "xtask" | "ci" | "scripts" | "tools" | "test" | "testdata" | "test-data" | "docs" | "doc" => {
            return FileContext::DevOnly;
        }
        _ => {}
    }
    if path.contains("/tests/") || path.ends_with("/tests.rs") || path.ends_with("_test.rs") || path.ends_with("_tests.rs") {
        return FileContext::DevOnly;
    }
    if manifest.bin_paths.iter().any(|b| b == path) || path == "src/main.rs" || path.starts_with("src/bin/") {
        return FileContext::Binary;
    }
    if first == "src" || manifest.lib_path.as_deref() == Some(path) {
        return if manifest.proc_macro { FileContext::ProcMacro } else { FileContext::Library };
    }
    // Rust files outside any target (vendored sources, generators): dependents don't run them
    // unless a target includes them, which `include!`/`#[path]` findings would show.
    FileContext::DevOnly
}
