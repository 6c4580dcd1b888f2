//! The registry client against the fake crates.io of ferret-testkit (no network).

use std::path::Path;
use std::time::Duration;

use ferret_registry::{
    CargoConfig, DownloadCache, Limits, Registry, RegistryError, RegistrySource, RetryPolicy, sha256_hex,
};
use ferret_testkit::{CrateBuilder, FakeRegistry, Fault, Publish};

fn fast_retry(max_retries: u32) -> RetryPolicy {
    RetryPolicy { max_retries, initial_backoff: Duration::from_millis(1), max_backoff: Duration::from_millis(5) }
}

fn client(reg: &FakeRegistry, cache: &Path) -> Registry {
    Registry::builder(RegistrySource::sparse(&reg.index_url()).unwrap())
        .cache(DownloadCache::new(cache))
        .retry(fast_retry(3))
        .build()
        .unwrap()
}

fn crate_bytes(name: &str, version: &str) -> Vec<u8> {
    CrateBuilder::new(name, version).minimal_manifest().file("src/lib.rs", format!("// {name} {version}\n")).build()
}

#[test]
fn resolves_and_downloads_verified_crate() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    let newest = crate_bytes("foo", "1.1.0");
    let cksum = reg.publish_with(Publish::new("foo", "1.1.0", newest.clone()).dep("bar", "^0.3"));
    reg.publish_with(Publish::new("foo", "1.2.0", crate_bytes("foo", "1.2.0")).yanked(true));
    let cache = tempfile::tempdir().unwrap();
    let registry = client(&reg, cache.path());

    let entry = registry.resolve("foo", None).unwrap();
    assert_eq!(entry.vers.to_string(), "1.1.0");
    assert_eq!(entry.cksum, cksum);
    assert_eq!(entry.deps[0].name, "bar");
    assert!(entry.pubtime.as_deref().is_some_and(|t| t.ends_with('Z')));
    assert_eq!(registry.resolve("foo", Some("1.2.0")).unwrap().vers.to_string(), "1.2.0", "exact yanked version");
    assert_eq!(registry.resolve("FOO", Some("=1.0.0")).unwrap().vers.to_string(), "1.0.0", "case-insensitive");

    let path = registry.download(&entry).unwrap();
    assert!(path.starts_with(cache.path()), "{}", path.display());
    assert_eq!(std::fs::read(&path).unwrap(), newest);
    assert_eq!(path.file_name().unwrap(), "foo-1.1.0.crate");
    let config = registry.config().unwrap();
    assert_eq!(config.dl, format!("{}/api/v1/crates", reg.base_url()));
}

#[test]
fn checksum_mismatch_is_an_error_and_nothing_is_cached() {
    let reg = FakeRegistry::start();
    let bytes = crate_bytes("evil", "0.1.0");
    let wrong = "0".repeat(64);
    reg.publish_with(Publish::new("evil", "0.1.0", bytes.clone()).cksum(&wrong));
    let cache = tempfile::tempdir().unwrap();
    let registry = client(&reg, cache.path());
    let entry = registry.resolve("evil", None).unwrap();
    let err = registry.download(&entry).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, RegistryError::ChecksumMismatch { .. }), "{msg}");
    assert!(msg.contains("evil") && msg.contains("0.1.0") && msg.contains(&wrong) && msg.contains(&sha256_hex(&bytes)), "{msg}");
    let leftovers: Vec<_> = walk(cache.path());
    assert!(leftovers.is_empty(), "nothing may be cached: {leftovers:?}");
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn missing_crate_is_not_found() {
    let reg = FakeRegistry::start();
    let cache = tempfile::tempdir().unwrap();
    let err = client(&reg, cache.path()).entries("nope").unwrap_err();
    assert!(matches!(&err, RegistryError::NotFound { name } if name == "nope"), "{err}");
    assert_eq!(err.to_string(), "crate nope not found in the registry index");
}

