//! `defaults.state`: where each (account, layer) keeps its terraform state.

use super::super::fields::{self, Fields, Problems};
use super::super::model::StateBackend;
use super::super::yaml::Node;
use super::keys::{LOCAL_STATE, S3_STATE};
use super::values::region;

pub(super) fn read_state(problems: &mut Problems, node: &Node) -> Option<StateBackend> {
    let probe = Fields::read(problems, node, "defaults.state", &[])?;
    let backend_node = probe.required(problems, "backend", "s3")?;
    let backend = fields::string(problems, backend_node, "state.backend")?;
    match backend.as_str() {
        "s3" => {
            let f = Fields::read(&mut Problems::default(), node, "defaults.state", S3_STATE)?;
            report_unknown(problems, node, S3_STATE, "defaults.state (backend s3)");
            let bucket = f
                .required(problems, "bucket", "acme-tfstate")
                .and_then(|n| fields::string(problems, n, "state.bucket"));
            let region_value = f
                .required(problems, "region", "us-east-1")
                .and_then(|n| region(problems, n));
            let key = f
                .required(problems, "key", "\"{layer}/{account}.tfstate\"")
                .and_then(|n| template(problems, n, "state.key"));
            Some(StateBackend::S3 {
                bucket: bucket?,
                region: region_value?,
                key: key?,
            })
        }
        "local" => {
            let f = Fields::read(
                &mut Problems::default(),
                node,
                "defaults.state",
                LOCAL_STATE,
            )?;
            report_unknown(
                problems,
                node,
                LOCAL_STATE,
                "defaults.state (backend local)",
            );
            let path = f
                .required(
                    problems,
                    "path",
                    "\".orchestrator/state/{layer}/{account}.tfstate\"",
                )
                .and_then(|n| template(problems, n, "state.path"));
            Some(StateBackend::Local { path: path? })
        }
        other => {
            problems.add(
                backend_node.pos,
                format!("unknown state backend `{other}`"),
                "use `s3` (with a bucket) or `local` (sandbox only)",
            );
            None
        }
    }
}

/// Unknown keys depend on the backend, so they are checked once the backend is known.
pub(super) fn report_unknown(problems: &mut Problems, node: &Node, known: &[&str], what: &str) {
    let mut scratch = Problems::default();
    Fields::read(&mut scratch, node, what.to_string(), known);
    problems.0.extend(
        scratch
            .0
            .into_iter()
            .filter(|d| d.message.starts_with("unknown field")),
    );
}

pub(super) fn template(problems: &mut Problems, node: &Node, what: &str) -> Option<String> {
    let t = fields::string(problems, node, what)?;
    if !t.contains("{account}") {
        problems.add(
            node.pos,
            format!("{what} `{t}` does not contain `{{account}}`"),
            "every account needs its own state: include `{account}` (and `{layer}`) in the template",
        );
        return None;
    }
    if let Some(bad) = unknown_placeholder(&t) {
        problems.add(
            node.pos,
            format!("{what} has an unknown placeholder `{{{bad}}}`"),
            "use only {account}, {layer}, {domain}, {environment}, {account_id}, {region}, {stack}",
        );
        return None;
    }
    Some(t)
}

pub(super) fn unknown_placeholder(t: &str) -> Option<String> {
    const KNOWN: &[&str] = &[
        "account",
        "layer",
        "domain",
        "environment",
        "account_id",
        "region",
        "stack",
    ];
    let mut rest = t;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        let name = &after[..end];
        if !KNOWN.contains(&name) {
            return Some(name.to_string());
        }
        rest = &after[end + 1..];
    }
    None
}
