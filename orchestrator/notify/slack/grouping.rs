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
    mask_long_numbers(&text)
}

/// Request ids, timestamps and other account ids differ between accounts for the same error.
fn mask_long_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() >= 6 {
            out.push('#');
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_numbers_are_masked_short_ones_kept() {
        assert_eq!(
            mask_long_numbers("line 20: id 123456789012 failed"),
            "line 20: id # failed"
        );
    }
}