#[test]
fn invalid_names_never_reach_the_network() {
    let reg = FakeRegistry::start();
    let cache = tempfile::tempdir().unwrap();
    let registry = client(&reg, cache.path());
    for bad in ["../../etc/passwd", "a/b", "", "ünï"] {
        assert!(matches!(registry.entries(bad), Err(RegistryError::InvalidName { .. })), "{bad}");
    }
    assert!(matches!(registry.download_checksum("x", "../1", &"a".repeat(64)), Err(RegistryError::InvalidVersion { .. })));
    assert!(matches!(registry.download_checksum("x", "1.0.0", "abc"), Err(RegistryError::InvalidChecksum { .. })));
    assert!(reg.requests().is_empty());
}

#[test]
fn garbage_index_body_is_an_error_naming_the_url() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    reg.set_fault(&FakeRegistry::index_file_path("foo"), Fault::Garbage(b"<html>\x00\xff oops</html>".to_vec()));
    let cache = tempfile::tempdir().unwrap();
    let err = client(&reg, cache.path()).entries("foo").unwrap_err();
    assert!(matches!(err, RegistryError::InvalidIndex { .. }), "{err}");
    assert!(err.to_string().contains(&format!("{}3/f/foo", reg.index_url())), "{err}");
}

#[test]
fn garbage_lines_are_skipped_and_counted() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    reg.push_raw_index_line("foo", "{\"name\":\"foo\",\"vers\":\"not-semver\"}");
    reg.push_raw_index_line("foo", "\u{0}garbage");
    reg.publish("foo", "1.0.1", crate_bytes("foo", "1.0.1"));
    let cache = tempfile::tempdir().unwrap();
    let file = client(&reg, cache.path()).index_file("foo").unwrap();
    assert_eq!(file.entries.len(), 2);
    assert_eq!(file.skipped, 2);
    assert!(file.first_skip_reason.unwrap().starts_with("line 2"));
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    let path = FakeRegistry::index_file_path("foo");
    reg.set_fault_times(&path, Fault::Status(500), 2);
    let cache = tempfile::tempdir().unwrap();
    let registry = client(&reg, cache.path());
    assert_eq!(registry.entries("foo").unwrap().len(), 1);
    assert_eq!(reg.request_count(&path), 3);

    // A dropped connection is retried too.
    let dl = FakeRegistry::download_path("foo", "1.0.0");
    reg.set_fault_times(&dl, Fault::Drop, 1);
    let entry = registry.resolve("foo", None).unwrap();
    registry.download(&entry).unwrap();
    assert_eq!(reg.request_count(&dl), 2);
}

#[test]
fn retries_are_bounded() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    let path = FakeRegistry::index_file_path("foo");
    reg.set_fault(&path, Fault::Status(503));
    let cache = tempfile::tempdir().unwrap();
    let err = client(&reg, cache.path()).entries("foo").unwrap_err();
    assert!(matches!(err, RegistryError::Status { status: 503, .. }), "{err}");
    assert!(err.to_string().contains(&format!("{}3/f/foo", reg.index_url())), "{err}");
    assert_eq!(reg.request_count(&path), 4, "1 attempt + 3 retries");

    // Client errors are not retried.
    reg.set_fault(&path, Fault::Status(403));
    reg.clear_requests();
    let err = client(&reg, cache.path()).entries("foo").unwrap_err();
    assert!(err.to_string().contains("authentication"), "{err}");
    assert_eq!(reg.request_count(&path), 1);

    reg.set_fault(&path, Fault::Drop);
    let err = client(&reg, cache.path()).entries("foo").unwrap_err();
    assert!(matches!(err, RegistryError::Network { attempts: 4, .. }), "{err}");
}

