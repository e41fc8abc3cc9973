//! In GitHub Actions: each layer's terraform output, folded into a `::group::` of the job log
//! once the layer is done (so parallel jobs never interleave inside a group).

use std::io::{Read, Write};
use std::path::Path;

use super::describe;
use super::reporter::Reporter;
use crate::events::Event;
use crate::github_actions::escape_data;

/// The end of a log is what matters; GitHub's log view struggles with huge groups.
const MAX_LOG_BYTES: u64 = 2 << 20;

pub struct GithubGroups<W> {
    out: W,
}

impl<W: Write + Send> GithubGroups<W> {
    pub fn new(out: W) -> Self {
        Self { out }
    }

    fn group(&mut self, title: &str, log: &Path) -> std::io::Result<()> {
        // terraform's output could contain `::` lines that GitHub would obey (a resource
        // named `::set-env`...); stop-commands with a one-off token switches that off.
        let token: String = format!("{:016x}", rand::random::<u64>());
        let out = &mut self.out;
        writeln!(out, "::group::{}", escape_data(title))?;
        writeln!(out, "::stop-commands::{token}")?;
        let mut file = std::fs::File::open(log)?;
        let len = file.metadata()?.len();
        if len > MAX_LOG_BYTES {
            writeln!(
                out,
                "[first {} bytes left out; the whole log is in {}]",
                len - MAX_LOG_BYTES,
                log.display()
            )?;
            std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(len - MAX_LOG_BYTES))?;
        }
        let mut text = Vec::new();
        file.read_to_end(&mut text)?;
        out.write_all(&text)?;
        if !text.ends_with(b"\n") {
            writeln!(out)?;
        }
        writeln!(out, "::{token}::")?;
        writeln!(out, "::endgroup::")?;
        out.flush()
    }
}

impl<W: Write + Send> Reporter for GithubGroups<W> {
    fn event(&mut self, event: &Event) {
        if let Event::LayerFinished {
            account,
            report,
            log: Some(log),
            ..
        } = event
        {
            let title = describe::layer(account, report);
            if let Err(e) = self.group(&title, log) {
                tracing::warn!("cannot show {} in the job log: {e}", log.display());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{LayerReport, Status};

    #[test]
    fn a_finished_layer_prints_its_log_in_a_group_with_commands_switched_off() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("platform.log");
        std::fs::write(
            &log,
            "$ terraform apply\n::set-env name=X::y\nApply complete!\n",
        )
        .unwrap();
        let mut out = Vec::new();
        let mut groups = GithubGroups::new(&mut out);
        groups.event(&Event::LayerFinished {
            account: "catalog-dev".into(),
            report: LayerReport {
                layer: "platform".into(),
                status: Status::NoChanges,
                reason: None,
                duration_ms: 1500,
                attempts: Vec::new(),
                error: Vec::new(),
                changes: None,
                plan_json: None,
                log: None,
                health_checks: Vec::new(),
                recovery: None,
            },
            log: Some(log),
            plan_json: None,
        });
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "::group::catalog-dev platform: no changes");
        let token = lines[1].strip_prefix("::stop-commands::").unwrap();
        assert_eq!(
            &lines[2..5],
            [
                "$ terraform apply",
                "::set-env name=X::y",
                "Apply complete!"
            ]
        );
        assert_eq!(lines[5], format!("::{token}::"));
        assert_eq!(lines[6], "::endgroup::");
    }
}
