//! The one home of every duration's bounds: domains.yaml fields and command-line flags are
//! checked against the same table, so a zero, an overflowing or an absurd value is refused
//! before anything runs and no deadline arithmetic can overflow at run time.

use std::time::Duration;

/// What a duration may be, and how to explain it.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// The name the user wrote (`timeout`, `--timeout`).
    pub what: &'static str,
    pub min: Duration,
    pub max: Duration,
    /// A value to suggest.
    pub usual: &'static str,
    /// Why the bounds are what they are, said after the range.
    pub why: &'static str,
}

const fn secs(s: u64) -> Duration {
    Duration::from_secs(s)
}

const fn millis(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

const HOUR: u64 = 3600;

pub const JOB_TIMEOUT: Bounds = Bounds {
    what: "timeout",
    min: secs(1),
    max: secs(7 * 24 * HOUR),
    usual: "30m",
    why: "it is the time limit of one account's job",
};

pub const LOCK_TIMEOUT: Bounds = Bounds {
    what: "lock_timeout",
    min: secs(1),
    max: secs(24 * HOUR),
    usual: "2m",
    why: "it is how long terraform waits for a held state lock; omit it to fail at once on a held lock",
};

pub const GRACE_PERIOD: Bounds = Bounds {
    what: "grace_period",
    min: secs(1),
    max: secs(HOUR),
    usual: "30s",
    why: "it is how long a stopped terraform may take to save its state before it is killed",
};

/// STS's own range for `DurationSeconds`.
pub const SESSION_DURATION: Bounds = Bounds {
    what: "session_duration",
    min: secs(900),
    max: secs(12 * HOUR),
    usual: "1h",
    why: "STS grants sessions of 15m to 12h",
};

pub const HEALTH_CHECK_TIMEOUT: Bounds = Bounds {
    what: "health_check.timeout",
    min: secs(1),
    max: secs(HOUR),
    usual: "60s",
    why: "it is how long one health check may take",
};

pub const FLAG_TIMEOUT: Bounds = Bounds {
    what: "--timeout",
    ..JOB_TIMEOUT
};

pub const FLAG_GRACE_PERIOD: Bounds = Bounds {
    what: "--grace-period",
    ..GRACE_PERIOD
};

/// `run`/`deploy --retry-delay`: the backoff doubles it up to 2m, so more means nothing.
pub const RETRY_DELAY_FLAG: Bounds = Bounds {
    what: "--retry-delay",
    min: millis(1),
    max: secs(120),
    usual: "5s",
    why: "it is the wait before a layer's first retry; later ones double it up to 2m",
};

/// `notify slack --timeout`.
pub const SLACK_TIMEOUT_FLAG: Bounds = Bounds {
    what: "--timeout",
    min: millis(100),
    max: secs(300),
    usual: "10s",
    why: "it is the time limit of one request to Slack",
};

/// `notify slack --retry-delay`: doubled up to 1m (Slack's longest Retry-After honoured).
pub const SLACK_RETRY_DELAY_FLAG: Bounds = Bounds {
    what: "--retry-delay",
    min: millis(1),
    max: secs(60),
    usual: "1s",
    why: "it is the first wait before Slack is asked again; later ones double it up to 1m",
};

/// Why a written duration is refused: the problem, then what to do.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub problem: String,
    pub fix: String,
}

/// Parses `90s`, `30m`, `1h 30m` or a bare number of seconds, then checks the bounds.
pub fn parse(bounds: &Bounds, text: &str) -> Result<Duration, Refused> {
    let what = bounds.what;
    let parsed = match text.trim().parse::<u64>() {
        Ok(s) => Ok(Duration::from_secs(s)),
        Err(_) => humantime::parse_duration(text),
    };
    let d = match parsed {
        Ok(d) => d,
        Err(humantime::DurationError::NumberOverflow) => {
            return Err(out_of_range(
                bounds,
                format!("{what} `{text}` is too large"),
            ));
        }
        Err(_) => {
            return Err(Refused {
                problem: format!("{what} `{text}` is not a duration"),
                fix: format!(
                    "write it like `90s`, `30m` or `1h 30m` ({what}: {})",
                    bounds.usual
                ),
            })
        }
    };
    check(bounds, d, text)?;
    Ok(d)
}

