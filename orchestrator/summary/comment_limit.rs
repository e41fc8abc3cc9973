//! GitHub's limit on a PR comment's body, and `--max-chars`, which may only lower it.

use super::render::{comment_length, fit, Fitted, FullVersion, Limit, TooLong};
use super::Summary;

/// GitHub refuses a longer comment body with 422 "body is too long (maximum is 65536
/// characters)" (see `comment_length` for how it counts).
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// `--max-chars`: 1 to [`GITHUB_COMMENT_LIMIT`]. Above it the comment would be refused by
/// GitHub after the plans were read and summarised, so it is bad input (exit 2) up front.
pub fn max_chars_flag(text: &str) -> Result<usize, String> {
    let n: usize = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of characters, e.g. 60000"))?;
    if n == 0 {
        return Err("a comment needs at least 1 character".into());
    }
    if n > GITHUB_COMMENT_LIMIT {
        return Err(format!(
            "{n} is above GitHub's limit for a PR comment ({GITHUB_COMMENT_LIMIT} characters; \
             a longer one is refused with 422 \"body is too long\"); use at most \
             {GITHUB_COMMENT_LIMIT}, or leave --max-chars out"
        ));
    }
    Ok(n)
}

/// What to do when even the barest summary is over `max` characters.
pub fn too_long_remedy(max: usize) -> &'static str {
    if max < GITHUB_COMMENT_LIMIT {
        "raise --max-chars (at most 65536, GitHub's limit)"
    } else {
        "summarise fewer plans per comment (select fewer accounts); --full FILE and the job \
         summary keep every detail"
    }
}

/// The PR comment: the most detailed rendering of `summary` within `max` characters as
/// GitHub counts them, naming where `full` keeps every detail.
pub fn fit_comment(summary: &Summary, max: usize, full: &FullVersion) -> Result<Fitted, TooLong> {
    let limit = Limit {
        max,
        measure: comment_length,
        unit: "characters",
        of: "a PR comment",
        remedy: too_long_remedy(max),
    };
    fit(summary, limit, full)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_comment_fits_its_limit_or_says_what_to_raise() {
        let summary = Summary::default();
        let fitted = fit_comment(&summary, GITHUB_COMMENT_LIMIT, &FullVersion::default()).unwrap();
        assert!(comment_length(&fitted.text) <= GITHUB_COMMENT_LIMIT);
        let error = fit_comment(&summary, 10, &FullVersion::default()).unwrap_err();
        assert_eq!(
            (error.max, error.unit, error.of),
            (10, "characters", "a PR comment")
        );
        assert!(error.to_string().contains("raise --max-chars"), "{error}");
    }

    #[test]
    fn max_chars_goes_up_to_githubs_limit_and_no_further() {
        assert_eq!(max_chars_flag("65536"), Ok(GITHUB_COMMENT_LIMIT));
        assert_eq!(max_chars_flag("1"), Ok(1));
        let above = max_chars_flag("65537").unwrap_err();
        assert!(above.contains("above GitHub's limit"), "{above}");
        assert!(above.contains("at most 65536"), "{above}");
        assert!(max_chars_flag("0").is_err());
        assert!(max_chars_flag("lots").is_err());
    }
}
