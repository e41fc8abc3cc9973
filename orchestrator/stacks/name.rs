//! What a copy may be called. The name ends up in resource names (`<account>-app-<stack>`),
//! state keys and file paths, so it is held to the rules of the strictest AWS names.

use std::fmt;

/// The longest copy name: the sandbox and `layers/dynamic` declare `stack_suffix` with the
/// same bound, so every name built from it stays within AWS's limits.
pub const MAX_STACK_NAME_LEN: usize = 20;

/// `<account>-<stack>` must fit the shortest common AWS name it is built into: an S3
/// bucket's 63 characters.
pub const MAX_RESOURCE_PREFIX_LEN: usize = 63;

/// A valid copy name: 1 to 20 of a-z, 0-9 and `-`, not starting or ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StackName(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid stack name `{name}`: {why}; {}", rule())]
pub struct StackNameError {
    pub name: String,
    pub why: String,
}

fn rule() -> String {
    format!(
        "a stack name is 1 to {MAX_STACK_NAME_LEN} lowercase letters, digits and `-`, not starting or ending with `-` (it becomes part of AWS resource names: slugify the branch, e.g. `pr-123`)"
    )
}

impl StackName {
    pub fn parse(name: &str) -> Result<Self, StackNameError> {
        let refuse = |why: &str| {
            Err(StackNameError {
                name: name.to_string(),
                why: why.to_string(),
            })
        };
        if name.is_empty() {
            return refuse("it is empty (the main stack has no name: leave --stack out)");
        }
        if name.len() > MAX_STACK_NAME_LEN {
            return refuse(&format!(
                "it is {} characters, the limit is {MAX_STACK_NAME_LEN}",
                name.chars().count()
            ));
        }
        if name.chars().any(|c| c.is_ascii_uppercase()) {
            return refuse("it has uppercase letters");
        }
        if let Some(c) = name
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return refuse(&format!("`{c}` is not allowed"));
        }
        if name.starts_with('-') || name.ends_with('-') {
            return refuse("it starts or ends with `-`");
        }
        Ok(Self(name.to_string()))
    }

    /// Refused when `<account>-<stack>` would be longer than the strictest AWS name limit.
    pub fn check_with_account(&self, account: &str) -> Result<(), StackNameError> {
        let len = account.len() + 1 + self.0.len();
        if len > MAX_RESOURCE_PREFIX_LEN {
            return Err(StackNameError {
                name: self.0.clone(),
                why: format!(
                    "`{account}-{}` is {len} characters, over the {MAX_RESOURCE_PREFIX_LEN} an S3 bucket name allows; use a shorter name",
                    self.0
                ),
            });
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StackName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_names_pass() {
        for ok in ["pr-123", "feat-login", "a", "x1", "abcdefghij0123456789"] {
            assert_eq!(StackName::parse(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn every_refusal_says_why_and_names_the_limit() {
        for (bad, why) in [
            ("", "empty"),
            ("Feat", "uppercase"),
            ("feat_1", "`_` is not allowed"),
            ("feat.1", "`.` is not allowed"),
            ("-feat", "starts or ends"),
            ("feat-", "starts or ends"),
            ("abcdefghij0123456789x", "21 characters, the limit is 20"),
        ] {
            let e = StackName::parse(bad).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(e.contains("1 to 20"), "{bad}: {e}");
        }
    }

    #[test]
    fn with_a_long_account_name_the_combined_name_is_checked() {
        let name = StackName::parse("abcdefghij0123456789").unwrap();
        assert!(name.check_with_account("catalog-dev").is_ok());
        let long = "a".repeat(43);
        let e = name.check_with_account(&long).unwrap_err().to_string();
        assert!(e.contains("64 characters, over the 63"), "{e}");
    }
}
