//! `ferret serve`: follow a registry's publishes, scan each new version, keep the results in
//! SQLite, and serve a triage web UI, a JSON API, an Atom feed of alerts and advisory drafts.
//!
//! The service is built from three replaceable parts so that it can be tested without the
//! network: a [`Registry`] (sparse index + downloads), a [`ScanEngine`] (turns a `.crate` file
//! into a [`ferret_core::report::Report`]) and the feed URL it polls. See `docs/serve.md`.
#![forbid(unsafe_code)]

pub mod advisory;
pub mod db;
pub mod engine;
pub mod feed;
pub mod indicators;
pub mod lockwatch;
pub mod poller;
pub mod registry;
mod service;
pub mod web;
pub mod worker;

pub use db::Store;
pub use engine::{CoreEngine, ScanEngine, ScanOutcome, new_findings};
pub use registry::{FetchError, IndexVersion, Registry, SparseRegistry};
pub use service::{Running, ServeConfig, ServeError, start};
