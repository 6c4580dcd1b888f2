//! CTX: code that runs without being asked, or only in some places.
pub mod ctx001;
pub mod ctx002;

use crate::facts::Cap;

/// Capabilities that make code running unasked dangerous.
pub fn risky(c: &Cap) -> Option<String> {
    Some(match c {
        Cap::Network { api, .. } => format!("uses the network (`{api}`)"),
        Cap::Process { program, .. } => format!("runs `{}`", program.as_deref().unwrap_or("a computed program")),
        Cap::SecretPath { what, .. } => format!("names {what}"),
        Cap::EnvSecret { var } => format!("reads `{var}`"),
        Cap::EnvEnumerate => "enumerates the environment".into(),
        Cap::PersistencePath { what, .. } => format!("names {what}"),
        Cap::FsWalk => "walks the file system".into(),
        Cap::DynLoad { api } => format!("loads code ({api})"),
        _ => return None,
    })
}
