//! Making hostile text safe to show.
//!
//! A crate controls its name, version, file names and source. Printed raw, that text could
//! move the cursor, rewrite earlier lines (`\r`, CSI), clear the screen, set the window title or
//! plant clickable hyperlinks (OSC 8), or reorder what the reader sees with bidi overrides
//! ("Trojan Source"). Every such character is shown escaped as `\u{..}` instead, so the evidence
//! stays visible and inert.

use std::borrow::Cow;
use std::fmt::Write as _;

/// True for characters that must never reach a terminal or a viewer raw.
///
/// That is every control character except tab (C0, DEL and C1, which includes the 8-bit CSI
/// U+009B and OSC U+009D), bidi embedding/override/isolate and mark characters, zero-width
/// characters, line/paragraph separators, the byte-order mark and interlinear annotations.
pub fn is_unsafe_char(c: char) -> bool {
    match c {
        '\t' => false,
        c if c.is_control() => true,
        '\u{061C}'                      // arabic letter mark
        | '\u{200B}'..='\u{200F}'       // zero-width space/joiners, LRM, RLM
        | '\u{2028}' | '\u{2029}'       // line and paragraph separators
        | '\u{202A}'..='\u{202E}'       // LRE, RLE, PDF, LRO, RLO
        | '\u{2060}'..='\u{2069}'       // word joiner, invisible operators, LRI, RLI, FSI, PDI
        | '\u{FEFF}'                    // byte-order mark / zero-width no-break space
        | '\u{FFF9}'..='\u{FFFB}' => true, // interlinear annotation
        _ => false,
    }
}

/// Escapes every unsafe character (see [`is_unsafe_char`]) of one line of hostile text as
/// `\u{hex}`. Newlines are escaped too: split multi-line text first (see [`sanitize_lines`]).
/// Borrows when nothing needs escaping.
pub fn sanitize_terminal(s: &str) -> Cow<'_, str> {
    // Fast path: printable ASCII and tab need nothing.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b) || b == b'\t') || !s.chars().any(is_unsafe_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_unsafe_char(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Sanitizes multi-line hostile text: splits on `\n` (a `\r\n` ending counts as one line break),
/// sanitizes each line with [`sanitize_terminal`] and joins them with `\n`.
pub fn sanitize_lines(s: &str) -> Cow<'_, str> {
    let plain = s.chars().all(|c| c == '\n' || !is_unsafe_char(c));
    if plain {
        return Cow::Borrowed(s);
    }
    let lines: Vec<Cow<'_, str>> = s.lines().map(sanitize_terminal).collect();
    Cow::Owned(lines.join("\n"))
}

/// Cuts hostile text to at most `max` characters, appending `…` when it was longer.
pub fn clip(s: &str, max: usize) -> Cow<'_, str> {
    match s.char_indices().nth(max) {
        None => Cow::Borrowed(s),
        Some((at, _)) => Cow::Owned(format!("{}…", &s[..at])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "let x = \"héllo, 世界\";\tdone";
        assert!(matches!(sanitize_terminal(s), Cow::Borrowed(t) if t == s));
    }

    #[test]
    fn escape_and_csi_are_escaped() {
        assert_eq!(sanitize_terminal("a\x1b[31mred\x1b[0m"), "a\\u{1b}[31mred\\u{1b}[0m");
        assert_eq!(sanitize_terminal("\x1b[2J\x1b[H"), "\\u{1b}[2J\\u{1b}[H");
        // 8-bit CSI (C1 control) is just as dangerous on some terminals.
        assert_eq!(sanitize_terminal("x\u{9b}31my"), "x\\u{9b}31my");
    }

    #[test]
    fn osc8_hyperlink_and_title_are_escaped() {
        let s = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\";
        let out = sanitize_terminal(s);
        assert!(!out.contains('\x1b'), "{out}");
        assert_eq!(out, "\\u{1b}]8;;https://evil.example/\\u{1b}\\click\\u{1b}]8;;\\u{1b}\\");
        assert_eq!(sanitize_terminal("\x1b]0;pwned\x07"), "\\u{1b}]0;pwned\\u{7}");
    }

    #[test]
    fn carriage_return_and_other_controls_are_escaped() {
        assert_eq!(sanitize_terminal("evil()\rfine()"), "evil()\\u{d}fine()");
        assert_eq!(sanitize_terminal("a\x08b\x00c\x7fd"), "a\\u{8}b\\u{0}c\\u{7f}d");
        assert_eq!(sanitize_terminal("one\ntwo"), "one\\u{a}two");
    }

    #[test]
    fn tab_is_kept() {
        assert_eq!(sanitize_terminal("\tx"), "\tx");
    }

    #[test]
    fn bidi_and_invisible_characters_are_escaped() {
        assert_eq!(sanitize_terminal("is_admin\u{202e} \u{2066}// x\u{2069}"), "is_admin\\u{202e} \\u{2066}// x\\u{2069}");
        for c in ['\u{2067}', '\u{2068}', '\u{202a}', '\u{200b}', '\u{200f}', '\u{feff}', '\u{2028}', '\u{61c}'] {
            let s = c.to_string();
            let out = sanitize_terminal(&s);
            assert_eq!(out, format!("\\u{{{:x}}}", c as u32), "{:?}", c);
        }
    }

    #[test]
    fn lines_keep_newlines_and_drop_crlf() {
        assert_eq!(sanitize_lines("a\r\nb\x1b[1m\nc"), "a\nb\\u{1b}[1m\nc");
        assert!(matches!(sanitize_lines("a\nb"), Cow::Borrowed("a\nb")));
        assert_eq!(sanitize_lines("over\rwrite\n"), "over\\u{d}write");
    }

    #[test]
    fn clip_cuts_on_char_boundaries() {
        assert_eq!(clip("abc", 3), "abc");
        assert_eq!(clip("abcd", 3), "abc…");
        assert_eq!(clip("ééé", 2), "éé…");
    }
}
