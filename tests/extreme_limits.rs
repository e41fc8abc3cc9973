//! The largest durations the config and the flags accept, in a real run: every deadline the
//! runner computes from them (job timeout, grace period, lock timeout, retry delay) must hold
//! without overflow, and terraform gets the lock timeout it was given.

use crate::support::sandbox::{layer, Sandbox};

use orchestrator::report::Status;

#[test]
fn a_run_with_the_largest_accepted_durations_deploys() {
    let sandbox = Sandbox::new();
    sandbox.edit_config(
        "  timeout: 10m",
        "  timeout: 7d\n  grace_period: 1h\n  lock_timeout: 1d\n  session_duration: 12h",
    );
    let run = sandbox.run(&[
        "deploy",
        "--accounts",
        "catalog-dev",
        "--layers",
        "platform",
        "--timeout",
        "7days",
        "--grace-period",
        "3600",
        "--retry-delay",
        "2m",
    ]);
    run.expect_code(0);
    let platform = layer(&sandbox.report(), "catalog-dev", "platform").clone();
    assert_eq!(platform.status, Status::Succeeded);
    let log = std::fs::read_to_string(
        sandbox
            .path()
            .join(".orchestrator/logs/catalog-dev/platform.log"),
    )
    .unwrap();
    assert!(log.contains("-lock-timeout=86400s"), "{log}");
}
