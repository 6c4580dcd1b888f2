//! OBF: hidden strings.
pub mod obf001;
pub mod obf002;
