//! Loading corpora: embedded, CSV, and crates.io database dumps (directory and .tar.gz).

use std::io::Write;
use std::path::Path;

use ferret_names::{Corpus, CorpusSource, Error};

#[test]
fn embedded_corpus() {
    let c = Corpus::embedded();
    assert_eq!(c.len(), 10_000);
    assert_eq!(c.entries()[0].name, "syn");
    assert!(c.entries().windows(2).all(|w| w[0].downloads >= w[1].downloads));
    assert_eq!(c.get("Rust-Decimal").unwrap().name, "rust_decimal");
    assert_eq!(*c.source(), CorpusSource::Embedded);
}

#[test]
fn csv_round_trip_and_errors() {
    let dir = tempfile::tempdir().unwrap();
    let c = Corpus::embedded();
    let path = dir.path().join("c.csv");
    c.write_csv(std::fs::File::create(&path).unwrap()).unwrap();
    let back = Corpus::from_csv(&path).unwrap();
    assert_eq!(back.entries(), c.entries());

    // Only name and downloads are required; extra columns are ignored.
    let p = dir.path().join("min.csv");
    std::fs::write(&p, "downloads,name,extra\n5,b,x\n10,a,y\n").unwrap();
    let m = Corpus::from_csv(&p).unwrap();
    assert_eq!(m.entries().iter().map(|e| e.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);

    std::fs::write(&p, "name,repository\nserde,x\n").unwrap();
    assert!(matches!(Corpus::from_csv(&p), Err(Error::MissingColumn { column, .. }) if column == "downloads"));
    std::fs::write(&p, "name,downloads\nserde,lots\n").unwrap();
    let e = Corpus::from_csv(&p).unwrap_err();
    assert!(matches!(e, Error::Csv { .. }), "{e}");
    assert!(e.to_string().contains("min.csv"));
    let e = Corpus::from_csv(dir.path().join("nope.csv")).unwrap_err();
    assert!(matches!(e, Error::Io { .. }) && e.to_string().contains("nope.csv"));
}

/// A dump in crates.io's layout, columns in its (alphabetical) order plus the big `readme`.
fn write_dump(root: &Path, with_downloads_table: bool) {
    let data = root.join("2025-10-03-020003").join("data");
    std::fs::create_dir_all(&data).unwrap();
    let mut f = std::fs::File::create(data.join("crates.csv")).unwrap();
    writeln!(f, "created_at,description,documentation,homepage,id,max_features,max_upload_size,name,readme,repository,updated_at").unwrap();
    writeln!(f, "2016-09-07 17:10:47.263658+00,\"Parser for Rust\nsource code\",,,1,,,syn,\"# syn\n\nlong, readme\",https://github.com/dtolnay/syn,2025-01-01 00:00:00+00").unwrap();
    writeln!(f, "2014-11-20 00:00:00+00,A serialization framework,,,2,,,serde,,https://github.com/serde-rs/serde,2025-01-01 00:00:00+00").unwrap();
    writeln!(f, "2020-01-01 00:00:00+00,tiny,,,3,,,tiny-crate,,,2025-01-01 00:00:00+00").unwrap();
    drop(f);
    if with_downloads_table {
        std::fs::write(data.join("crate_downloads.csv"), "crate_id,downloads\n1,900\n2,700\n3,5\n").unwrap();
    }
    std::fs::write(data.join("versions.csv"), "id,crate_id,num\n1,1,1.0.0\n").unwrap();
}

#[test]
fn db_dump_directory() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), true);
    // Both the parent and the dated directory work.
    for root in [dir.path().to_owned(), dir.path().join("2025-10-03-020003")] {
        let c = Corpus::from_db_dump(&root, None).unwrap();
        let names: Vec<_> = c.entries().iter().map(|e| (e.name.as_str(), e.downloads)).collect();
        assert_eq!(names, [("syn", 900), ("serde", 700), ("tiny-crate", 5)]);
        let syn = c.get("syn").unwrap();
        assert_eq!(syn.created, "2016-09-07");
        assert_eq!(syn.description, "Parser for Rust source code");
        assert_eq!(syn.repository, "https://github.com/dtolnay/syn");
    }
    let top = Corpus::from_db_dump(dir.path(), Some(2)).unwrap();
    assert_eq!(top.len(), 2);
}

#[test]
fn db_dump_tar_gz() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    write_dump(&src, true);
    let tgz = dir.path().join("db-dump.tar.gz");
    let gz = flate2::write::GzEncoder::new(std::fs::File::create(&tgz).unwrap(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all("2025-10-03-020003", src.join("2025-10-03-020003")).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let c = Corpus::from_db_dump(&tgz, Some(10)).unwrap();
    assert_eq!(c.entries()[0].name, "syn");
    assert_eq!(c.get("serde").unwrap().downloads, 700);
    assert!(matches!(c.source(), CorpusSource::DbDump(_)));
}

#[test]
fn db_dump_errors() {
    let dir = tempfile::tempdir().unwrap();
    write_dump(dir.path(), false);
    let e = Corpus::from_db_dump(dir.path(), None).unwrap_err();
    assert!(e.to_string().contains("crate_downloads.csv"), "{e}");
    let empty = tempfile::tempdir().unwrap();
    let e = Corpus::from_db_dump(empty.path(), None).unwrap_err();
    assert!(e.to_string().contains("data/crates.csv"), "{e}");
    // Not a gzip file.
    let junk = dir.path().join("junk.tar.gz");
    std::fs::write(&junk, b"not a tarball").unwrap();
    assert!(Corpus::from_db_dump(&junk, None).is_err());
    // A bad downloads value names the file and line.
    let data = dir.path().join("2025-10-03-020003").join("data");
    std::fs::write(data.join("crate_downloads.csv"), "crate_id,downloads\n1,many\n").unwrap();
    let e = Corpus::from_db_dump(dir.path(), None).unwrap_err();
    assert!(e.to_string().contains("crate_downloads.csv") && e.to_string().contains("line 2"), "{e}");
}

#[test]
fn old_dump_with_downloads_in_crates_csv() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(data.join("crates.csv"), "id,name,downloads,description\n1,a,10,x\n2,b,20,y\n").unwrap();
    let c = Corpus::from_db_dump(dir.path(), None).unwrap();
    assert_eq!(c.entries()[0].name, "b");
}
