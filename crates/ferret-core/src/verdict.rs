//! Correlation of findings into a verdict and a 0-100 score.

use crate::report::{Finding, Severity, Verdict};
use crate::rules::{self, Family};

fn family_of(code: &str) -> Option<Family> {
    rules::find(code).map(|i| i.family)
}

/// Add the correlation finding (COR001) when a borrowed identity meets a capability.
pub fn correlate(findings: &mut Vec<Finding>) {
    let identity = findings.iter().find(|f| f.severity >= Severity::Medium && family_of(&f.code) == Some(Family::Identity)).cloned();
    let capability = findings
        .iter()
        .filter(|f| f.severity >= Severity::Low && family_of(&f.code).is_some_and(|fam| fam.is_capability()))
        .max_by_key(|f| f.severity)
        .cloned();
    if let (Some(id), Some(cap)) = (identity, capability) {
        let info = &rules::COR001;
        findings.push(Finding {
            code: info.code.into(),
            rule: info.name.into(),
            severity: Severity::Critical,
            file: cap.file.clone(),
            line: cap.line,
            message: format!("{} ({}) and {} ({})", id.message, id.code, cap.message, cap.code),
            snippet: cap.snippet.clone(),
        });
    }
}

/// The verdict, score and deciding rule codes for a crate's findings.
pub fn decide(findings: &[Finding]) -> (Verdict, u8, Vec<String>) {
    let codes_at = |sev: Severity| {
        let mut c: Vec<String> = findings.iter().filter(|f| f.severity == sev).map(|f| f.code.clone()).collect();
        c.sort();
        c.dedup();
        c
    };
    let critical = codes_at(Severity::Critical);
    let high = codes_at(Severity::High);
    let medium = codes_at(Severity::Medium);
    let (verdict, decided_by) = if !critical.is_empty() {
        (Verdict::Malicious, critical)
    } else if !high.is_empty() {
        (Verdict::Suspicious, high)
    } else if medium.len() >= 2 {
        (Verdict::Suspicious, medium)
    } else {
        (Verdict::Clean, Vec::new())
    };
    let weight = |s: Severity| match s {
        Severity::Critical => 85u32,
        Severity::High => 55,
        Severity::Medium => 25,
        Severity::Low => 8,
        Severity::Info => 1,
    };
    let top = findings.iter().map(|f| weight(f.severity)).max().unwrap_or(0);
    let mut distinct: Vec<&str> = findings.iter().filter(|f| f.severity >= Severity::Low).map(|f| f.code.as_str()).collect();
    distinct.sort();
    distinct.dedup();
    let extra = 3 * distinct.len().saturating_sub(1) as u32;
    let raw = top + extra;
    let score = match verdict {
        Verdict::Malicious => raw.clamp(80, 100),
        Verdict::Suspicious => raw.clamp(30, 79),
        Verdict::Clean => raw.min(29),
    };
    (verdict, score as u8, decided_by)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(code: &str, sev: Severity) -> Finding {
        Finding { code: code.into(), rule: String::new(), severity: sev, file: String::new(), line: 0, message: code.into(), snippet: String::new() }
    }

    #[test]
    fn verdict_thresholds() {
        assert_eq!(decide(&[]).0, Verdict::Clean);
        assert_eq!(decide(&[f("SRC001", Severity::Low)]).0, Verdict::Clean);
        assert_eq!(decide(&[f("OBF002", Severity::Medium)]).0, Verdict::Clean);
        assert_eq!(decide(&[f("OBF002", Severity::Medium), f("SRC002", Severity::Medium)]).0, Verdict::Suspicious);
        assert_eq!(decide(&[f("BLD002", Severity::High)]).0, Verdict::Suspicious);
        let (v, s, by) = decide(&[f("EXF001", Severity::Critical), f("BLD002", Severity::High)]);
        assert_eq!((v, by), (Verdict::Malicious, vec!["EXF001".to_string()]));
        assert!(s >= 80);
    }

    #[test]
    fn identity_plus_capability_is_malicious() {
        let mut fs = vec![f("NAM001", Severity::High), f("SRC001", Severity::Low)];
        correlate(&mut fs);
        assert_eq!(decide(&fs).0, Verdict::Malicious);
        let mut alone = vec![f("NAM001", Severity::High)];
        correlate(&mut alone);
        assert_eq!(decide(&alone).0, Verdict::Suspicious);
    }
}
