//! `cargo ferret rules` and `cargo ferret rule CODE`.

use crate::cli::{Format, RuleArgs, RulesArgs};
use anyhow::{Result, bail};
use std::process::ExitCode;

pub fn list(args: RulesArgs) -> Result<ExitCode> {
    let all = ferret_core::rules::all();
    match args.format {
        Format::Json => {
            let v: Vec<serde_json::Value> = all
                .iter()
                .map(|i| serde_json::json!({"code": i.code, "rule": i.name, "severity": i.severity.as_str(), "summary": i.summary}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&serde_json::json!({ "rules": v }))?);
        }
        _ => {
            for i in all {
                println!("{:<8} {:<32} {:<9} {}", i.code, i.name, i.severity.as_str(), i.summary);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn show(args: RuleArgs) -> Result<ExitCode> {
    let Some(i) = ferret_core::rules::find(&args.code) else {
        bail!("no rule `{}` (run `cargo ferret rules` for the list)", args.code);
    };
    println!("{} {}  (worst severity: {})\n\n{}\n\n{}", i.code, i.name, i.severity.as_str(), i.summary, i.doc);
    Ok(ExitCode::SUCCESS)
}
