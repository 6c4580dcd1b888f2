//! Human output: compiler-style diagnostics with the offending source lines.
//!
//! ```text
//! evil-crate 0.1.0  MALICIOUS (score 95)
//!   = decided by: BLD001
//!
//! critical[BLD001 build-script-download-exec]: build script downloads a file and executes it
//!   --> build.rs:42
//!    |
//! 42 |     let resp = reqwest::blocking::get(url)?;
//!    |
//!
//! 1 malicious, 0 suspicious, 3 clean (4 crates, 1 finding)
//! ```
//!
//! Reports come worst first. Clean crates print one line each (or one summary line when there
//! are more than [`CLEAN_LIST_MAX`]); `verbose` shows them in full. All crate text is sanitized.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::str::FromStr;

use anstyle::{AnsiColor, Style};
use ferret_core::{Finding, Severity, Verdict};

use super::ReportView;
use super::sanitize::{clip, sanitize_terminal};

/// Above this many clean crates, a non-verbose run summarises them in one line.
pub const CLEAN_LIST_MAX: usize = 20;
/// Snippet lines shown per finding.
pub const SNIPPET_MAX_LINES: usize = 12;
/// Characters shown per snippet line.
pub const LINE_MAX_CHARS: usize = 200;
/// Characters shown of any other crate-supplied field (name, message, error...).
pub const FIELD_MAX_CHARS: usize = 400;

/// `--color`: whether to colour human output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorMode {
    /// Colour when stdout is a terminal and `NO_COLOR` is not set (`CLICOLOR_FORCE` forces it).
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

impl FromStr for ColorMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(ColorMode::Auto),
            "always" => Ok(ColorMode::Always),
            "never" => Ok(ColorMode::Never),
            other => Err(format!("unknown colour mode `{}` (expected auto, always or never)", sanitize_terminal(other))),
        }
    }
}

impl ColorMode {
    fn choice(self) -> anstream::ColorChoice {
        match self {
            ColorMode::Auto => anstream::ColorChoice::Auto,
            ColorMode::Always => anstream::ColorChoice::Always,
            ColorMode::Never => anstream::ColorChoice::Never,
        }
    }
}

/// Options of the human renderer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// Emit ANSI colours.
    pub color: bool,
    /// Show clean crates in full (with any low-severity findings) instead of one line each.
    pub verbose: bool,
}

/// The styles used, or none at all.
struct Paint {
    on: bool,
}

impl Paint {
    fn s(&self, style: Style, text: &str) -> String {
        if self.on && style != Style::new() { format!("{style}{text}{style:#}") } else { text.to_owned() }
    }
    fn verdict_style(v: Verdict) -> Style {
        match v {
            Verdict::Malicious => AnsiColor::Red.on_default().bold(),
            Verdict::Suspicious => AnsiColor::Yellow.on_default().bold(),
            Verdict::Clean => AnsiColor::Green.on_default(),
        }
    }
    fn severity_style(s: Severity) -> Style {
        match s {
            Severity::Critical | Severity::High => AnsiColor::Red.on_default().bold(),
            Severity::Medium => AnsiColor::Yellow.on_default().bold(),
            Severity::Low => AnsiColor::Cyan.on_default().bold(),
            Severity::Info => AnsiColor::Blue.on_default().bold(),
        }
    }
    fn gutter() -> Style {
        AnsiColor::Blue.on_default().bold()
    }
    fn bold() -> Style {
        Style::new().bold()
    }
    fn dim() -> Style {
        Style::new().dimmed()
    }
}

/// A crate-supplied field, clipped and sanitized for one line of output.
fn field(s: &str) -> String {
    sanitize_terminal(&clip(s, FIELD_MAX_CHARS)).into_owned()
}

