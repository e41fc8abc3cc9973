//! The S3 state bucket as `orchestrator stacks` and `destroy --stack` use it: list the state
//! objects under a prefix, read one, delete one, with one account's credentials (the same
//! ones terraform gets, so the same bucket policy applies).

use std::time::SystemTime;

use aws_config::BehaviorVersion;
use aws_credential_types::Credentials;
use aws_sdk_s3::config::Region;
use aws_sdk_s3::Client;

use crate::credentials::AccountCredentials;

/// One state object: its key, and when it was last written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateObject {
    pub key: String,
    pub last_modified: Option<SystemTime>,
}

pub struct StateBucket {
    client: Client,
    bucket: String,
}

impl StateBucket {
    /// `credentials` are an account's (its environment for terraform); empty ones (an account
    /// with `credentials: none`) fall back to the SDK's default chain.
    pub async fn connect(bucket: &str, region: &str, credentials: &AccountCredentials) -> Self {
        let env = |name: &str| {
            credentials
                .env
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.expose().to_string())
        };
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(crate::tls::aws_https_client())
            .region(Region::new(region.to_string()));
        if let (Some(id), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
            loader = loader.credentials_provider(Credentials::new(
                id,
                secret,
                env("AWS_SESSION_TOKEN"),
                None,
                "orchestrator-account",
            ));
        }
        let sdk = loader.load().await;
        // An endpoint override (a local S3 such as moto) serves buckets by path, not by host.
        let local_endpoint = ["AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()));
        let config = aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(local_endpoint)
            .build();
        Self {
            client: Client::from_conf(config),
            bucket: bucket.to_string(),
        }
    }

    /// Every object whose key starts with `prefix`.
    pub async fn list(&self, prefix: &str) -> Result<Vec<StateObject>, String> {
        let mut found = Vec::new();
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(prefix)
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.describe("list", prefix, &e))?;
            for object in page.contents() {
                let Some(key) = object.key() else {
                    continue;
                };
                found.push(StateObject {
                    key: key.to_string(),
                    last_modified: object
                        .last_modified()
                        .and_then(|t| SystemTime::try_from(*t).ok()),
                });
            }
        }
        Ok(found)
    }

    pub async fn read(&self, key: &str) -> Result<Vec<u8>, String> {
        let object = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| self.describe("read", key, &e))?;
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| format!("cannot read s3://{}/{key}: {e}", self.bucket))?;
        Ok(bytes.into_bytes().to_vec())
    }

    pub async fn delete(&self, key: &str) -> Result<(), String> {
        self.client
            .delete_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| self.describe("delete", key, &e))
    }

    fn describe(&self, what: &str, key: &str, error: &dyn std::error::Error) -> String {
        // The error's own chain, never a Debug dump of the response.
        let mut text = error.to_string();
        let mut source = error.source();
        while let Some(cause) = source {
            text.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        format!("cannot {what} s3://{}/{key}: {text}", self.bucket)
    }
}
