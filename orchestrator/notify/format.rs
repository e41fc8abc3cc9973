//! Small text helpers shared by the Slack message and the job summary.

use crate::report::{ChangeCounts, Status};

/// `850ms`, `12s`, `4m 12s`, `1h 02m`.
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    match secs {
        0 => format!("{ms}ms"),
        1..=59 => format!("{secs}s"),
        60..=3599 => format!("{}m {}s", secs / 60, secs % 60),
        _ => format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60),
    }
}

/// `1 account`, `3 accounts`.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    if n == 1 {
        format!("{n} {singular}")
    } else {
        format!("{n} {plural}")
    }
}

/// `a, b and c`.
pub fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// A status as people say it.
pub fn status_word(status: Status) -> &'static str {
    status.word()
}

/// `2 to add, 1 to change, 0 to destroy`, terraform's own words.
pub fn changes_text(c: &ChangeCounts) -> String {
    c.to_string()
}

/// `2 accounts (catalog-dev, payments-prod) drifted (their plans have changes)`.
pub fn drifted(report: &crate::report::RunReport) -> String {
    let drifted: Vec<&str> = report
        .jobs
        .iter()
        .filter(|j| j.status == Status::Changes)
        .map(|j| j.account.as_str())
        .collect();
    let shown: Vec<&str> = drifted.iter().copied().take(10).collect();
    let more = drifted.len() - shown.len();
    format!(
        "{} ({}{}) drifted ({})",
        count(drifted.len(), "account", "accounts"),
        shown.join(", "),
        if more > 0 {
            format!(", and {more} more")
        } else {
            String::new()
        },
        if drifted.len() == 1 {
            "its plan has changes"
        } else {
            "their plans have changes"
        }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(850), "850ms");
        assert_eq!(duration(12_400), "12s");
        assert_eq!(duration(252_000), "4m 12s");
        assert_eq!(duration(3_720_000), "1h 02m");
    }

    #[test]
    fn lists_join_with_and() {
        let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(and_list(&v(&["a"])), "a");
        assert_eq!(and_list(&v(&["a", "b", "c"])), "a, b and c");
    }
}