#[test]
fn slow_responses_time_out() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    reg.set_fault("/index/", Fault::Delay(Duration::from_secs(3)));
    let cache = tempfile::tempdir().unwrap();
    let registry = Registry::builder(RegistrySource::sparse(&reg.index_url()).unwrap())
        .cache(DownloadCache::new(cache.path()))
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = registry.entries("foo").unwrap_err();
    assert!(matches!(err, RegistryError::Network { attempts: 1, .. }), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn cache_hits_are_verified_and_corrupt_files_refetched() {
    let reg = FakeRegistry::start();
    let bytes = crate_bytes("foo", "1.0.0");
    reg.publish("foo", "1.0.0", bytes.clone());
    let cache = tempfile::tempdir().unwrap();
    let registry = client(&reg, cache.path());
    let entry = registry.resolve("foo", None).unwrap();
    let dl = FakeRegistry::download_path("foo", "1.0.0");

    let path = registry.download(&entry).unwrap();
    assert_eq!(registry.download(&entry).unwrap(), path);
    assert_eq!(reg.request_count(&dl), 1, "second download is a cache hit");

    std::fs::write(&path, b"tampered").unwrap();
    assert_eq!(registry.download(&entry).unwrap(), path);
    assert_eq!(reg.request_count(&dl), 2, "corrupt cached file is fetched again");
    assert_eq!(std::fs::read(&path).unwrap(), bytes);

    // If the registry now serves other bytes, the corrupt cache is not trusted either.
    std::fs::write(&path, b"tampered again").unwrap();
    reg.set_fault(&dl, Fault::Garbage(b"not the crate".to_vec()));
    let err = registry.download(&entry).unwrap_err();
    assert!(matches!(err, RegistryError::ChecksumMismatch { .. }), "{err}");
    assert!(!path.exists());
}

#[test]
fn lockfile_checksum_downloads() {
    let reg = FakeRegistry::start();
    let bytes = crate_bytes("locked", "2.0.0");
    let cksum = reg.publish("locked", "2.0.0", bytes.clone());
    let cache = tempfile::tempdir().unwrap();
    let registry = client(&reg, cache.path());
    let path = registry.download_checksum("locked", "2.0.0", &cksum.to_uppercase()).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), bytes);
    let other = sha256_hex(b"something else");
    let err = registry.download_checksum("locked", "2.0.0", &other).unwrap_err();
    assert!(matches!(err, RegistryError::ChecksumMismatch { .. }), "{err}");
    assert_eq!(reg.request_count("/index/"), 1, "only config.json, never the crate's index file");

    let err = registry.download_checksum("locked", "9.9.9", &cksum).unwrap_err();
    assert!(matches!(err, RegistryError::Status { status: 404, .. }), "{err}");
    assert!(err.to_string().contains("/api/v1/crates/locked/9.9.9/download"), "{err}");
}

#[test]
fn oversized_responses_are_refused() {
    let reg = FakeRegistry::start();
    reg.publish("big", "1.0.0", vec![7u8; 4096]);
    let cache = tempfile::tempdir().unwrap();
    let limits = Limits { max_crate_bytes: 1024, ..Limits::default() };
    let registry = Registry::builder(RegistrySource::sparse(&reg.index_url()).unwrap())
        .cache(DownloadCache::new(cache.path()))
        .limits(limits)
        .build()
        .unwrap();
    let entry = registry.resolve("big", None).unwrap();
    let err = registry.download(&entry).unwrap_err();
    assert!(matches!(err, RegistryError::TooLarge { limit: 1024, .. }), "{err}");
    assert!(walk(cache.path()).is_empty());
}

#[test]
fn garbage_config_json_is_an_error() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    reg.set_fault("/index/config.json", Fault::Garbage(b"{\"nope\":1}".to_vec()));
    let cache = tempfile::tempdir().unwrap();
    let registry = client(&reg, cache.path());
    let entry = registry.resolve("foo", None).unwrap();
    let err = registry.download(&entry).unwrap_err();
    assert!(matches!(err, RegistryError::InvalidRegistryConfig { .. }), "{err}");
    assert!(err.to_string().contains("config.json"), "{err}");
}

