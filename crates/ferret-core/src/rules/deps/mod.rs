//! DEP: what a crate depends on.
pub mod adv001;
pub mod dep001;
pub mod dep002;
