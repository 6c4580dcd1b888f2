//! A progress bar on stderr for runs over many crates, hidden when stderr is not a terminal.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

use super::sanitize::{clip, sanitize_terminal};

const TEMPLATE: &str = "{spinner:.green} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} {wide_msg}";
/// Longest crate name shown next to the bar, in characters.
const MESSAGE_MAX: usize = 60;

/// A thread-safe progress bar (cloning shares the same bar).
#[derive(Debug, Clone)]
pub struct Progress {
    bar: ProgressBar,
}

impl Progress {
    /// Whether a bar should be drawn: stderr is a terminal and the user did not ask for none.
    pub fn should_show(no_progress: bool) -> bool {
        !no_progress && std::io::stderr().is_terminal()
    }

    /// A bar over `total` steps, drawn on stderr when `enabled`, hidden (but still counting)
    /// otherwise.
    pub fn new(total: u64, enabled: bool) -> Progress {
        if !enabled {
            return Progress { bar: ProgressBar::hidden() };
        }
        let style = ProgressStyle::with_template(TEMPLATE)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress { bar }
    }

    /// Advances by `n` steps.
    pub fn inc(&self, n: u64) {
        self.bar.inc(n);
    }

    /// Shows what is being worked on; `name` is hostile text and is sanitized and clipped.
    pub fn set_message(&self, name: &str) {
        let clipped = clip(name, MESSAGE_MAX);
        self.bar.set_message(sanitize_terminal(&clipped).into_owned());
    }

    /// Runs `f` (e.g. printing a warning) with the bar temporarily cleared.
    pub fn suspend<R>(&self, f: impl FnOnce() -> R) -> R {
        self.bar.suspend(f)
    }

    /// Removes the bar from the terminal.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }

    /// Steps done so far.
    pub fn position(&self) -> u64 {
        self.bar.position()
    }

    /// Whether nothing is drawn.
    pub fn is_hidden(&self) -> bool {
        self.bar.is_hidden()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_parses() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
    }

    #[test]
    fn disabled_bar_is_hidden_but_counts_across_threads() {
        let p = Progress::new(10, false);
        assert!(p.is_hidden());
        std::thread::scope(|s| {
            for _ in 0..4 {
                let p = p.clone();
                s.spawn(move || {
                    p.inc(1);
                    p.set_message("serde");
                });
            }
        });
        assert_eq!(p.position(), 4);
        p.finish();
    }

    #[test]
    fn message_is_sanitized_and_clipped() {
        let p = Progress::new(1, false);
        p.set_message("evil\x1b[2J\u{202e}");
        assert_eq!(p.bar.message(), "evil\\u{1b}[2J\\u{202e}");
        p.set_message(&"a".repeat(500));
        assert_eq!(p.bar.message().chars().count(), MESSAGE_MAX + 1);
    }

    #[test]
    fn should_show_respects_no_progress() {
        assert!(!Progress::should_show(true));
    }
}
