//! What the JSON Schema cannot say about a run report: an account is one job of a run, and a
//! layer appears once in its job. A report that breaks this (edited by hand, two legs' jobs
//! pasted together) would be counted twice by `gate`, Slack and the summaries, so every
//! reader refuses it, naming both places.

use std::collections::HashMap;

use super::RunReport;

pub(super) fn problems(report: &RunReport) -> Vec<String> {
    let mut problems = Vec::new();
    let mut accounts: HashMap<&str, usize> = HashMap::new();
    for (i, job) in report.jobs.iter().enumerate() {
        if let Some(first) = accounts.get(job.account.as_str()) {
            problems.push(format!(
                "/jobs/{i}/account: {:?} is also /jobs/{first}: an account is one job of a run",
                job.account
            ));
        } else {
            accounts.insert(&job.account, i);
        }
        let mut layers: HashMap<&str, usize> = HashMap::new();
        for (k, layer) in job.layers.iter().enumerate() {
            if let Some(first) = layers.get(layer.layer.as_str()) {
                problems.push(format!(
                    "/jobs/{i}/layers/{k}/layer: {:?} is also /jobs/{i}/layers/{first}: a layer runs once in a job",
                    layer.layer
                ));
            } else {
                layers.insert(&layer.layer, k);
            }
        }
    }
    problems
}
