//! The naming rules shared by domains, environments, waves and layers. Names end up in job
//! names, shell arguments, file paths and STS session names, so they are kept plain.

pub const NAME_RULE: &str =
    "use lowercase letters, digits and `-`, starting with a letter, at most 32 characters";

pub const MAX_NAME_LEN: usize = 32;

/// Why a domain name is refused, or `Ok` when it is fine.
pub fn check_domain_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return Err("it is longer than 32 characters");
    }
    if name.chars().any(|c| c.is_ascii_uppercase()) {
        return Err("it has uppercase letters");
    }
    // Before the space rule: `\r` and `\t` are whitespace too, but "spaces" would hide
    // what was really pasted into the name.
    if name.chars().any(char::is_control) {
        return Err("it has control characters");
    }
    if name.chars().any(char::is_whitespace) {
        return Err("it has spaces");
    }
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err("it must start with a lowercase letter");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err("it has characters other than a-z, 0-9 and -");
    }
    if name.ends_with('-') || name.contains("--") {
        return Err("it has a dangling or doubled `-`");
    }
    Ok(())
}

pub fn is_valid_name(name: &str) -> bool {
    check_domain_name(name).is_ok()
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-4`, ...
pub fn is_valid_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    if parts.len() < 3 || parts.len() > 4 {
        return false;
    }
    let (number, words) = parts.split_last().expect("at least three parts");
    let letters = |s: &&str| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase());
    words[0].len() == 2
        && words.iter().all(letters)
        && !number.is_empty()
        && number.len() <= 2
        && number.chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domain_names() {
        assert!(check_domain_name("catalog").is_ok());
        assert!(check_domain_name("payments-eu2").is_ok());
        assert_eq!(
            check_domain_name("Catalog"),
            Err("it has uppercase letters")
        );
        assert_eq!(
            check_domain_name("1catalog"),
            Err("it must start with a lowercase letter")
        );
        assert_eq!(
            check_domain_name("catAlog"),
            Err("it has uppercase letters")
        );
        assert_eq!(check_domain_name("my domain"), Err("it has spaces"));
        assert_eq!(
            check_domain_name("pay\x1b[31m\r::error::x"),
            Err("it has control characters")
        );
        assert!(check_domain_name("a$b").is_err());
        assert!(check_domain_name(&"a".repeat(33)).is_err());
        assert!(check_domain_name(&"a".repeat(32)).is_ok());
    }

    #[test]
    fn regions() {
        for ok in [
            "us-east-1",
            "eu-central-2",
            "us-gov-west-1",
            "ap-southeast-4",
        ] {
            assert!(is_valid_region(ok), "{ok}");
        }
        for bad in [
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-1a",
            "u-east-1",
            "",
        ] {
            assert!(!is_valid_region(bad), "{bad}");
        }
    }
}
