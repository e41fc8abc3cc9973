//! GitHub's limit on a PR comment's body, and `--max-chars`, which may only lower it.

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

#[cfg(test)]
mod tests {
    use super::*;

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
