//! `advisories update`: installing a tarball of the advisory-db repository, safely.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use ferret_advisory::update::{install_tarball, UnpackLimits, MARKER_FILE};
use ferret_advisory::UpdateError;

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/advisories")
}

/// Builds an advisory-db-like `.tar.gz` (top folder `advisory-db-main/`) from the shared
/// RustSec advisories, plus `extra` raw entries (name bytes, type, data).
fn tarball(extra: &[(&[u8], tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    // A pax global header, as GitHub archives carry (the commit id).
    let mut pax = tar::Header::new_ustar();
    let comment = b"52 comment=bf5c0d245a92671908518d7e765914d437954ed6\n";
    pax.set_entry_type(tar::EntryType::XGlobalHeader);
    pax.set_size(comment.len() as u64);
    pax.set_path("pax_global_header").unwrap();
    pax.set_cksum();
    b.append(&pax, &comment[..]).unwrap();
    let mut files = 0;
    for dir in std::fs::read_dir(data().join("rustsec-crates")).unwrap() {
        let dir = dir.unwrap();
        for file in std::fs::read_dir(dir.path()).unwrap() {
            let file = file.unwrap();
            let name = format!(
                "advisory-db-main/crates/{}/{}",
                dir.file_name().to_string_lossy(),
                file.file_name().to_string_lossy()
            );
            b.append_path_with_name(file.path(), name).unwrap();
            files += 1;
        }
    }
    assert_eq!(files, 77);
    let mut readme = tar::Header::new_gnu();
    readme.set_size(5);
    readme.set_mode(0o644);
    b.append_data(&mut readme, "advisory-db-main/README.md", &b"hello"[..]).unwrap();
    let mut rust = tar::Header::new_gnu();
    rust.set_size(8);
    rust.set_mode(0o644);
    b.append_data(&mut rust, "advisory-db-main/rust/std/RUSTSEC-2099-0001.md", &b"not used"[..]).unwrap();
    for (name, kind, body) in extra {
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_entry_type(*kind);
        h.set_size(body.len() as u64);
        h.set_mode(0o644);
        if kind.is_symlink() || kind.is_hard_link() {
            h.set_link_name("/etc/passwd").unwrap();
        }
        h.set_cksum();
        b.append(&h, *body).unwrap();
    }
    let tar = b.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

#[test]
fn installs_the_advisories_and_reports_malware() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("data/advisory-db");
    let link = (
        &b"advisory-db-main/crates/evil/RUSTSEC-2099-0001.md"[..],
        tar::EntryType::Symlink,
        &b""[..],
    );
    let summary = install_tarball(&tarball(&[link])[..], &dest, &UnpackLimits::default(), "test://x").unwrap();
    assert_eq!(summary.files, 77);
    assert_eq!(summary.malicious(), 77);
    assert_eq!(summary.db.data_date().unwrap().to_string(), "2026-08-20");
    assert!(dest.join("crates/rustdecimal/RUSTSEC-2022-0042.md").is_file());
    assert!(!dest.join("crates/evil").exists(), "a link was created");
    assert!(!dest.join("rust").exists() && !dest.join("README.md").exists());
    assert!(dest.join(MARKER_FILE).is_file());

    // A second update replaces the first, leaving no temporary folders behind.
    let again = install_tarball(&tarball(&[])[..], &dest, &UnpackLimits::default(), "test://x").unwrap();
    assert_eq!(again.files, 77);
    let leftovers: Vec<_> = std::fs::read_dir(dest.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, vec!["advisory-db"]);
}

#[test]
fn traversal_and_absolute_paths_refuse_the_archive() {
    for name in [&b"advisory-db-main/../../escape.md"[..], &b"/tmp/ferret-absolute.md"[..], &b"advisory-db-main/crates/../../../x"[..]] {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("db");
        let err = install_tarball(
            &tarball(&[(name, tar::EntryType::Regular, b"x")])[..],
            &dest,
            &UnpackLimits::default(),
            "test://x",
        )
        .unwrap_err();
        assert!(matches!(err, UpdateError::Refused(_)), "{err}");
        assert!(err.to_string().contains("leaves the archive"), "{err}");
        assert!(!dest.exists());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0, "staging left behind");
    }
    assert!(!Path::new("/tmp/ferret-absolute.md").exists());
}

#[test]
fn limits_stop_bombs_and_huge_files() {
    let tmp = tempfile::tempdir().unwrap();
    let small = UnpackLimits { max_unpacked_bytes: 64 * 1024, ..UnpackLimits::default() };
    let err = install_tarball(&tarball(&[])[..], &tmp.path().join("a"), &small, "t").unwrap_err();
    assert!(err.to_string().contains("more than 65536 bytes"), "{err}");

    // A gzip bomb: a 200 MB entry of zeros compresses to about 200 KB.
    let mut b = tar::Builder::new(flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best()));
    let mut h = tar::Header::new_gnu();
    h.set_size(200 << 20);
    h.set_mode(0o644);
    b.append_data(&mut h, "advisory-db-main/zeros.bin", std::io::repeat(0).take(200 << 20)).unwrap();
    let bomb = b.into_inner().unwrap().finish().unwrap();
    assert!(bomb.len() < 1 << 20);
    let limits = UnpackLimits { max_unpacked_bytes: 8 << 20, ..UnpackLimits::default() };
    let err = install_tarball(&bomb[..], &tmp.path().join("b"), &limits, "t").unwrap_err();
    assert!(err.to_string().contains("more than 8388608 bytes"), "{err}");

    let big = vec![b'a'; 2 << 20];
    let err = install_tarball(
        &tarball(&[(b"advisory-db-main/crates/big/RUSTSEC-2099-0002.md", tar::EntryType::Regular, &big)])[..],
        &tmp.path().join("c"),
        &UnpackLimits::default(),
        "t",
    )
    .unwrap_err();
    assert!(err.to_string().contains("more than 1048576"), "{err}");

    let few = UnpackLimits { max_entries: 10, ..UnpackLimits::default() };
    let err = install_tarball(&tarball(&[])[..], &tmp.path().join("d"), &few, "t").unwrap_err();
    assert!(err.to_string().contains("more than 10 entries"), "{err}");
}

