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

/// GitHub shows at most 10 error annotations per step and drops the rest silently.
const MAX_ERROR_ANNOTATIONS: usize = 10;

/// One line per failed account, in report order (each ends with a newline). Above GitHub's
/// limit, the last annotation folds the rest: it names every account it stands for and
/// points to the job summary, so no failure vanishes.
pub fn annotations(report: &RunReport) -> String {
    let digest = Digest::new(report, Scope::All);
    let failures = &digest.failures;
    if failures.len() <= MAX_ERROR_ANNOTATIONS {
        return failures.iter().map(|f| annotation(f) + "\n").collect();
    }
    let shown = MAX_ERROR_ANNOTATIONS - 1;
    let mut out: String = failures[..shown]
        .iter()
        .map(|f| annotation(f) + "\n")
        .collect();
    let rest: Vec<String> = failures[shown..]
        .iter()
        .map(|f| match f.layer {
            Some(layer) => format!("{} ({layer})", f.job.account),
            None => f.job.account.clone(),
        })
        .collect();
    let title = format!("{} more failed accounts", rest.len());
    let message = format!(
        "{}\nGitHub shows at most {MAX_ERROR_ANNOTATIONS} annotations per step: the job summary \
         has every failure with its error lines.",
        rest.join(", ")
    );
    out.push_str(&format!(
        "::error title={}::{}\n",
        escape_property(&title),
        escape_data(&message)
    ));
    out
}
