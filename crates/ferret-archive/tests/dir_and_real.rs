//! Unpacked crate directories, a real published crate, and mutated archives.

use ferret_archive::{
    ArchiveError, FileKind, Limits, Problem, decompress_only, read_crate_bytes, read_crate_dir,
    read_crate_file,
};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

fn hex_crate() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/hex-0.4.3.crate")
}

#[test]
fn real_crate_reads_cleanly() {
    let path = hex_crate();
    let a = read_crate_file(&path, &Limits::default()).unwrap();
    assert_eq!(a.problems, []);
    assert_eq!(a.root.as_deref(), Some("hex-0.4.3"));
    assert_eq!(a.files.len(), 16);
    assert_eq!(a.compressed_size, 13299);
    assert!(a.cargo_toml().unwrap().text().contains("name = \"hex\""));
    assert_eq!(a.file("src/lib.rs").unwrap().size, 14957);
    assert_eq!(a.file("src/lib.rs").unwrap().kind, FileKind::Rust);
    assert_eq!(a.file("Cargo.toml.orig").unwrap().kind, FileKind::Toml);
    assert_eq!(a.file(".cargo_vcs_info.json").unwrap().kind, FileKind::Json);
    assert_eq!(a.file("LICENSE-MIT").unwrap().kind, FileKind::Text);
    assert!(a.files.iter().all(|f| !f.truncated && !f.kind.is_binary()));
    // The floor counts the same content bytes.
    assert_eq!(decompress_only(&path).unwrap(), a.unpacked_size);
    let bytes = fs::read(&path).unwrap();
    assert_eq!(read_crate_bytes(&bytes, &Limits::default()).unwrap(), a);
}

/// Unpack the real crate with tar itself into `dir`, so the directory reader sees the same
/// files as the archive reader.
fn unpack_hex(dir: &Path) -> PathBuf {
    let file = fs::File::open(hex_crate()).unwrap();
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(dir)
        .unwrap();
    dir.join("hex-0.4.3")
}

#[test]
fn directory_matches_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let root = unpack_hex(tmp.path());
    let from_dir = read_crate_dir(&root, &Limits::default()).unwrap();
    let from_tar = read_crate_file(&hex_crate(), &Limits::default()).unwrap();
    assert_eq!(from_dir.problems, []);
    assert_eq!(from_dir.root.as_deref(), Some("hex-0.4.3"));
    let mut a: Vec<_> = from_dir
        .files
        .iter()
        .map(|f| (&f.path, &f.data, f.kind))
        .collect();
    let mut b: Vec<_> = from_tar
        .files
        .iter()
        .map(|f| (&f.path, &f.data, f.kind))
        .collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(from_dir.unpacked_size, from_tar.unpacked_size);
}

#[cfg(unix)]
#[test]
fn directory_with_symlinks_devices_and_skipped_dirs() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::{PermissionsExt, symlink};

    let tmp = tempfile::tempdir().unwrap();
    let outside = tmp.path().join("secret");
    fs::create_dir(&outside).unwrap();
    fs::write(outside.join("id_rsa"), "PRIVATE KEY").unwrap();
    let root = tmp.path().join("evil-1.0.0");
    fs::create_dir_all(root.join("src/nested")).unwrap();
    fs::write(root.join("Cargo.toml"), "[package]\nname = \"evil\"\n").unwrap();
    fs::write(root.join("src/lib.rs"), "fn f() {}").unwrap();
    fs::write(root.join("build.sh"), "#!/bin/sh\necho").unwrap();
    fs::set_permissions(root.join("build.sh"), fs::Permissions::from_mode(0o755)).unwrap();
    symlink(&outside, root.join("src/nested/escape")).unwrap();
    symlink(outside.join("id_rsa"), root.join("key.txt")).unwrap();
    let _sock = std::os::unix::net::UnixListener::bind(root.join("sock")).unwrap();
    fs::create_dir_all(root.join("target/debug")).unwrap();
    fs::write(root.join("target/debug/skipped.rs"), "skipped").unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::write(root.join(".git/config"), "skipped").unwrap();
    fs::create_dir_all(root.join("src/target")).unwrap();
    fs::write(
        root.join("src/target/kept.rs"),
        "kept: only the top target/ is skipped",
    )
    .unwrap();
    let bad = std::ffi::OsStr::from_bytes(b"bad\xff.rs");
    fs::write(root.join("src").join(bad), "x").unwrap();
    let deep = root.join(["d"; 40].join("/"));
    fs::create_dir_all(&deep).unwrap();
    fs::write(deep.join("too-deep.rs"), "x").unwrap();
    fs::write(deep.parent().unwrap().join("deepest-ok.rs"), "x").unwrap();

    let a = read_crate_dir(&root, &Limits::default()).unwrap();
    let deep_dir = ["d"; 40].join("/");
    assert_eq!(
        a.problems,
        [
            Problem::TooDeep {
                path: deep_dir.clone(),
                depth: 41
            },
            Problem::Link {
                path: "key.txt".into(),
                target: outside.join("id_rsa").to_string_lossy().into_owned(),
                hard: false
            },
            Problem::Device {
                path: "sock".into()
            },
            Problem::InvalidUtf8Path {
                path: "src/bad\u{fffd}.rs".into()
            },
            Problem::Link {
                path: "src/nested/escape".into(),
                target: outside.to_string_lossy().into_owned(),
                hard: false
            },
        ]
    );
    let mut paths: Vec<_> = a.files.iter().map(|f| f.path.as_str()).collect();
    paths.sort();
    let ok_deep = format!("{}/deepest-ok.rs", ["d"; 39].join("/"));
    let mut expected = vec![
        "Cargo.toml",
        "build.sh",
        "src/bad\u{fffd}.rs",
        "src/lib.rs",
        "src/target/kept.rs",
        ok_deep.as_str(),
    ];
    expected.sort();
    assert_eq!(paths, expected);
    assert!(
        a.files.iter().all(|f| !f.text().contains("PRIVATE KEY")),
        "a symlink was followed"
    );
    let script = a.file("build.sh").unwrap();
    assert!(script.executable_bit);
    assert_eq!(script.kind, FileKind::Shell);
    assert_eq!(a.root.as_deref(), Some("evil-1.0.0"));
}

