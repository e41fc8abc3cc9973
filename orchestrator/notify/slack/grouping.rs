//! Failures grouped by error: with hundreds of failed accounts, the same error usually
//! repeats, and one block per distinct error (naming its accounts) is what people read.

use crate::notify::Failure;

#[derive(Debug, Clone)]
pub struct ErrorGroup<'d, 'a> {
    pub layer: Option<&'a str>,
    /// The first failure's lines, as terraform printed them.
    pub lines: &'d [String],
    pub failures: Vec<&'d Failure<'a>>,
}

/// Groups by layer and error text with the account's own name, id and region masked, so
/// "role arn:aws:iam::111:... not found" in ten accounts is one group. Biggest group first.
pub fn by_error<'d, 'a>(failures: &'d [Failure<'a>]) -> Vec<ErrorGroup<'d, 'a>> {
    let mut groups: Vec<(String, ErrorGroup<'d, 'a>)> = Vec::new();
    for f in failures {
        let key = format!("{}\n{}", f.layer.unwrap_or(""), normalised(f));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.failures.push(f),
            None => groups.push((
                key,
                ErrorGroup {
                    layer: f.layer,
                    lines: &f.lines,
                    failures: vec![f],
                },
            )),
        }
    }
    let mut groups: Vec<ErrorGroup<'d, 'a>> = groups.into_iter().map(|(_, g)| g).collect();
    // Stable: equal sizes keep report order.
    groups.sort_by_key(|g| std::cmp::Reverse(g.failures.len()));
    groups
}

fn normalised(f: &Failure<'_>) -> String {
    let job = f.job;
    let mut text = f.lines.join("\n");
    for (value, mask) in [
        (&job.account, "<account>"),
        (&job.account_id, "<account-id>"),
        (&job.region, "<region>"),
        (&job.environment, "<env>"),
        (&job.domain, "<domain>"),
    ] {
        if !value.is_empty() {
            text = text.replace(value.as_str(), mask);
        }
    }
    mask_varying_numbers(&text)
}

/// Request ids, timestamps and other account ids differ between accounts for the same error
/// (numbers of 6 digits or more), and so do counts ("retried 9 requests", "10 requests"): a
/// number followed by a plural word. Other short numbers (a line, an error kind) tell errors
/// apart and are kept.
fn mask_varying_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
        out.push_str(&rest[..start]);
        let digits_end = rest[start..]
            .find(|c: char| !c.is_ascii_digit())
            .map_or(rest.len(), |n| start + n);
        let digits = &rest[start..digits_end];
        let glued = out.ends_with(|c: char| c.is_alphanumeric());
        if digits.len() >= 6 || (!glued && counts_something(&rest[digits_end..])) {
            out.push('#');
        } else {
            out.push_str(digits);
        }
        rest = &rest[digits_end..];
    }
    out.push_str(rest);
    out
}

/// Whether the text after a number is a plural word: ` requests`, ` seconds`, ` retries`.
fn counts_something(after: &str) -> bool {
    let Some(word) = after.strip_prefix(' ') else {
        return false;
    };
    let word: String = word
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    word.len() >= 3 && word.ends_with('s') && !word.ends_with("ss")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_are_masked_short_ones_kept() {
        assert_eq!(
            mask_varying_numbers("line 20: id 123456789012 failed"),
            "line 20: id # failed"
        );
        assert_eq!(
            mask_varying_numbers("error kind 3 in d003-stage"),
            "error kind 3 in d003-stage"
        );
    }

    #[test]
    fn counts_of_things_are_masked_so_the_same_error_groups() {
        let nine = mask_varying_numbers("Error: throttled after 9 requests in 30 seconds");
        let ten = mask_varying_numbers("Error: throttled after 10 requests in 45 seconds");
        assert_eq!(nine, ten);
        assert_eq!(nine, "Error: throttled after # requests in # seconds");
        // Not a count: a number glued to a word, or followed by a singular or no word.
        assert_eq!(mask_varying_numbers("ec2 1 class v2s"), "ec2 1 class v2s");
    }
}
