//! The rendered trust and permission documents, given to a real IAM API: moto's server, which
//! validates policy documents as IAM does (syntax, actions, resource ARNs, condition
//! operators, trust actions, no Resource in a trust policy) on UpdateAssumeRolePolicy and
//! PutRolePolicy.
//!
//! What moto cannot show: it does not evaluate trust policies. Its AssumeRole and
//! AssumeRoleWithWebIdentity succeed for any principal and any token subject, so "the wrong
//! subject is refused" is shown by the evaluator in `iam.rs`, not here.

use std::io::{Read, Write};
use std::net::TcpStream;

use super::iam::{platform_for, shipped_bootstrap};
use super::moto::MotoServer;

/// One IAM Query API call; returns the HTTP status and the body.
fn iam(moto: &MotoServer, params: &[(&str, &str)]) -> (u16, String) {
    let body: String = params
        .iter()
        .chain([("Version", "2010-05-08")].iter())
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let address = moto.url.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).expect("connect to moto");
    // moto routes by the credential scope's service and does not check the signature.
    write!(
        stream,
        "POST / HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/x-www-form-urlencoded; charset=utf-8\r\n\
         X-Amz-Date: 20260101T000000Z\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20260101/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date, Signature=0\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .expect("read moto's answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("an HTTP answer");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, body.to_string())
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn moto_iam_accepts_every_rendered_role_and_policy_and_refuses_a_broken_one() {
    let logs = tempfile::tempdir().unwrap();
    let moto = MotoServer::start(logs.path());
    let (org, bootstrap) = shipped_bootstrap();
    let mut roles = bootstrap.roles.clone();
    // A production and a non-production account: their deploy roles trust different entry roles.
    for account in org
        .config
        .accounts
        .iter()
        .filter(|a| a.layers.iter().any(|l| l == "platform"))
        .filter(|a| a.name.ends_with("-dev") || a.name.ends_with("-prod"))
        .take(2)
    {
        roles.extend(platform_for(&org.config, account).roles);
    }
    assert!(roles.len() >= 5, "{roles:#?}");
    let mut created = std::collections::BTreeSet::new();
    for role in &roles {
        // One moto account stands for all: give same-named roles of two accounts distinct names.
        let name = if created.contains(&role.name) {
            format!("{}-{}", role.name, created.len())
        } else {
            role.name.clone()
        };
        let trust = role.trust.to_string();
        let (status, body) = iam(
            &moto,
            &[
                ("Action", "CreateRole"),
                ("RoleName", &name),
                ("AssumeRolePolicyDocument", &trust),
            ],
        );
        assert_eq!(
            status, 200,
            "{}: CreateRole refused {trust}: {body}",
            role.address
        );
        for (index, policy) in role.inline.iter().enumerate() {
            let document = policy.to_string();
            let policy_name = format!("inline-{index}");
            let (status, body) = iam(
                &moto,
                &[
                    ("Action", "PutRolePolicy"),
                    ("RoleName", &name),
                    ("PolicyName", &policy_name),
                    ("PolicyDocument", &document),
                ],
            );
            assert_eq!(
                status, 200,
                "{}: PutRolePolicy refused {document}: {body}",
                role.address
            );
        }
        // And moto stored the trust as given.
        let (status, body) = iam(&moto, &[("Action", "GetRole"), ("RoleName", &name)]);
        assert_eq!(status, 200, "{body}");
        assert!(
            body.contains(&format!("<RoleName>{name}</RoleName>")),
            "{body}"
        );
        created.insert(name);
    }

    // The same API refuses what IAM refuses, so the acceptance above means something.
    let (status, body) = iam(
        &moto,
        &[
            ("Action", "UpdateAssumeRolePolicy"),
            ("RoleName", created.iter().next().unwrap()),
            (
                "PolicyDocument",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Principal":{"AWS":"*"}}]}"#,
            ),
        ],
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("MalformedPolicyDocument"), "{body}");
    let (status, body) = iam(
        &moto,
        &[
            ("Action", "PutRolePolicy"),
            ("RoleName", created.iter().next().unwrap()),
            ("PolicyName", "broken"),
            (
                "PolicyDocument",
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"not-an-arn"}]}"#,
            ),
        ],
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("MalformedPolicyDocument"), "{body}");
}
