//! Normal forms: crate names, repository URLs and descriptions.

/// Folds a crate name the way crates.io compares names: ASCII lowercase, `_` read as `-`.
/// Two names with the same folded form are the same crate.
pub fn fold_name(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| if c == '_' { '-' } else { c.to_ascii_lowercase() })
        .collect()
}

/// Normalises a repository URL so that spellings of one repository compare equal: drops the
/// scheme (`https://`, `git+https://`, `ssh://git@`, `git@host:`), `www.`, user info, a query or
/// fragment, trailing `/` and `.git`, and lowercases. On GitHub, GitLab, Codeberg, Bitbucket
/// and sourcehut the path is cut to `owner/repo` (so `/tree/main/sub` points at the same
/// repository). Returns `None` for an empty or host-less value.
pub fn normalize_repo_url(url: &str) -> Option<String> {
    let mut s = url.trim().to_ascii_lowercase();
    if s.is_empty() {
        return None;
    }
    if let Some(i) = s.find(['?', '#']) {
        s.truncate(i);
    }
    let mut rest: &str = &s;
    for prefix in ["git+", "git://", "ssh://", "https://", "http://"] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
        }
    }
    // user@host
    if let Some(at) = rest.find('@') {
        if !rest[..at].contains('/') {
            rest = &rest[at + 1..];
        }
    }
    let rest = rest.strip_prefix("www.").unwrap_or(rest);
    // scp-like `github.com:owner/repo`
    let owned;
    let rest = match rest.split_once(':') {
        Some((host, path)) if !host.contains('/') && !path.starts_with(|c: char| c.is_ascii_digit()) => {
            owned = format!("{host}/{path}");
            owned.as_str()
        }
        _ => rest,
    };
    let mut parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    if parts.is_empty() || !parts[0].contains('.') {
        return None;
    }
    let host = parts[0];
    let forge = matches!(host, "github.com" | "gitlab.com" | "codeberg.org" | "bitbucket.org" | "git.sr.ht");
    if forge {
        parts.truncate(3);
    }
    let mut out = parts.join("/");
    while let Some(stripped) = out.strip_suffix(".git").or_else(|| out.strip_suffix('/')) {
        out = stripped.to_owned();
    }
    Some(out)
}

/// The `owner` part of a normalised forge URL (`github.com/dtolnay/syn` -> `github.com/dtolnay`).
pub fn repo_owner(normalized: &str) -> Option<&str> {
    let mut it = normalized.match_indices('/');
    let (first, _) = it.next()?;
    let (second, _) = it.next()?;
    let host = &normalized[..first];
    matches!(host, "github.com" | "gitlab.com" | "codeberg.org" | "bitbucket.org" | "git.sr.ht")
        .then(|| &normalized[..second])
}

/// Normalises free text for comparison: lowercase words of letters and digits, joined by one
/// space (punctuation, markup and whitespace differences vanish).
pub fn normalize_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_names() {
        assert_eq!(fold_name("Rust_Decimal"), "rust-decimal");
        assert_eq!(fold_name("serde"), "serde");
    }

    #[test]
    fn normalizes_urls() {
        let want = Some("github.com/rbatis/fast_log".to_owned());
        for u in [
            "https://github.com/rbatis/fast_log",
            "https://github.com/rbatis/fast_log/",
            "https://github.com/rbatis/fast_log.git",
            "http://www.github.com/rbatis/fast_log",
            "git+https://github.com/rbatis/fast_log.git",
            "git@github.com:rbatis/fast_log.git",
            "ssh://git@github.com/rbatis/fast_log",
            "https://GitHub.com/RBatis/fast_log/tree/master/src",
            "https://github.com/rbatis/fast_log#readme",
        ] {
            assert_eq!(normalize_repo_url(u), want, "{u}");
        }
        assert_eq!(normalize_repo_url(""), None);
        assert_eq!(normalize_repo_url("none"), None);
        assert_eq!(
            normalize_repo_url("https://example.org:8080/x/y/z/"),
            Some("example.org:8080/x/y/z".to_owned())
        );
        assert_eq!(repo_owner("github.com/dtolnay/syn"), Some("github.com/dtolnay"));
        assert_eq!(repo_owner("example.org/a/b"), None);
    }

    #[test]
    fn normalizes_text() {
        assert_eq!(normalize_text("  A *fast*,  Log!\n"), "a fast log");
    }
}
