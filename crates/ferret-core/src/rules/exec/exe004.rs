use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};
use ferret_archive::FileKind;

pub static INFO: RuleInfo = RuleInfo {
    code: "EXE004",
    name: "embedded-executable",
    family: Family::Execution,
    severity: Severity::Critical,
    summary: "the crate ships an executable (ELF, PE, Mach-O, wasm), and build-time code runs it",
    doc: "## What it detects\nFiles whose magic bytes say ELF executable or shared object, PE, Mach-O or wasm, outside tests. Medium when merely shipped; high when code includes or names it; critical when build-time code also makes files executable or runs processes.\n\n## Why\nA shipped binary is opaque to review. Shipping one and running it from `build.rs` is a dropper that needs no download (the embedded-binary variants of the amaperf cluster).\n\n## Example\n`assets/helper` starting with `\\x7fELF`, and `build.rs` running it.\n\n## Known false positives\nPrebuilt import libraries and objects (`.a`, `.lib`, `.o`) are archives or relocatable objects, not executables, and are not reported; test fixtures of binary-parsing crates live under `tests/` and are ignored.",
};

pub struct Rule;

/// ELF relocatable objects (`.o`) are not runnable.
fn runnable(kind: FileKind, data: &[u8]) -> bool {
    match kind {
        FileKind::Elf => data.get(16).is_none_or(|t| *t != 1),
        FileKind::Pe | FileKind::MachO | FileKind::Wasm => true,
        _ => false,
    }
}

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        let facts = i.facts;
        for file in &facts.archive.files {
            // Object files and static libraries (`.o`, `.obj`, `.a`, `.lib`) are linked, not run.
            let object = [".o", ".obj", ".a", ".lib", ".rlib"].iter().any(|x| file.path.ends_with(x));
            if object || !runnable(file.kind, &file.data) {
                continue;
            }
            let ctx = crate::context::classify(&file.path, &facts.manifest);
            let top = file.path.split('/').next().unwrap_or("");
            if matches!(top, "tests" | "test" | "testdata" | "test-data" | "fixtures" | "benches" | "examples") || file.path.contains("/tests/") || file.path.contains("/testdata/") {
                continue;
            }
            let _ = ctx;
            let base = file.path.rsplit('/').next().unwrap_or(&file.path);
            // Code that includes or names the file (by its base name, at least 4 characters).
            let referenced = facts.files.iter().filter(|f| !f.context.dev_only()).find_map(|f| {
                if let Some(e) = f.evidence.iter().find(|e| matches!(&e.cap, Cap::Include { path } if path == &file.path)) {
                    return Some((f, e.line));
                }
                if base.len() < 4 {
                    return None;
                }
                let text = facts.archive.text(&f.path)?;
                text.lines().position(|l| l.contains(base)).map(|p| (f, p as u32 + 1))
            });
            let kind = file.kind.as_str();
            match referenced {
                Some((f, line)) => {
                    let runs = facts.files.iter().filter(|g| g.context == f.context).any(|g| g.has(|c| matches!(c, Cap::Process { .. } | Cap::SetExecutable | Cap::DynLoad { .. })));
                    let sev = if runs && f.context.runs_at_build() { Severity::Critical } else if runs { Severity::High } else { Severity::Medium };
                    out.push(Hit::new(sev, &file.path, 0, format!("ships a {kind} executable ({} bytes) referenced by {} `{}` (line {}){}", file.size, f.context.as_str(), f.path, line, if runs { ", which runs programs" } else { "" })));
                }
                None => out.push(Hit::new(Severity::Medium, &file.path, 0, format!("ships a {kind} executable ({} bytes)", file.size))),
            }
        }
    }
}