fn crate_title(name: &str, version: &str) -> String {
    if version.is_empty() { field(name) } else { format!("{} {}", field(name), field(version)) }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Renders `views` as human-readable text (worst first, then a summary line).
pub fn render_human(views: &[ReportView<'_>], opts: &HumanOptions) -> String {
    let p = Paint { on: opts.color };
    let mut out = String::new();
    if views.is_empty() {
        out.push_str("no crates scanned\n");
        return out;
    }
    let mut order: Vec<&ReportView<'_>> = views.iter().collect();
    // Worst first: verdict, then unreadable targets, then score; stable otherwise.
    order.sort_by(|a, b| {
        let (a, b) = (a.report, b.report);
        b.verdict.cmp(&a.verdict).then(b.error.is_some().cmp(&a.error.is_some())).then(b.score.cmp(&a.score))
    });
    let (flagged, clean): (Vec<_>, Vec<_>) = order.into_iter().partition(|v| v.report.verdict != Verdict::Clean || v.report.error.is_some());

    for view in &flagged {
        render_full(&mut out, view, &p);
    }
    if opts.verbose {
        for view in &clean {
            render_full(&mut out, view, &p);
        }
    } else if clean.len() > CLEAN_LIST_MAX {
        let _ = writeln!(out, "{} not listed (--verbose lists them)\n", plural(clean.len(), "clean crate", "clean crates"));
    } else if !clean.is_empty() {
        for view in &clean {
            let r = view.report;
            let _ = write!(
                out,
                "{}  {} (score {})",
                p.s(Paint::bold(), &crate_title(&r.name, &r.version)),
                p.s(Paint::verdict_style(r.verdict), "clean"),
                r.score
            );
            if !r.findings.is_empty() {
                let hidden = plural(r.findings.len(), "minor finding", "minor findings");
                let _ = write!(out, "  {}", p.s(Paint::dim(), &format!("({hidden}; --verbose shows them)")));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    render_summary(&mut out, views, &p);
    out
}

/// One report in full: header, extras, error, findings.
fn render_full(out: &mut String, view: &ReportView<'_>, p: &Paint) {
    let r = view.report;
    let _ = writeln!(
        out,
        "{}  {} (score {})",
        p.s(Paint::bold(), &crate_title(&r.name, &r.version)),
        p.s(Paint::verdict_style(r.verdict), &r.verdict.as_str().to_ascii_uppercase()),
        r.score
    );
    let eq = p.s(Paint::gutter(), "=");
    if !r.decided_by.is_empty() {
        let codes: Vec<String> = r.decided_by.iter().map(|c| field(c)).collect();
        let _ = writeln!(out, "  {eq} decided by: {}", codes.join(", "));
    }
    for a in &view.advisories {
        let _ = write!(out, "  {eq} advisory: {} ({})", p.s(Paint::bold(), &field(a.id)), field(a.source));
        if let Some(url) = a.url {
            let _ = write!(out, " {}", field(url));
        }
        out.push('\n');
    }
    if let Some(kind) = view.kind {
        let _ = writeln!(out, "  {eq} dependency kind: {}", field(kind));
    }
    if !view.path.is_empty() {
        let chain: Vec<String> = view.path.iter().map(|c| field(c)).collect();
        let _ = writeln!(out, "  {eq} pulled in by: {}", chain.join(" -> "));
    }
    if let Some(err) = &r.error {
        let _ = writeln!(out, "  {}: could not be read: {}", p.s(AnsiColor::Red.on_default().bold(), "error"), field(err));
    }
    out.push('\n');
    let mut findings: Vec<&Finding> = r.findings.iter().collect();
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in findings {
        render_finding(out, f, p);
    }
}

/// One finding as a diagnostic with its numbered source lines.
fn render_finding(out: &mut String, f: &Finding, p: &Paint) {
    let sev = Paint::severity_style(f.severity);
    let _ = writeln!(
        out,
        "{}: {}",
        p.s(sev, &format!("{}[{} {}]", f.severity.as_str(), field(&f.code), field(&f.rule))),
        p.s(Paint::bold(), &field(&f.message))
    );
    let mut lines: Vec<&str> = f.snippet.lines().collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let more = lines.len().saturating_sub(SNIPPET_MAX_LINES);
    lines.truncate(SNIPPET_MAX_LINES);
    let last_no = if f.line == 0 { 0 } else { f.line as u64 + lines.len().saturating_sub(1) as u64 };
    let width = if f.line == 0 { 1 } else { last_no.to_string().len() };
    let pad = " ".repeat(width);
    let bar = p.s(Paint::gutter(), "|");
    if !f.file.is_empty() {
        let loc = if f.line == 0 { field(&f.file) } else { format!("{}:{}", field(&f.file), f.line) };
        let _ = writeln!(out, "{pad}{} {loc}", p.s(Paint::gutter(), "-->"));
    }
    if !lines.is_empty() {
        let _ = writeln!(out, "{pad} {bar}");
        for (i, line) in lines.iter().enumerate() {
            let no = if f.line == 0 { String::new() } else { (f.line as u64 + i as u64).to_string() };
            let shown = sanitize_terminal(&clip(&line.replace('\t', "    "), LINE_MAX_CHARS)).into_owned();
            let _ = writeln!(out, "{} {bar} {shown}", p.s(Paint::gutter(), &format!("{no:>width$}")));
        }
        if more > 0 {
            let _ = writeln!(out, "{pad} {bar} {}", p.s(Paint::dim(), &format!("... {}", plural(more, "more line", "more lines"))));
        }
        let _ = writeln!(out, "{pad} {bar}");
    }
    out.push('\n');
}

/// The closing line: counts per verdict, crates, findings, unreadable targets.
fn render_summary(out: &mut String, views: &[ReportView<'_>], p: &Paint) {
    let count = |v: Verdict| views.iter().filter(|x| x.report.verdict == v).count();
    let (m, s, c) = (count(Verdict::Malicious), count(Verdict::Suspicious), count(Verdict::Clean));
    let findings: usize = views.iter().map(|v| v.report.findings.len()).sum();
    let errors = views.iter().filter(|v| v.report.error.is_some()).count();
    let part = |n: usize, v: Verdict| {
        let text = format!("{n} {}", v.as_str());
        if n > 0 { p.s(Paint::verdict_style(v), &text) } else { text }
    };
    let _ = write!(
        out,
        "{}, {}, {} ({}, {}",
        part(m, Verdict::Malicious),
        part(s, Verdict::Suspicious),
        part(c, Verdict::Clean),
        plural(views.len(), "crate", "crates"),
        plural(findings, "finding", "findings")
    );
    if errors > 0 {
        let _ = write!(out, ", {}", p.s(AnsiColor::Red.on_default().bold(), &format!("{errors} could not be read")));
    }
    out.push_str(")\n");
}

/// Renders `views` and writes them to stdout, coloured according to `mode` (for `Auto`:
/// stdout is a terminal, `NO_COLOR` unset; `CLICOLOR_FORCE` forces colour).
pub fn print_human(views: &[ReportView<'_>], verbose: bool, mode: ColorMode) -> io::Result<()> {
    let stdout = io::stdout();
    let mut stream = anstream::AutoStream::new(stdout.lock(), mode.choice());
    let color = stream.current_choice() != anstream::ColorChoice::Never;
    let text = render_human(views, &HumanOptions { color, verbose });
    stream.write_all(text.as_bytes())?;
    stream.flush()
}
