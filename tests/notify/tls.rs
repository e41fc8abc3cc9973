//! The one trust store (orchestrator/tls.rs) for Slack: a webhook over HTTPS behind a
//! self-signed certificate for 127.0.0.1 is refused on the certificate, nothing delivered,
//! until `SSL_CERT_FILE` names it; the webhook's secret path never shows either way.

use super::{assert_secret_hidden, halted_prod_wave, orchestrator, sandbox_config, PLATFORM_PATH};
use crate::support::tls::{HttpsServer, SelfSigned};

#[test]
fn slack_over_https_is_trusted_once_ssl_cert_file_names_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let report = halted_prod_wave().write(dir.path(), "report.json");
    let identity = SelfSigned::create(dir.path());
    let slack = HttpsServer::start(dir.path(), &identity);
    let config = sandbox_config();
    let args = [
        "--config",
        config.to_str().unwrap(),
        "notify",
        "slack",
        "--report",
        report.to_str().unwrap(),
        "--retries",
        "0",
    ];
    let webhook = ("SLACK_WEBHOOK_URL", slack.url(PLATFORM_PATH));

    let untrusted = orchestrator(dir.path(), &args, std::slice::from_ref(&webhook));
    assert_secret_hidden(&untrusted);
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
    let trusted = orchestrator(dir.path(), &args, &[webhook, ("SSL_CERT_FILE", cert)]);
    assert_secret_hidden(&trusted);
    trusted.expect_code(0);
    assert_eq!(slack.posted_paths(), vec![PLATFORM_PATH.to_owned()]);
}
