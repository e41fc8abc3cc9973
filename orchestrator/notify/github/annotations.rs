//! Workflow commands for failed accounts: `::error title=<account> / <layer>::<error lines>`,
//! shown on the run page and the commit. Values are escaped as the runner expects, or a
//! `:` or newline in terraform's message would cut it short.

use crate::notify::{Digest, Failure, Scope};
use crate::report::RunReport;

/// Message text: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values (`title=...`): also `:` and `,`, which end a property.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a: b, 5%\n"), "a%3A b%2C 5%25%0A");
    }
}
