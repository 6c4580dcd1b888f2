//! Test support for ferret.
//!
//! * [`FakeRegistry`]: a fake crates.io served on `127.0.0.1` (random port) by a small
//!   std-only HTTP/1.1 server: a sparse index (`/index/...`, with `config.json`), crate
//!   downloads at `/api/v1/crates/{name}/{version}/download`, the RSS feed of recent
//!   publishes at `/rss/updates.xml` in crates.io's format, fault injection and a request log.
//! * [`CrateBuilder`] and [`crate_bytes_from_dir`]: build `.crate` files (gzip'd tar with a
//!   `name-version/` top directory) in memory.
//!
//! Everything here is for tests: helpers panic with a clear message on misuse instead of
//! returning errors.
#![forbid(unsafe_code)]

mod crate_file;
mod http;
mod registry;

pub use crate_file::{CrateBuilder, crate_bytes_from_dir};
pub use registry::{Dep, DepKind, FakeRegistry, Fault, Publish, RequestRecord, index_path, sha256_hex};
