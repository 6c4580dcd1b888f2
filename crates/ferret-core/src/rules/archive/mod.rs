//! ARC / MAN: the archive and the manifest.
pub mod arc001;
pub mod arc002;
pub mod arc003;
pub mod man001;
