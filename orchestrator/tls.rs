//! The one TLS policy of every HTTPS call the orchestrator makes (AWS STS and SSO, GitHub's
//! OIDC token, Slack, the GitHub API, health checks):
//!
//! - trust: the system's root certificates, read by `rustls-native-certs`, which honours
//!   `SSL_CERT_FILE` and `SSL_CERT_DIR`; so a corporate TLS-inspecting proxy's root, once in
//!   the system store or named by `SSL_CERT_FILE`, works for every call alike;
//! - crypto: rustls with ring, one provider for everything (no aws-lc C build);
//! - proxies: `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` from the environment.
//!
//! reqwest gets the same policy from its `rustls-tls-native-roots` feature (Cargo.toml); the
//! AWS SDK's client is built here, because its default client would bring aws-lc.

use aws_sdk_sts::config::SharedHttpClient;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, ConnectorBuilder};

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
