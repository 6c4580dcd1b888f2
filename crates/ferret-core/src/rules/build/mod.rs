//! BLD: code that runs at build time (build scripts and proc-macros).
pub mod bld001;
pub mod bld002;
pub mod bld003;
pub mod bld004;

use crate::crate_facts::CrateFacts;
use crate::facts::{Cap, NetKind};

/// Build-time code verifies what it downloads (a pinned checksum or signature).
pub fn verifies_download(f: &CrateFacts) -> bool {
    f.text_mentions(|c| c.runs_at_build(), &["sha256", "Sha256", "sha2::", "sha512", "Sha512", "checksum", "blake3", "minisign", "verify_signature"])
}

/// A capability that fetches something from the network.
pub fn is_download(c: &Cap) -> bool {
    matches!(c, Cap::Network { kind: NetKind::Http | NetKind::Tcp | NetKind::WebSocket, .. } | Cap::Process { downloader: true, .. })
        || matches!(c, Cap::ShellPayload { what, .. } if what.contains("download"))
}