fn check(bounds: &Bounds, d: Duration, text: &str) -> Result<(), Refused> {
    let what = bounds.what;
    if d.is_zero() {
        return Err(out_of_range(bounds, format!("{what} `{text}` is zero")));
    }
    if d < bounds.min {
        return Err(out_of_range(
            bounds,
            format!("{what} `{text}` is too short"),
        ));
    }
    if d > bounds.max {
        return Err(out_of_range(
            bounds,
            format!("{what} `{text}` is too large"),
        ));
    }
    Ok(())
}

fn out_of_range(bounds: &Bounds, problem: String) -> Refused {
    Refused {
        problem,
        fix: format!(
            "give a value from {} to {} ({}); {} is usual",
            humantime::format_duration(bounds.min),
            humantime::format_duration(bounds.max),
            bounds.why,
            bounds.usual
        ),
    }
}

/// The clap value parser of `--timeout`: the same bounds as `defaults.timeout`.
pub fn timeout_flag(text: &str) -> Result<Duration, String> {
    flag(&FLAG_TIMEOUT, text)
}

/// The clap value parser of `--grace-period`: the same bounds as `defaults.grace_period`.
pub fn grace_period_flag(text: &str) -> Result<Duration, String> {
    flag(&FLAG_GRACE_PERIOD, text)
}

/// The clap value parser of `run`/`deploy --retry-delay`.
pub fn retry_delay_flag(text: &str) -> Result<Duration, String> {
    flag(&RETRY_DELAY_FLAG, text)
}

/// The clap value parser of `notify slack --timeout`.
pub fn slack_timeout_flag(text: &str) -> Result<Duration, String> {
    flag(&SLACK_TIMEOUT_FLAG, text)
}

/// The clap value parser of `notify slack --retry-delay`.
pub fn slack_retry_delay_flag(text: &str) -> Result<Duration, String> {
    flag(&SLACK_RETRY_DELAY_FLAG, text)
}

fn flag(bounds: &Bounds, text: &str) -> Result<Duration, String> {
    parse(bounds, text).map_err(|r| format!("{}; {}", r.problem, r.fix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_values_pass_and_bare_numbers_are_seconds() {
        assert_eq!(parse(&JOB_TIMEOUT, "30m"), Ok(secs(1800)));
        assert_eq!(parse(&JOB_TIMEOUT, "90"), Ok(secs(90)));
        assert_eq!(parse(&SESSION_DURATION, "12h"), Ok(secs(43_200)));
        assert_eq!(parse(&GRACE_PERIOD, "1s"), Ok(secs(1)));
    }

    #[test]
    fn zero_overflow_and_out_of_range_are_refused_with_the_range() {
        for (bounds, text, problem) in [
            (&JOB_TIMEOUT, "0", "timeout `0` is zero"),
            (&JOB_TIMEOUT, "0s", "timeout `0s` is zero"),
            (
                &JOB_TIMEOUT,
                "999999999999h",
                "timeout `999999999999h` is too large",
            ),
            (
                &JOB_TIMEOUT,
                "99999999999999999999999",
                "timeout `99999999999999999999999` is too large",
            ),
            (
                &JOB_TIMEOUT,
                "18446744073709551615",
                "timeout `18446744073709551615` is too large",
            ),
            (&JOB_TIMEOUT, "8d", "timeout `8d` is too large"),
            (&GRACE_PERIOD, "2h", "grace_period `2h` is too large"),
            (&RETRY_DELAY_FLAG, "0ms", "--retry-delay `0ms` is zero"),
            (&RETRY_DELAY_FLAG, "3m", "--retry-delay `3m` is too large"),
            (&SLACK_TIMEOUT_FLAG, "10ms", "--timeout `10ms` is too short"),
            (
                &SLACK_RETRY_DELAY_FLAG,
                "2m",
                "--retry-delay `2m` is too large",
            ),
            (&LOCK_TIMEOUT, "0s", "lock_timeout `0s` is zero"),
            (
                &SESSION_DURATION,
                "10m",
                "session_duration `10m` is too short",
            ),
            (
                &SESSION_DURATION,
                "13h",
                "session_duration `13h` is too large",
            ),
        ] {
            let refused = parse(bounds, text).unwrap_err();
            assert_eq!(refused.problem, problem);
            assert!(
                refused.fix.starts_with("give a value from "),
                "{}",
                refused.fix
            );
        }
    }

    #[test]
    fn the_flag_says_what_to_do() {
        let err = timeout_flag("999999999999h").unwrap_err();
        assert_eq!(
            err,
            "--timeout `999999999999h` is too large; give a value from 1s to 7days (it is the time limit of one account's job); 30m is usual"
        );
        assert!(timeout_flag("abc")
            .unwrap_err()
            .contains("is not a duration"));
    }
}
