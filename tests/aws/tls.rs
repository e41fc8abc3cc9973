//! The one trust store (orchestrator/tls.rs) for AWS: STS over HTTPS (moto behind a
//! self-signed certificate for 127.0.0.1) is refused on the certificate until
//! `SSL_CERT_FILE` names it, as a corporate TLS-inspecting proxy's root would be.

use super::org::Org;
use super::THREE_ACCOUNTS;
use crate::support::moto::MotoServer;
use crate::support::tls::SelfSigned;

#[test]
fn sts_over_https_is_trusted_once_ssl_cert_file_names_its_certificate() {
    let org = Org::new("", THREE_ACCOUNTS);
    let identity = SelfSigned::create(org.dir.path());
    let moto = MotoServer::start_tls(org.dir.path(), &identity);
    assert!(moto.url.starts_with("https://"), "{}", moto.url);

    let untrusted = org
        .cli()
        .arg("preflight")
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .run_interleaved();
    untrusted
        .expect_code(1)
        .expect_output_matches(r"(?i)certificate")
        .expect_output_lacks("3 of 3 accounts reachable");

    let trusted = org
        .cli()
        .arg("preflight")
        .env("AWS_ENDPOINT_URL_STS", &moto.url)
        .env("SSL_CERT_FILE", &identity.cert)
        .run_interleaved();
    trusted
        .expect_code(0)
        .expect_output_contains("preflight: 3 of 3 accounts reachable");
}
