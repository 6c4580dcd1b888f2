//! TLS: transport security.
pub mod tls001;
