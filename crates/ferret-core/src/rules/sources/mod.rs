//! SRC: reading what is not the crate's to read.
pub mod src001;
pub mod src002;
pub mod src003;
