//! EXE: running code.
pub mod exe001;
pub mod exe002;
pub mod exe003;
pub mod exe004;
