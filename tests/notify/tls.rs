//! The one trust store (orchestrator/tls.rs) for Slack: a webhook over HTTPS behind a
//! self-signed certificate for 127.0.0.1 is refused on the certificate, nothing delivered,
//! until `SSL_CERT_FILE` names it; the webhook's secret path never shows either way.

use super::{halted_prod_wave, notify_to, PLATFORM_PATH};
use crate::support::tls::{HttpsServer, SelfSigned};

#[test]
fn slack_over_https_is_trusted_once_ssl_cert_file_names_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let identity = SelfSigned::create(dir.path());
    let slack = HttpsServer::start(dir.path(), &identity);
    let once = ["--retries", "0"];

    let untrusted = notify_to(dir.path(), slack.url(PLATFORM_PATH), &report, &once, &[]);
    untrusted
        .expect_code(3)
        .expect_stderr_matches(r"cannot connect: .*certificate")
        .expect_stderr_contains("SSL_CERT_FILE");
    assert_eq!(
        slack.posted_paths(),
        Vec::<String>::new(),
        "nothing got through"
    );

    let cert = identity.cert.to_str().unwrap().to_owned();
    let trusted = notify_to(
        dir.path(),
        slack.url(PLATFORM_PATH),
        &report,
        &once,
        &[("SSL_CERT_FILE", cert)],
    );
    trusted.expect_code(0);
    assert_eq!(slack.posted_paths(), vec![PLATFORM_PATH.to_owned()]);
}