#[test]
fn index_responses_are_revalidated_with_etag() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    let cache = tempfile::tempdir().unwrap();
    let registry = client(&reg, cache.path());
    assert_eq!(registry.entries("foo").unwrap().len(), 1);
    assert_eq!(registry.entries("foo").unwrap().len(), 1);
    let reqs = reg.requests();
    let second = &reqs[1];
    assert!(second.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("if-none-match")), "{second:?}");
    reg.publish("foo", "1.0.1", crate_bytes("foo", "1.0.1"));
    assert_eq!(registry.entries("foo").unwrap().len(), 2, "a changed file is fetched again");
}

#[test]
fn finds_crates_in_cargo_home() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("registry/cache/index.crates.io-1949cf8c6b5b557f");
    std::fs::create_dir_all(&dir).unwrap();
    let bytes = crate_bytes("serde", "1.0.0");
    std::fs::write(dir.join("serde-1.0.0.crate"), &bytes).unwrap();
    let cache = tempfile::tempdir().unwrap();
    let registry = Registry::builder(RegistrySource::crates_io())
        .cache(DownloadCache::new(cache.path()))
        .cargo_home(home.path())
        .build()
        .unwrap();
    assert_eq!(registry.find_in_cargo_home("serde", "1.0.0", &sha256_hex(&bytes)), Some(dir.join("serde-1.0.0.crate")));
    assert_eq!(registry.find_in_cargo_home("serde", "1.0.0", &sha256_hex(b"x")), None);
}

// ---- cargo configuration ----

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn no_config_means_crates_io() {
    let home = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    let source = CargoConfig::load(project.path(), Some(home.path())).unwrap().crates_io_source().unwrap();
    assert_eq!(source.source, RegistrySource::crates_io());
    assert_eq!(source.replaced_by, None);
}

#[test]
fn source_replacement_from_cargo_home_and_nearest_project_config_wins() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    write(
        &home.path().join("config.toml"),
        "[source.crates-io]\nreplace-with = \"corp\"\n[source.corp]\nregistry = \"sparse+https://corp.example/index/\"\n",
    );
    let project = root.path().join("ws/member");
    std::fs::create_dir_all(&project).unwrap();

    let got = CargoConfig::load(&project, Some(home.path())).unwrap().crates_io_source().unwrap();
    assert_eq!(got.source, RegistrySource::Sparse { index_url: "https://corp.example/index/".into() });
    assert_eq!(got.replaced_by.as_deref(), Some("corp"));
    assert_eq!(got.defined_in.as_deref(), Some(home.path().join("config.toml").as_path()));

    // The workspace overrides the home's definition of `corp`.
    write(&root.path().join("ws/.cargo/config.toml"), "[source.corp]\nregistry = \"sparse+https://ws.example/idx\"\n");
    let got = CargoConfig::load(&project, Some(home.path())).unwrap().crates_io_source().unwrap();
    assert_eq!(got.source, RegistrySource::Sparse { index_url: "https://ws.example/idx/".into() });

    // The member's own config is nearer still, and `config` beats `config.toml` in one dir.
    write(&project.join(".cargo/config.toml"), "[source.corp]\nregistry = \"https://ignored.example/\"\n");
    write(
        &project.join(".cargo/config"),
        "[source.crates-io]\nreplace-with = \"near\"\n[registries.near]\nindex = \"sparse+https://near.example/\"\n",
    );
    let got = CargoConfig::load(&project, Some(home.path())).unwrap().crates_io_source().unwrap();
    assert_eq!(got.source, RegistrySource::Sparse { index_url: "https://near.example/".into() });
    assert_eq!(got.replaced_by.as_deref(), Some("near"));
}

#[test]
fn replacement_reaches_the_fake_registry_end_to_end() {
    let reg = FakeRegistry::start();
    reg.publish("foo", "1.0.0", crate_bytes("foo", "1.0.0"));
    let home = tempfile::tempdir().unwrap();
    let project = tempfile::tempdir().unwrap();
    write(
        &project.path().join(".cargo/config.toml"),
        &format!(
            "[source.crates-io]\nreplace-with = \"mirror\"\n[source.mirror]\nregistry = \"sparse+{}\"\n",
            reg.index_url()
        ),
    );
    let configured = CargoConfig::load(project.path(), Some(home.path())).unwrap().crates_io_source().unwrap();
    let cache = tempfile::tempdir().unwrap();
    let registry = Registry::builder(configured.source).cache(DownloadCache::new(cache.path())).build().unwrap();
    let entry = registry.resolve("foo", None).unwrap();
    registry.download(&entry).unwrap();
    assert_eq!(reg.request_count("/api/v1/crates/foo/1.0.0/download"), 1);
}

