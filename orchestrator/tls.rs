//! The one TLS policy of every HTTPS call the orchestrator makes (AWS STS and SSO, GitHub's
//! OIDC token, Slack, the GitHub API, health checks):
//!
//! - trust: the system's root certificates, read by `rustls-native-certs`, which honours
//!   `SSL_CERT_FILE` and `SSL_CERT_DIR`; so a corporate TLS-inspecting proxy's root, once in
//!   the system store or named by `SSL_CERT_FILE`, works for every call alike;
//! - crypto: rustls with ring, one provider for everything (no aws-lc C build);
//! - proxies: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from the environment.
//!
//! Both kinds of client are built here and nowhere else: `http_client` for reqwest (Slack,
//! GitHub, health checks, the OIDC token), `aws_https_client` for the AWS SDK, whose default
//! client would bring aws-lc. `tests/aws/tls.rs` and `tests/notify/tls.rs` check the policy
//! against an HTTPS server whose certificate only `SSL_CERT_FILE` names.

use aws_sdk_sts::config::SharedHttpClient;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};

/// reqwest's client builder under the policy above, with the orchestrator's user agent; each
/// caller adds only its own timeouts and redirect rules.
pub fn http_client() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        // The system's roots, through rustls-native-certs (SSL_CERT_FILE, SSL_CERT_DIR).
        .tls_built_in_native_certs(true)
        .user_agent(concat!("orchestrator/", env!("CARGO_PKG_VERSION")))
}

/// Why a request got no HTTP answer, for a person: never the URL (reqwest puts it in its
/// errors, credentials and all), always the innermost cause ("Connection refused", "invalid
/// peer certificate: UnknownIssuer"), and for a certificate the way to trust it. `None` for a
/// timeout: the caller says how long it waited.
pub fn why_no_answer(error: reqwest::Error) -> Option<String> {
    let error = error.without_url();
    if error.is_timeout() {
        return None;
    }
    let mut cause: &dyn std::error::Error = &error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let cause = cause.to_string();
    let hint = if cause.contains("certificate") {
        " (behind a TLS-inspecting proxy? add its root to the system's store or name it with \
         SSL_CERT_FILE)"
    } else {
        ""
    };
    Some(if error.is_connect() {
        format!("cannot connect: {cause}{hint}")
    } else {
        format!("{cause}{hint}")
    })
}

/// The AWS SDK's hyper 1 HTTPS client under the policy above, for every SDK config and client.
pub fn aws_https_client() -> SharedHttpClient {
    Builder::new().build_with_connector_fn(|settings, components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(CryptoMode::Ring));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        // The default trust store of this connector is the system's (rustls-native-certs).
        connector.build()
    })
}
