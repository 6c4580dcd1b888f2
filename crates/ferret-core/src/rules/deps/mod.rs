//! DEP: what a crate depends on.
pub mod dep001;
pub mod dep002;