#[test]
fn directory_limits() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("big-0.1.0");
    fs::create_dir_all(root.join("src")).unwrap();
    fs::write(root.join("Cargo.toml"), "[package]").unwrap();
    fs::write(root.join("src/huge.txt"), vec![b'a'; 3000]).unwrap();
    for i in 0..5 {
        fs::write(root.join(format!("src/f{i}.rs")), "fn f() {}").unwrap();
    }
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    let a = read_crate_dir(&root, &limits).unwrap();
    assert_eq!(
        a.problems,
        [Problem::FileTooLarge {
            path: "src/huge.txt".into(),
            size: 3000
        }]
    );
    let huge = a.file("src/huge.txt").unwrap();
    assert!(huge.truncated && huge.data.len() == 1000);

    let limits = Limits {
        max_files: 4,
        ..Limits::default()
    };
    let a = read_crate_dir(&root, &limits).unwrap();
    assert_eq!(a.problems, [Problem::TooManyFiles { limit: 4 }]);
    assert!(a.incomplete());

    let limits = Limits {
        max_total_bytes: 2000,
        ..Limits::default()
    };
    let a = read_crate_dir(&root, &limits).unwrap();
    assert_eq!(a.problems, [Problem::TotalTooLarge { limit: 2000 }]);

    let err = read_crate_dir(&root.join("Cargo.toml"), &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::NotADirectory { .. }), "{err:?}");
    let err = read_crate_dir(&root.join("src"), &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::NotACrate { .. }), "{err:?}");
    assert!(err.to_string().contains("src"), "{err}");
    let err = read_crate_dir(&tmp.path().join("nope"), &Limits::default()).unwrap_err();
    assert!(matches!(err, ArchiveError::Io { .. }), "{err:?}");
}

/// xorshift: deterministic, so a failure can be replayed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Random damage to the tar inside a valid gzip, and to the gzip itself: every outcome must
/// be an archive or an error, never a panic, and never more files than entries.
#[test]
fn mutated_archives_never_panic() {
    let gz = fs::read(hex_crate()).unwrap();
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut tar)
        .unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let limits = Limits::default();
    let (mut ok, mut problems, mut errors) = (0, 0, 0);
    for round in 0..300 {
        let mut t = tar.clone();
        for _ in 0..1 + rng.below(8) {
            let i = rng.below(t.len());
            match rng.below(4) {
                0 => t[i] = rng.next() as u8,
                // Header fields: size, mode, type flag, name.
                1 => {
                    let block = i / 512 * 512;
                    let off = [124, 100, 156, 0, 345][rng.below(5)];
                    if block + off < t.len() {
                        t[block + off] = b"0123456789 \0\xff/.\\7"[rng.below(17)];
                    }
                }
                2 => t.truncate(i),
                _ => t[i] ^= 1 << rng.below(8),
            }
        }
        let bytes = if round % 3 == 0 {
            // Damage the compressed stream instead.
            let mut g = gz.clone();
            let i = 10 + rng.below(g.len() - 10);
            g[i] ^= 1 << rng.below(8);
            g
        } else {
            let mut e = GzEncoder::new(Vec::new(), Compression::fast());
            e.write_all(&t).unwrap();
            e.finish().unwrap()
        };
        match read_crate_bytes(&bytes, &limits) {
            Ok(a) => {
                assert!(a.files.len() <= 32);
                if a.problems.is_empty() {
                    ok += 1
                } else {
                    problems += 1
                }
                for p in &a.problems {
                    let _ = p.to_string();
                }
            }
            Err(e) => {
                assert!(e.to_string().starts_with("<memory>"), "{e}");
                errors += 1;
            }
        }
    }
    // The mutations must actually reach the parser's error paths.
    assert!(
        problems > 0 && errors > 0,
        "ok {ok}, problems {problems}, errors {errors}"
    );
}