#[test]
fn not_an_advisory_archive_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = install_tarball(&b"this is not gzip"[..], &tmp.path().join("x"), &UnpackLimits::default(), "t").unwrap_err();
    assert!(matches!(err, UpdateError::Archive(_)), "{err}");

    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(2);
    b.append_data(&mut h, "project/README.md", &b"hi"[..]).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&b.into_inner().unwrap()).unwrap();
    let err = install_tarball(&gz.finish().unwrap()[..], &tmp.path().join("y"), &UnpackLimits::default(), "t").unwrap_err();
    assert!(matches!(err, UpdateError::Empty), "{err}");
}

#[test]
fn an_existing_folder_not_made_by_ferret_is_never_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("precious.txt"), "keep me").unwrap();
    let err = install_tarball(&tarball(&[])[..], tmp.path(), &UnpackLimits::default(), "t").unwrap_err();
    assert!(err.to_string().contains("was not installed by ferret"), "{err}");
    assert_eq!(std::fs::read_to_string(tmp.path().join("precious.txt")).unwrap(), "keep me");
}

#[cfg(feature = "fetch")]
mod fetch {
    use super::*;
    use std::io::{BufRead, BufReader};
    use std::net::TcpListener;

    /// Serves `body` with `status` for `requests` requests on 127.0.0.1; returns the base URL.
    fn serve(status: &'static str, body: Vec<u8>, requests: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let handle = std::thread::spawn(move || {
            let mut paths = Vec::new();
            for _ in 0..requests {
                let (mut stream, _) = listener.accept().unwrap();
                stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                paths.push(line.split_whitespace().nth(1).unwrap_or("").to_owned());
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap() == 0 || h == "\r\n" {
                        break;
                    }
                }
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/gzip\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                stream.write_all(head.as_bytes()).unwrap();
                stream.write_all(&body).unwrap();
            }
            paths
        });
        (url, handle)
    }

    #[test]
    fn fetches_from_a_local_server_and_installs() {
        let (base, server) = serve("200 OK", tarball(&[]), 1);
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("advisory-db");
        let url = format!("{base}/rustsec/advisory-db/archive/refs/heads/main.tar.gz");
        let summary = ferret_advisory::update::fetch_and_install(&url, &dest, &UnpackLimits::default()).unwrap();
        assert_eq!(summary.files, 77);
        assert_eq!(summary.malicious(), 77);
        assert_eq!(server.join().unwrap(), vec!["/rustsec/advisory-db/archive/refs/heads/main.tar.gz"]);
        let marker = std::fs::read_to_string(dest.join(MARKER_FILE)).unwrap();
        assert!(marker.contains(&url));
    }

    #[test]
    fn an_http_error_is_reported_and_nothing_installed() {
        let (base, server) = serve("404 Not Found", b"nope".to_vec(), 1);
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("advisory-db");
        let err = ferret_advisory::update::fetch_and_install(&format!("{base}/x.tar.gz"), &dest, &UnpackLimits::default())
            .unwrap_err();
        assert!(err.to_string().contains("404"), "{err}");
        assert!(!dest.exists());
        server.join().unwrap();
        let err = ferret_advisory::update::fetch_and_install("ftp://example.invalid/x", &dest, &UnpackLimits::default())
            .unwrap_err();
        assert!(err.to_string().contains("unsupported scheme"), "{err}");
    }
}
