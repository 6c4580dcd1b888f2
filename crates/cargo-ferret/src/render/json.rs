//! JSON output: the contract of `DESIGN.md`, serde's own escaping, pretty, trailing newline.

use ferret_core::ScanOutput;
use serde::Serialize;

/// Serialises any report shape (e.g. `audit`'s, which extends the scan report) as pretty JSON
/// with a trailing newline.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let mut s = serde_json::to_string_pretty(value)?;
    s.push('\n');
    Ok(s)
}

/// The JSON of `scan`: `{"reports":[...]}` exactly as `DESIGN.md` specifies.
pub fn scan_json(output: &ScanOutput) -> Result<String, serde_json::Error> {
    to_json(output)
}