#[test]
fn local_registry_replacement_reads_files() {
    let home = tempfile::tempdir().unwrap();
    let root = tempfile::tempdir().unwrap();
    write(
        &root.path().join(".cargo/config.toml"),
        "[source.crates-io]\nreplace-with = \"vendored\"\n[source.vendored]\nlocal-registry = \"local-reg\"\n",
    );
    let bytes = crate_bytes("abcd", "0.2.0");
    let line = format!(
        "{{\"name\":\"abcd\",\"vers\":\"0.2.0\",\"deps\":[],\"cksum\":\"{}\",\"features\":{{}},\"yanked\":false}}\n",
        sha256_hex(&bytes)
    );
    write(&root.path().join("local-reg/index/ab/cd/abcd"), &line);
    std::fs::write(root.path().join("local-reg/abcd-0.2.0.crate"), &bytes).unwrap();

    let configured = CargoConfig::load(root.path(), Some(home.path())).unwrap().crates_io_source().unwrap();
    assert_eq!(configured.source, RegistrySource::Local { path: root.path().join("local-reg") });
    let registry = Registry::builder(configured.source).build().unwrap();
    let entry = registry.resolve("abcd", None).unwrap();
    assert_eq!(registry.download(&entry).unwrap(), root.path().join("local-reg/abcd-0.2.0.crate"));
    assert!(matches!(registry.entries("zzzz"), Err(RegistryError::NotFound { .. })));
    std::fs::write(root.path().join("local-reg/abcd-0.2.0.crate"), b"swapped").unwrap();
    assert!(matches!(registry.download(&entry), Err(RegistryError::ChecksumMismatch { .. })));
}

#[test]
fn unusable_configurations_are_clear_errors() {
    let home = tempfile::tempdir().unwrap();
    let case = |text: &str| {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join(".cargo/config.toml"), text);
        CargoConfig::load(dir.path(), Some(home.path())).and_then(|c| c.crates_io_source()).unwrap_err().to_string()
    };
    let err = case("[source.crates-io]\nreplace-with = \"v\"\n[source.v]\ndirectory = \"vendor\"\n");
    assert!(err.contains("\"v\"") && err.contains("directory source"), "{err}");
    let err = case("[source.crates-io]\nreplace-with = \"g\"\n[source.g]\nregistry = \"https://github.com/corp/index\"\n");
    assert!(err.contains("\"g\"") && err.contains("git registry"), "{err}");
    let err = case("[source.crates-io]\nreplace-with = \"g\"\n[source.g]\ngit = \"https://github.com/corp/x\"\n");
    assert!(err.contains("git sources"), "{err}");
    let err = case("[source.crates-io]\nreplace-with = \"two\"\n[source.two]\nregistry = \"sparse+https://a/\"\ndirectory = \"v\"\n");
    assert!(err.contains("more than one kind"), "{err}");
    let err = case("[source.crates-io]\nreplace-with = \"a\"\n[source.a]\nreplace-with = \"crates-io\"\n");
    assert!(err.contains("cycle"), "{err}");
    let err = case("[source.crates-io]\nreplace-with = \"ghost\"\n");
    assert!(err.contains("ghost"), "{err}");
    let err = case("[source.crates-io\nreplace-with = ");
    assert!(err.contains("config.toml"), "{err}");
    let err = case("[source.crates-io]\nreplace-with = 5\n");
    assert!(err.contains("replace-with"), "{err}");
    let err = case("[source.crates-io]\nreplace-with = \"m\"\n[source.m]\nregistry = \"sparse+http://evil.example/\"\n");
    assert!(err.contains("plain http"), "{err}");
}
