//! A state lock terraform could not take, read from its error (`Error acquiring the state
//! lock`, then `statemgr.LockInfo.String()`: `Lock Info:` and one `  Key: value` line per
//! field), and whether a run that died left it.

use std::path::Path;
use std::time::{Duration, SystemTime};

/// The lock as terraform described it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldLock {
    pub id: String,
    /// The state it locks (`bucket/key` for S3, the file for the local backend).
    pub path: Option<String>,
    /// `OperationTypeApply`, `OperationTypePlan`, ...
    pub operation: Option<String>,
    /// `user@host` of the terraform that took it.
    pub who: Option<String>,
    /// When it was taken, as terraform printed it (Go's `time.Time` in UTC).
    pub created: Option<String>,
}

const HEADER: &str = "error acquiring the state lock";
const FIELDS: [&str; 7] = [
    "ID",
    "Path",
    "Operation",
    "Who",
    "Version",
    "Created",
    "Info",
];

impl HeldLock {
    /// The lock terraform's output says it could not take, if it says so with the lock's ID.
    pub fn from_output(output: &str) -> Option<Self> {
        let start = output.to_ascii_lowercase().find(HEADER)?;
        let rest = &output[start..];
        let info = rest.find("Lock Info:")?;
        let mut fields: Vec<(&str, &str)> = Vec::new();
        for line in rest[info..].lines().skip(1) {
            // Boxed diagnostics (a terminal) start every line with `│`.
            let line = line.trim_start_matches(['│', ' ', '\t']);
            let Some((key, value)) = line.split_once(':') else {
                break;
            };
            if !FIELDS.contains(&key) {
                break;
            }
            fields.push((key, value.trim()));
        }
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
                .filter(|v| !v.is_empty())
        };
        Some(Self {
            id: field("ID")?,
            path: field("Path"),
            operation: field("Operation"),
            who: field("Who"),
            created: field("Created"),
        })
    }

    /// `root@ci-7 at 2026-12-01 16:02:11 UTC, OperationTypeApply`: who took it, when, for what.
    pub fn holder(&self) -> String {
        let mut parts = Vec::new();
        if let Some(who) = &self.who {
            parts.push(who.clone());
        }
        if let Some(created) = &self.created {
            parts.push(format!("at {}", shorter_time(created)));
        }
        let mut text = if parts.is_empty() {
            "an unknown holder".to_string()
        } else {
            parts.join(" ")
        };
        if let Some(operation) = &self.operation {
            text.push_str(&format!(", {operation}"));
        }
        text
    }

    /// When the lock was taken; `None` when terraform did not say in a form we read.
    pub fn created_at(&self) -> Option<SystemTime> {
        // `2026-12-01 16:02:11.123456789 +0000 UTC`
        let mut words = self.created.as_deref()?.split_whitespace();
        let (date, time, offset) = (words.next()?, words.next()?, words.next()?);
        if offset != "+0000" {
            return None;
        }
        humantime::parse_rfc3339_weak(&format!("{date} {time}")).ok()
    }

    /// Whether a run that died left this lock, so waiting cannot help: it was taken on this
    /// machine, by this user, and no process is working in this layer's working directory any
    /// more (the run lock keeps every other orchestrator on this machine off this state), or
    /// it is older than any run of this layer may hold it (`longest_hold`: the job timeout and
    /// the grace period after it).
    pub fn left_by_dead_run(
        &self,
        this_machine: &str,
        working_dir: &Path,
        longest_hold: Duration,
        now: SystemTime,
    ) -> bool {
        let ours = self.who.as_deref() == Some(this_machine) && !anyone_works_in(working_dir);
        let too_old = self
            .created_at()
            .and_then(|created| now.duration_since(created).ok())
            .is_some_and(|age| age > longest_hold);
        ours || too_old
    }
}

/// `user@host` as terraform writes it into a lock it takes (`statemgr.NewLockInfo`).
pub fn this_machine() -> String {
    let user = nix::unistd::User::from_uid(nix::unistd::getuid())
        .ok()
        .flatten()
        .map(|u| u.name)
        .unwrap_or_default();
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!("{user}@{host}")
}

/// Whether a live process works on this (account, layer): its working directory is at or
/// under `dir`, or under the same `workdirs/<account>/<layer>` of another work directory (a
/// killed run's terraform, still stopping, in a work dir other than this run's), or a
/// provisioner one of them started.
///
/// Another work dir (another checkout, another `--work-dir`) counts by account name alone,
/// although its config could in principle name another account so: the lock is judged before
/// breaking it, and the costly mistake is the other way round. Taking a live run's lock as a
/// dead one's would let two terraforms write one state; taking a dead run's lock as live only
/// refuses this run until that terraform has stopped, and the message says so. Two checkouts
/// of one config share its S3 bucket, so a same-named account there is most likely the same
/// state; where it is not (a local state in another checkout), the cost is that wait.
fn anyone_works_in(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return true;
    };
    let layer = account_and_layer(dir);
    entries.flatten().any(|entry| {
        let is_pid = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        is_pid
            && std::fs::read_link(entry.path().join("cwd")).is_ok_and(|cwd| {
                cwd.starts_with(dir) || layer.is_some() && account_and_layer(&cwd) == layer
            })
    })
}

/// `<account>/<layer>` of a path under a work dir's `workdirs/<account>/<layer>/...`.
fn account_and_layer(path: &Path) -> Option<[&std::ffi::OsStr; 2]> {
    let parts: Vec<&std::ffi::OsStr> = path.iter().collect();
    let at = parts.iter().rposition(|p| *p == "workdirs")?;
    Some([*parts.get(at + 1)?, *parts.get(at + 2)?])
}

