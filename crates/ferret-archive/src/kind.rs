//! File kind detection: magic bytes first, then the file name.

use serde::Serialize;
use std::fmt;

/// How many leading bytes [`detect_kind`] looks at. Callers may pass more; the rest is ignored.
pub const HEAD_LEN: usize = 1024;

/// What a file in a crate is, decided by [`detect_kind`].
///
/// Binary kinds (executables, archives) come from magic bytes only, so a PE file named
/// `foo.rs` is [`FileKind::Pe`]. Text kinds come from the file name, then from a `#!` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    /// Rust source (`.rs`).
    Rust,
    /// A file named `Cargo.toml` (at any depth).
    CargoToml,
    /// Other TOML (`.toml`, and `Cargo.toml.orig`).
    Toml,
    /// Markdown (`.md`, `.markdown`).
    Markdown,
    /// JSON (`.json`).
    Json,
    /// POSIX shell script (`.sh`, `.bash`, `.zsh`, `.ksh`, or a `#!` line naming a shell).
    Shell,
    /// Windows batch file (`.bat`, `.cmd`).
    Batch,
    /// PowerShell script (`.ps1`, `.psm1`, `.psd1`, or a `#!` line naming `pwsh`).
    PowerShell,
    /// Python script (`.py`, `.pyw`, or a `#!` line naming python).
    Python,
    /// C or C++ source or header.
    C,
    /// Anything else that looks like text.
    Text,
    /// ELF executable, shared object or object file.
    Elf,
    /// Windows PE executable or DLL (`MZ` header leading to a `PE\0\0` signature).
    Pe,
    /// Mach-O executable (thin or fat).
    MachO,
    /// WebAssembly module.
    Wasm,
    /// Zip archive (also jar, apk, docx, ...).
    Zip,
    /// Gzip stream.
    Gzip,
    /// Tar archive (ustar/GNU magic).
    Tar,
    /// 7-Zip archive.
    SevenZip,
    /// Xz stream.
    Xz,
    /// Bzip2 stream.
    Bzip2,
    /// Zstandard frame.
    Zstd,
    /// RAR archive.
    Rar,
    /// Binary data of no known kind (contains NUL bytes or is not text).
    OtherBinary,
}

impl FileKind {
    /// Native code or a WebAssembly module: something that can be run.
    pub fn is_executable(self) -> bool {
        matches!(self, Self::Elf | Self::Pe | Self::MachO | Self::Wasm)
    }

    /// A compressed stream or an archive that may hide further files.
    pub fn is_archive(self) -> bool {
        matches!(
            self,
            Self::Zip
                | Self::Gzip
                | Self::Tar
                | Self::SevenZip
                | Self::Xz
                | Self::Bzip2
                | Self::Zstd
                | Self::Rar
        )
    }

    /// Anything that is not text: executables, archives and other binary data.
    pub fn is_binary(self) -> bool {
        self.is_executable() || self.is_archive() || self == Self::OtherBinary
    }

    /// A script for an interpreter other than Rust (shell, batch, PowerShell, Python).
    pub fn is_script(self) -> bool {
        matches!(
            self,
            Self::Shell | Self::Batch | Self::PowerShell | Self::Python
        )
    }

