//! Workflow commands for failed accounts: `::error title=<account> / <layer>::<error lines>`,
//! shown on the run page and the commit. Values are escaped as the runner expects, or a
//! `:` or newline in terraform's message would cut it short.

use crate::notify::{Digest, Failure, Scope};
use crate::report::RunReport;

pub use crate::github_actions::{escape_data, escape_property};

/// The annotation line of one failure.
pub fn annotation(failure: &Failure<'_>) -> String {
    let title = match failure.layer {
        Some(layer) => format!("{} / {layer}", failure.job.account),
        None => failure.job.account.clone(),
    };
    format!(
        "::error title={}::{}",
        escape_property(&title),
        escape_data(&failure.lines.join("\n"))
    )
}

/// One line per failed account, in report order (each ends with a newline).
pub fn annotations(report: &RunReport) -> String {
    Digest::new(report, Scope::All)
        .failures
        .iter()
        .map(|f| annotation(f) + "\n")
        .collect()
}
