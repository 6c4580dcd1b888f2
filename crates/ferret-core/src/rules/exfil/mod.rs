//! EXF / NET: data leaving the machine, and where it goes.
pub mod exf001;
pub mod exf002;
pub mod exf003;
pub mod exf004;
pub mod net001;

use crate::facts::Cap;

/// A capability that reads something secret.
pub fn secret_source(c: &Cap) -> Option<String> {
    Some(match c {
        Cap::SecretPath { what, .. } => what.to_string(),
        Cap::EnvSecret { var } => format!("the secret variable `{var}`"),
        Cap::EnvEnumerate => "the whole environment".into(),
        Cap::KeyPattern { what, .. } => format!("files scanned for {what}"),
        _ => return None,
    })
}

/// A destination that receives stolen data.
pub fn exfil_destination(c: &Cap) -> Option<String> {
    Some(match c {
        Cap::ExfilHost { host, why } => format!("`{host}` ({why})"),
        Cap::ChatEndpoint { what, .. } => what.to_string(),
        _ => return None,
    })
}

/// Sources that are host identity rather than secrets.
pub fn is_identity(source: &str) -> bool {
    source.contains("host identity")
}
