//! PER: surviving a reboot or opening a door.
pub mod per001;
