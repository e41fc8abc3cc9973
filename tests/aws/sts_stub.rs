//! An STS endpoint on 127.0.0.1 that answers with STS's own XML documents, for what moto
//! cannot do: error answers (AccessDenied, Throttling, ...), a GetCallerIdentity naming
//! another account, and counting each request. Credentials it issues are recognisable
//! (`stub-secret-<account>-...`), so tests can look for them in output.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use crate::support::receiver::{Receiver, Reply, Request};

/// The account the stub reports for credentials it did not issue (the base credentials).
pub const BASE_ACCOUNT: &str = "000000000000";
pub const BASE_ARN: &str = "arn:aws:iam::000000000000:user/base-deployer";

#[derive(Debug, Clone)]
pub struct StsCall {
    pub action: String,
    pub params: BTreeMap<String, String>,
    /// The access key that signed the request (from `Authorization`), if signed.
    pub signed_by: Option<String>,
}

impl StsCall {
    fn from_request(request: &Request) -> Self {
        let mut params: BTreeMap<String, String> = form(&request.body).into_iter().collect();
        let action = params.remove("Action").unwrap_or_default();
        let signed_by = request.header("authorization").and_then(|auth| {
            let credential = auth.split("Credential=").nth(1)?;
            Some(credential.split('/').next()?.to_string())
        });
        Self {
            action,
            params,
            signed_by,
        }
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// The 12-digit account in `RoleArn`.
    pub fn role_account(&self) -> String {
        self.param("RoleArn")
            .and_then(|arn| arn.split(':').nth(4))
            .unwrap_or_default()
            .to_string()
    }
}

/// The credentials the stub issues for an account's role.
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

pub fn issued(account: &str) -> Issued {
    Issued {
        access_key_id: format!("ASIA{account}STUB"),
        secret_access_key: format!("stub-secret-{account}-Zq8xW2"),
        session_token: format!("stub-session-token-{account}-FQoGZXIvYXdzEJr"),
    }
}

/// The account whose stub-issued access key signed a request.
pub fn account_of_key(access_key_id: &str) -> Option<String> {
    access_key_id
        .strip_prefix("ASIA")?
        .strip_suffix("STUB")
        .map(str::to_string)
}

pub struct StsStub {
    server: Receiver,
    url: String,
}

impl StsStub {
    /// `answer` decides every reply; `default_answer` behaves like STS that trusts everyone.
    pub fn start(answer: impl Fn(&StsCall) -> Reply + Send + Sync + 'static) -> Self {
        let server = Receiver::start();
        server.answer_with(move |request| answer(&StsCall::from_request(request)));
        let url = server.base_url();
        Self { server, url }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn calls(&self) -> Vec<StsCall> {
        self.server
            .requests()
            .iter()
            .map(StsCall::from_request)
            .collect()
    }

    /// AssumeRole requests into the role of this account.
    pub fn assume_role_calls(&self, account_id: &str) -> Vec<StsCall> {
        self.calls()
            .into_iter()
            .filter(|c| c.action == "AssumeRole" && c.role_account() == account_id)
            .collect()
    }
}

/// STS that trusts everyone: each role gets its account's stub credentials, and
/// GetCallerIdentity names the account whose credentials signed it.
pub fn default_answer(call: &StsCall) -> Reply {
    match call.action.as_str() {
        "AssumeRole" | "AssumeRoleWithWebIdentity" => assume_role_ok(call),
        "GetCallerIdentity" => match call.signed_by.as_deref().and_then(account_of_key) {
            Some(account) => caller_identity(
                &account,
                &format!("arn:aws:sts::{account}:assumed-role/stub/session"),
            ),
            None => caller_identity(BASE_ACCOUNT, BASE_ARN),
        },
        other => error(400, "InvalidAction", &format!("unknown action {other}")),
    }
}

pub fn assume_role_ok(call: &StsCall) -> Reply {
    let account = call.role_account();
    let role = call
        .param("RoleArn")
        .and_then(|arn| arn.rsplit('/').next())
        .unwrap_or("role");
    let session = call.param("RoleSessionName").unwrap_or("session");
    let keys = issued(&account);
    let expiration =
        humantime::format_rfc3339_seconds(SystemTime::now() + Duration::from_secs(3600));
    let action = &call.action;
    ok(format!(
        r#"<{action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <{action}Result>
    <AssumedRoleUser>
      <AssumedRoleId>AROASTUB:{session}</AssumedRoleId>
      <Arn>arn:aws:sts::{account}:assumed-role/{role}/{session}</Arn>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>{}</AccessKeyId>
      <SecretAccessKey>{}</SecretAccessKey>
      <SessionToken>{}</SessionToken>
      <Expiration>{expiration}</Expiration>
    </Credentials>
  </{action}Result>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</{action}Response>"#,
        keys.access_key_id, keys.secret_access_key, keys.session_token
    ))
}

pub fn caller_identity(account: &str, arn: &str) -> Reply {
    ok(format!(
        r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>{arn}</Arn>
    <UserId>AROASTUB:session</UserId>
    <Account>{account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>"#
    ))
}

/// STS's error document, as it sends it for AccessDenied (403), Throttling (400), ...
pub fn error(status: u16, code: &str, message: &str) -> Reply {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    xml(
        status,
        format!(
            r#"<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>{kind}</Type>
    <Code>{code}</Code>
    <Message>{message}</Message>
  </Error>
  <RequestId>4f8c2a7e-0d3b-4a51-9e1f-EXAMPLE</RequestId>
</ErrorResponse>"#
        ),
    )
}

fn ok(body: String) -> Reply {
    xml(200, body)
}

fn xml(status: u16, body: String) -> Reply {
    Reply::new(status, &body).header("content-type", "text/xml")
}

/// Decodes `application/x-www-form-urlencoded` text (STS's Query protocol bodies).
pub fn form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