    /// A short stable lower-case name, e.g. `"mach-o"`, `"cargo-toml"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Rust => "rust",
            Self::CargoToml => "cargo-toml",
            Self::Toml => "toml",
            Self::Markdown => "markdown",
            Self::Json => "json",
            Self::Shell => "shell",
            Self::Batch => "batch",
            Self::PowerShell => "power-shell",
            Self::Python => "python",
            Self::C => "c",
            Self::Text => "text",
            Self::Elf => "elf",
            Self::Pe => "pe",
            Self::MachO => "mach-o",
            Self::Wasm => "wasm",
            Self::Zip => "zip",
            Self::Gzip => "gzip",
            Self::Tar => "tar",
            Self::SevenZip => "seven-zip",
            Self::Xz => "xz",
            Self::Bzip2 => "bzip2",
            Self::Zstd => "zstd",
            Self::Rar => "rar",
            Self::OtherBinary => "other-binary",
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Decide a file's kind from its path (relative, `/`-separated) and its first bytes.
///
/// Magic bytes win over the name: binary kinds are only ever reported from content. Then
/// the name decides text kinds; then a `#!` line; then content without NUL bytes that is
/// mostly UTF-8 is [`FileKind::Text`], anything else [`FileKind::OtherBinary`].
pub fn detect_kind(path: &str, head: &[u8]) -> FileKind {
    let head = &head[..head.len().min(HEAD_LEN)];
    if let Some(kind) = magic_kind(head) {
        return kind;
    }
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let binary = looks_binary(head);
    if name == "Cargo.toml" {
        return if binary {
            FileKind::OtherBinary
        } else {
            FileKind::CargoToml
        };
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let by_name = match ext {
        "rs" => Some(FileKind::Rust),
        "toml" => Some(FileKind::Toml),
        "orig" if lower == "cargo.toml.orig" => Some(FileKind::Toml),
        "md" | "markdown" => Some(FileKind::Markdown),
        "json" => Some(FileKind::Json),
        "sh" | "bash" | "zsh" | "ksh" => Some(FileKind::Shell),
        "bat" | "cmd" => Some(FileKind::Batch),
        "ps1" | "psm1" | "psd1" => Some(FileKind::PowerShell),
        "py" | "pyw" => Some(FileKind::Python),
        "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" | "inl" | "m" | "mm" => {
            Some(FileKind::C)
        }
        _ => None,
    };
    if binary {
        // A name claiming text does not make NUL-laden data text.
        return FileKind::OtherBinary;
    }
    if let Some(kind) = by_name {
        return kind;
    }
    if let Some(kind) = shebang_kind(head) {
        return kind;
    }
    FileKind::Text
}

fn magic_kind(h: &[u8]) -> Option<FileKind> {
    let starts = |m: &[u8]| h.starts_with(m);
    if starts(b"\x7fELF") {
        return Some(FileKind::Elf);
    }
    if starts(b"MZ") && is_pe(h) {
        return Some(FileKind::Pe);
    }
    if starts(&[0xfe, 0xed, 0xfa, 0xce])
        || starts(&[0xfe, 0xed, 0xfa, 0xcf])
        || starts(&[0xce, 0xfa, 0xed, 0xfe])
        || starts(&[0xcf, 0xfa, 0xed, 0xfe])
    {
        return Some(FileKind::MachO);
    }
    if starts(&[0xca, 0xfe, 0xba, 0xbe]) && h.len() >= 8 {
        // Fat Mach-O and Java class files share this magic; a fat header's architecture
        // count is small, a class file's version number is not.
        let n = u32::from_be_bytes([h[4], h[5], h[6], h[7]]);
        if (1..=32).contains(&n) {
            return Some(FileKind::MachO);
        }
        return None;
    }
    if starts(b"\0asm") {
        return Some(FileKind::Wasm);
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") || starts(b"PK\x07\x08") {
        return Some(FileKind::Zip);
    }
    if starts(&[0x1f, 0x8b]) {
        return Some(FileKind::Gzip);
    }
    if starts(&[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) {
        return Some(FileKind::SevenZip);
    }
    if starts(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
        return Some(FileKind::Xz);
    }
    if h.len() >= 4 && starts(b"BZh") && (b'1'..=b'9').contains(&h[3]) {
        return Some(FileKind::Bzip2);
    }
    if starts(&[0x28, 0xb5, 0x2f, 0xfd]) {
        return Some(FileKind::Zstd);
    }
    if starts(b"Rar!\x1a\x07") {
        return Some(FileKind::Rar);
    }
    if h.len() >= 262 && &h[257..262] == b"ustar" {
        return Some(FileKind::Tar);
    }
    None
}

/// `MZ` is two printable letters, so require the PE signature where `e_lfanew` points;
/// if it points past the bytes we have, accept only data that is not text.
fn is_pe(h: &[u8]) -> bool {
    if h.len() < 0x40 {
        return false;
    }
    let off = u32::from_le_bytes([h[0x3c], h[0x3d], h[0x3e], h[0x3f]]) as usize;
    match off.checked_add(4) {
        Some(end) if end <= h.len() => &h[off..end] == b"PE\0\0",
        _ => off < 0x1000_0000 && looks_binary(h),
    }
}

/// NUL bytes, or more than a few percent of control bytes, or mostly invalid UTF-8.
fn looks_binary(h: &[u8]) -> bool {
    if h.is_empty() {
        return false;
    }
    if h.contains(&0) {
        return true;
    }
    let control = h
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    if control * 20 > h.len() {
        return true;
    }
    // Tolerate a character cut at the end of the head and stray bytes (Latin-1 text).
    let invalid = invalid_utf8_bytes(h);
    invalid * 3 > h.len()
}

fn invalid_utf8_bytes(mut h: &[u8]) -> usize {
    let mut bad = 0;
    loop {
        match std::str::from_utf8(h) {
            Ok(_) => return bad,
            Err(e) => {
                let skip = match e.error_len() {
                    Some(n) => n,
                    None => return bad, // incomplete sequence at the end of the head
                };
                bad += skip;
                h = &h[e.valid_up_to() + skip..];
            }
        }
    }
}

fn shebang_kind(h: &[u8]) -> Option<FileKind> {
    let rest = h.strip_prefix(b"#!")?;
    let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let line = String::from_utf8_lossy(&rest[..line_end]);
    let mut words = line.split_whitespace();
    let mut prog = words.next()?.rsplit('/').next()?;
    if prog == "env" {
        prog = words.find(|w| !w.starts_with('-'))?;
    }
    let prog = prog.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
    match prog {
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "busybox" => Some(FileKind::Shell),
        "python" => Some(FileKind::Python),
        "pwsh" | "powershell" => Some(FileKind::PowerShell),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pe_stub() -> Vec<u8> {
        let mut v = vec![0u8; 0x84];
        v[0] = b'M';
        v[1] = b'Z';
        v[0x3c] = 0x80;
        v[0x80..0x84].copy_from_slice(b"PE\0\0");
        v
    }

    #[test]
    fn magic_beats_extension() {
        assert_eq!(
            detect_kind("src/lib.rs", b"\x7fELF\x02\x01\x01"),
            FileKind::Elf
        );
        assert_eq!(detect_kind("build.rs", &pe_stub()), FileKind::Pe);
        assert_eq!(detect_kind("a.txt", b"\0asm\x01\0\0\0"), FileKind::Wasm);
        assert_eq!(
            detect_kind("x.md", &[0xcf, 0xfa, 0xed, 0xfe, 7, 0, 0, 1]),
            FileKind::MachO
        );
        assert_eq!(
            detect_kind("x", &[0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 2]),
            FileKind::MachO
        );
        assert_eq!(detect_kind("x", b"PK\x03\x04rest"), FileKind::Zip);
        assert_eq!(detect_kind("x", &[0x1f, 0x8b, 8, 0]), FileKind::Gzip);
        assert_eq!(
            detect_kind("x", &[0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0, 4]),
            FileKind::SevenZip
        );
        assert_eq!(detect_kind("x", b"\xfd7zXZ\0\0"), FileKind::Xz);
        assert_eq!(detect_kind("x", b"BZh91AY&SY"), FileKind::Bzip2);
        assert_eq!(
            detect_kind("x", &[0x28, 0xb5, 0x2f, 0xfd, 0]),
            FileKind::Zstd
        );
        assert_eq!(detect_kind("x", b"Rar!\x1a\x07\x01\x00"), FileKind::Rar);
        let mut tar = vec![0u8; 512];
        tar[..5].copy_from_slice(b"hello");
        tar[257..263].copy_from_slice(b"ustar\0");
        assert_eq!(detect_kind("x.bin", &tar), FileKind::Tar);
    }

    #[test]
    fn mz_text_is_not_pe() {
        let text = b"MZ is how a PE file starts, but this is a long enough line of plain text.";
        assert_eq!(detect_kind("notes.txt", text), FileKind::Text);
        assert_eq!(detect_kind("notes.rs", text), FileKind::Rust);
    }

    #[test]
    fn java_class_is_not_macho() {
        let class = [0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 52, 0, 0];
        assert_eq!(detect_kind("A.class", &class), FileKind::OtherBinary);
    }

    #[test]
    fn names_and_shebangs() {
        assert_eq!(detect_kind("Cargo.toml", b"[package]"), FileKind::CargoToml);
        assert_eq!(
            detect_kind("sub/Cargo.toml", b"[package]"),
            FileKind::CargoToml
        );
        assert_eq!(detect_kind("Cargo.toml.orig", b"[package]"), FileKind::Toml);
        assert_eq!(detect_kind("rustfmt.toml", b"x = 1"), FileKind::Toml);
        assert_eq!(detect_kind("README.MD", b"# hi"), FileKind::Markdown);
        assert_eq!(detect_kind("a.json", b"{}"), FileKind::Json);
        assert_eq!(detect_kind("install.sh", b"echo"), FileKind::Shell);
        assert_eq!(detect_kind("run.CMD", b"@echo off"), FileKind::Batch);
        assert_eq!(detect_kind("x.ps1", b"Write-Host"), FileKind::PowerShell);
        assert_eq!(detect_kind("gen.py", b"print()"), FileKind::Python);
        assert_eq!(detect_kind("sqlite3.c", b"int x;"), FileKind::C);
        assert_eq!(
            detect_kind("scripts/go", b"#!/usr/bin/env bash\necho"),
            FileKind::Shell
        );
        assert_eq!(
            detect_kind("tool", b"#!/usr/bin/python3.11\n"),
            FileKind::Python
        );
        assert_eq!(
            detect_kind("tool", b"#!/usr/bin/env -S pwsh -NoProfile\n"),
            FileKind::PowerShell
        );
        assert_eq!(detect_kind("LICENSE", b"MIT License"), FileKind::Text);
        assert_eq!(detect_kind("empty", b""), FileKind::Text);
    }

    #[test]
    fn binary_content_without_magic() {
        assert_eq!(
            detect_kind("data.bin", &[1, 2, 0, 3]),
            FileKind::OtherBinary
        );
        assert_eq!(
            detect_kind("fake.rs", &[0x01, 0x02, 0x03, 0x04, 0x05]),
            FileKind::OtherBinary
        );
        assert_eq!(
            detect_kind("latin1.txt", b"caf\xe9 cr\xe8me br\xfbl\xe9e is nice"),
            FileKind::Text
        );
        assert_eq!(detect_kind("junk", &[0xff; 64]), FileKind::OtherBinary);
    }

    #[test]
    fn helpers() {
        assert!(FileKind::Pe.is_executable() && FileKind::Pe.is_binary());
        assert!(FileKind::Zstd.is_archive() && !FileKind::Zstd.is_executable());
        assert!(!FileKind::Rust.is_binary());
        assert!(FileKind::Batch.is_script());
        assert_eq!(FileKind::MachO.to_string(), "mach-o");
    }
}
