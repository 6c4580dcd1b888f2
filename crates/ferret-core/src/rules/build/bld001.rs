use super::{is_download, verifies_download};
use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo};

pub static INFO: RuleInfo = RuleInfo {
    code: "BLD001",
    name: "build-script-download-exec",
    family: Family::Build,
    severity: Severity::Critical,
    summary: "build-time code downloads something and executes it",
    doc: "## What it detects\nA build script or proc-macro that fetches data from the network (an HTTP client, a raw socket, `curl`/`wget`) and executes something: makes a file executable, runs a shell, loads a library, or runs a `curl | sh` command line.\n\n## Why\nBuild scripts run on every `cargo build` of every dependent, on developer machines and in CI, with the user's rights. Download-then-execute there is the dropper of proc-macro1 (2025) and of the amaperf cluster: nothing legitimate needs to run a fresh binary from the internet to compile a crate.\n\n## Example\n```rust\n// build.rs\nlet bin = ureq::get(&url).call()?.into_reader();\nstd::io::copy(&mut bin, &mut File::create(&path)?)?;\nfs::set_permissions(&path, Permissions::from_mode(0o755))?;\nCommand::new(&path).spawn()?;\n```\n\n## Known false positives\n-sys crates that download a pinned source release and run `sh configure` on it; when the build code verifies a checksum and only runs a shell, this rule does not fire (BLD002 reports the download instead).",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        let f = i.facts;
        let build = |c: crate::context::FileContext| c.runs_at_build();
        let Some((df, de)) = f.evidence(build).find(|(_, e)| is_download(&e.cap)) else { return };
        let verified = verifies_download(f);
        let exec = f.evidence(build).find(|(_, e)| match &e.cap {
            Cap::SetExecutable | Cap::DynLoad { .. } => true,
            Cap::ShellPayload { .. } => true,
            Cap::Process { shell: true, .. } => !verified,
            Cap::ExecComputed => !verified && f.evidence(build).any(|(_, x)| matches!(x.cap, Cap::FsWrite)),
            _ => false,
        });
        if let Some((xf, xe)) = exec {
            let what = match &xe.cap {
                Cap::SetExecutable => "makes a file executable".to_string(),
                Cap::DynLoad { api } => format!("loads a library ({api})"),
                Cap::ShellPayload { what, .. } => what.to_string(),
                Cap::Process { program, .. } => format!("runs `{}`", program.as_deref().unwrap_or("a computed program")),
                _ => "runs a program from a computed path".to_string(),
            };
            out.push(Hit::new(
                Severity::Critical,
                &xf.path,
                xe.line,
                format!("{} downloads ({}:{}) and {what}", xf.context.as_str(), df.path, de.line),
            ));
        }
    }
}
