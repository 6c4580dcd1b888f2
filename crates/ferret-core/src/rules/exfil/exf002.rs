use crate::facts::Cap;
use crate::report::Severity;
use crate::rules::{Family, Hit, Input, RuleInfo, in_context};

pub static INFO: RuleInfo = RuleInfo {
    code: "EXF002",
    name: "chat-bot-endpoint",
    family: Family::Exfiltration,
    severity: Severity::High,
    summary: "code talks to a hard-coded Telegram bot, Discord or Slack webhook",
    doc: "## What it detects\nA Telegram bot API URL (`api.telegram.org/bot<token>/sendMessage`), a Discord webhook (`discord.com/api/webhooks/<id>/<token>`) or a Slack incoming webhook in code dependents run.\n\n## Why\nChat webhooks are free, anonymous drop boxes: the amaperf cluster and microsoftsystem64 posted stolen data to Telegram bots. A library has no reason to carry someone's bot token.\n\n## Example\n```rust\nconst URL: &str = \"https://api.telegram.org/bot6043:AAF.../sendMessage\";\n```\n\n## Known false positives\nBot frameworks (teloxide, serenity) build these URLs from a caller-supplied token: their strings have no embedded token and are reported as low.",
};

pub struct Rule;

impl crate::rules::Rule for Rule {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }
    fn check(&self, i: &Input, out: &mut Vec<Hit>) {
        for f in &i.facts.files {
            if let Some(e) = f.find(|c| matches!(c, Cap::ChatEndpoint { .. })) {
                let Cap::ChatEndpoint { what, text } = &e.cap else { continue };
                let embedded_token = has_token(text);
                let sev = if embedded_token { Severity::High } else { Severity::Low };
                let how = if embedded_token { "with an embedded token" } else { "(no embedded token)" };
                out.push(Hit::new(in_context(sev, f.context), &f.path, e.line, format!("{} calls the {what} {how}", f.context.as_str())));
            }
        }
    }
}

/// A bot token or webhook id/secret pair embedded in the URL.
fn has_token(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    if let Some(rest) = t.split("/bot").nth(1) {
        let tok: String = rest.chars().take_while(|c| *c != '/').collect();
        return tok.contains(':') && tok.split(':').next().is_some_and(|id| id.len() >= 5 && id.chars().all(|c| c.is_ascii_digit()));
    }
    if let Some(rest) = t.split("/webhooks/").nth(1) {
        return rest.split('/').next().is_some_and(|id| id.len() >= 10 && id.chars().all(|c| c.is_ascii_digit()));
    }
    t.contains("hooks.slack.com/services/t")
}