/// `2026-12-01 16:02:11 UTC` from Go's `2026-12-01 16:02:11.123456789 +0000 UTC`.
fn shorter_time(created: &str) -> String {
    let mut words = created.split_whitespace();
    match (words.next(), words.next(), words.last()) {
        (Some(date), Some(time), Some(zone)) => {
            let time = time.split('.').next().unwrap_or(time);
            format!("{date} {time} {zone}")
        }
        _ => created.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// terraform 1.11's error for a lock file another run left in an S3 bucket.
    const S3_LOCK_ERROR: &str = "Acquiring state lock. This may take a few moments...

Error: Error acquiring the state lock

Error message: operation error S3: PutObject, https response error
StatusCode: 412, RequestID: 7Q2, HostID: 9Gj=, api error PreconditionFailed:
At least one of the pre-conditions you specified did not hold
Lock Info:
  ID:        5b4e2a7c-1f0d-4c9e-9a51-7d3b2c8e6f10
  Path:      acme-tfstate/platform/catalog-dev.tfstate
  Operation: OperationTypeApply
  Who:       runner@fv-az123-456
  Version:   1.11.4
  Created:   2026-12-01 16:02:11.123456789 +0000 UTC
  Info:      


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time.
";

    /// A killed run's terraform still stopping in another work dir works on the same
    /// (account, layer): its lock is not a dead run's.
    #[test]
    fn a_terraform_of_the_same_layer_in_another_work_dir_is_someone_working() {
        let root = tempfile::tempdir().unwrap();
        // An account name of its own: other tests work on `catalog-dev` meanwhile.
        let account = root.path().file_name().unwrap().to_str().unwrap();
        let dir = |path: String| root.path().join(path);
        let mine = dir(format!("b/workdirs/{account}/static/layers/static"));
        let theirs = dir(format!("a/workdirs/{account}/static/layers/static"));
        let other_layer = dir(format!("a/workdirs/{account}/dynamic/layers/dynamic"));
        for dir in [&mine, &theirs, &other_layer] {
            std::fs::create_dir_all(dir).unwrap();
        }
        let mut stopping = std::process::Command::new("sleep")
            .arg("30")
            .current_dir(&other_layer)
            .spawn()
            .unwrap();
        assert!(!anyone_works_in(&mine), "another layer is not this one");
        stopping.kill().unwrap();
        stopping.wait().unwrap();
        let mut stopping = std::process::Command::new("sleep")
            .arg("30")
            .current_dir(&theirs)
            .spawn()
            .unwrap();
        assert!(anyone_works_in(&mine));
        stopping.kill().unwrap();
        stopping.wait().unwrap();
        assert!(!anyone_works_in(&mine));
    }

    #[test]
    fn reads_the_lock_from_terraforms_error() {
        let lock = HeldLock::from_output(S3_LOCK_ERROR).unwrap();
        assert_eq!(lock.id, "5b4e2a7c-1f0d-4c9e-9a51-7d3b2c8e6f10");
        assert_eq!(
            lock.path.as_deref(),
            Some("acme-tfstate/platform/catalog-dev.tfstate")
        );
        assert_eq!(lock.who.as_deref(), Some("runner@fv-az123-456"));
        assert_eq!(
            lock.holder(),
            "runner@fv-az123-456 at 2026-12-01 16:02:11 UTC, OperationTypeApply"
        );
        assert_eq!(
            lock.created_at(),
            Some(humantime::parse_rfc3339("2026-12-01T16:02:11.123456789Z").unwrap())
        );
    }

    #[test]
    fn boxed_diagnostics_read_the_same() {
        let boxed: String = S3_LOCK_ERROR.lines().map(|l| format!("│ {l}\n")).collect();
        assert_eq!(
            HeldLock::from_output(&boxed),
            HeldLock::from_output(S3_LOCK_ERROR)
        );
    }

    #[test]
    fn no_lock_without_terraforms_lock_error_and_an_id() {
        assert_eq!(HeldLock::from_output("Error: Invalid reference\n"), None);
        assert_eq!(
            HeldLock::from_output("Lock Info:\n  ID:        1\n"),
            None,
            "Lock Info alone is not a held lock"
        );
        assert_eq!(
            HeldLock::from_output(
                "Error: Error acquiring the state lock\n\nError message: no space left on device\n"
            ),
            None
        );
    }

    #[test]
    fn a_lock_is_left_by_a_dead_run_when_it_is_ours_and_nobody_works_there_or_too_old() {
        let lock = HeldLock::from_output(S3_LOCK_ERROR).unwrap();
        let created = lock.created_at().unwrap();
        let idle = tempfile::tempdir().unwrap();
        let hold = Duration::from_secs(3600);
        // Another machine's lock, younger than a run may hold it: maybe a live run.
        let soon = created + Duration::from_secs(60);
        assert!(!lock.left_by_dead_run("me@here", idle.path(), hold, soon));
        // Older than any run holds one.
        let later = created + Duration::from_secs(7200);
        assert!(lock.left_by_dead_run("me@here", idle.path(), hold, later));
        // Taken on this machine, and nothing works in the layer's directory any more.
        assert!(lock.left_by_dead_run("runner@fv-az123-456", idle.path(), hold, soon));
        // ...but something still does (this test's own working directory).
        let busy = std::env::current_dir().unwrap();
        assert!(!lock.left_by_dead_run("runner@fv-az123-456", &busy, hold, soon));
    }
}
