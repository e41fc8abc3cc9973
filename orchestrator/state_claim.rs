//! One run per state. The work-dir lock keeps two runs out of one work directory, but two
//! runs with different work directories (`--work-dir`) can still reach the same state: the
//! same local state file, or the same S3 key. terraform's own state lock only covers one
//! command at a time, so such runs would interleave plans and applies on one state (one
//! applying a plan the other's apply made stale). Before anything runs, a run claims every
//! state it will use on this machine; a second run that would use any of them refuses at
//! once, naming the holder.
//!
//! Each run's claim is a file in a directory every run of this user on this machine shares,
//! listing its states, with an exclusive `flock` held for the run's life: the kernel drops
//! it when the run dies (even on SIGKILL), so a dead run's claim is simply cleared by the
//! next one. Claims are checked and made under a short lock on the directory, so two runs
//! starting together cannot both miss each other.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

use crate::work_lock::Holder;

const SUFFIX: &str = ".claim";

/// Held for the whole run; dropping it releases every state it claimed.
#[derive(Debug)]
pub struct StateClaim {
    _file: Flock<File>,
    path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ClaimError {
    #[error(
        "{state}: another orchestrator {holder} is using this state from the work directory \
         {}{}; wait for it to finish (two runs never deploy one state at once, whatever \
         their work directories)",
        work_dir.display(),
        if *others > 0 { format!(" (and {others} more states of this run)") } else { String::new() }
    )]
    Held {
        state: String,
        holder: Holder,
        work_dir: PathBuf,
        others: usize,
    },
    #[error("{}: cannot claim the run's states: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where this user's runs on this machine keep their claims.
pub fn claims_dir() -> PathBuf {
    let uid = nix::unistd::getuid();
    std::env::temp_dir().join(format!("orchestrator-{uid}-state-claims"))
}

/// Claims `states` (as [`crate::terraform::BackendConfig::identity`] names them) for this
/// process, or says which one another live run holds.
pub fn claim(
    dir: &Path,
    states: &BTreeSet<String>,
    command: &str,
    work_dir: &Path,
) -> Result<StateClaim, ClaimError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ClaimError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    // In a temp dir every user shares: only a real directory of this user's is trusted (a
    // link or another user's directory could hide or forge claims).
    let own = std::fs::symlink_metadata(dir).map_err(io(dir))?;
    if !own.is_dir() || std::os::unix::fs::MetadataExt::uid(&own) != nix::unistd::getuid().as_raw()
    {
        return Err(io(dir)(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "not a directory of this user's (a link, or another user's); remove it",
        )));
    }
    // The directory's own lock: checking the others and writing ours is one step.
    let guard_path = dir.join(".lock");
    let guard = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&guard_path)
        .map_err(io(&guard_path))?;
    let _guard = Flock::lock(guard, FlockArg::LockExclusive)
        .map_err(|(_, errno)| io(&guard_path)(errno.into()))?;

    for entry in std::fs::read_dir(dir).map_err(io(dir))?.flatten() {
        let path = entry.path();
        if !path.to_string_lossy().ends_with(SUFFIX) {
            continue;
        }
        let Ok(file) = File::open(&path) else {
            continue;
        };
        match Flock::lock(file, FlockArg::LockSharedNonblock) {
            // Nobody holds it: a run that died left it.
            Ok(_) => {
                let _ = std::fs::remove_file(&path);
            }
            Err((mut file, Errno::EWOULDBLOCK)) => {
                let mut text = String::new();
                let _ = file.read_to_string(&mut text);
                let record = Record::parse(&text);
                let shared: Vec<&String> = states
                    .iter()
                    .filter(|s| record.states.contains(s.as_str()))
                    .collect();
                if let Some(first) = shared.first() {
                    return Err(ClaimError::Held {
                        state: (*first).clone(),
                        holder: record.holder,
                        work_dir: record.work_dir,
                        others: shared.len() - 1,
                    });
                }
            }
            Err(_) => {}
        }
    }

    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let path = dir.join(format!("{}-{nanos}{SUFFIX}", std::process::id()));
    let file = OpenOptions::new()
        .create_new(true)
        .write(true)
        .open(&path)
        .map_err(io(&path))?;
    let mut file = Flock::lock(file, FlockArg::LockExclusiveNonblock)
        .map_err(|(_, errno)| io(&path)(errno.into()))?;
    let record = Record {
        holder: Holder {
            pid: std::process::id(),
            started: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
            command: command.to_string(),
        },
        work_dir: work_dir.to_path_buf(),
        states: states.iter().map(String::as_str).collect(),
    };
    file.write_all(record.to_string().as_bytes())
        .and_then(|()| file.flush())
        .map_err(io(&path))?;
    Ok(StateClaim { _file: file, path })
}

impl Drop for StateClaim {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// What a claim file says: who, from which work directory, and the states, one per line.
struct Record<'a> {
    holder: Holder,
    work_dir: PathBuf,
    states: BTreeSet<&'a str>,
}

impl<'a> Record<'a> {
    fn parse(text: &'a str) -> Self {
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
                .unwrap_or("?")
        };
        Record {
            holder: Holder {
                pid: field("pid").parse().unwrap_or(0),
                started: field("started").to_string(),
                command: field("command").to_string(),
            },
            work_dir: PathBuf::from(field("work_dir")),
            states: text
                .lines()
                .filter_map(|l| l.strip_prefix("state="))
                .collect(),
        }
    }
}

impl std::fmt::Display for Record<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "pid={}", self.holder.pid)?;
        writeln!(f, "started={}", self.holder.started)?;
        writeln!(f, "command={}", self.holder.command)?;
        writeln!(f, "work_dir={}", self.work_dir.display())?;
        for state in &self.states {
            writeln!(f, "state={state}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn states(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_run_sharing_a_state_is_refused_with_the_holder_named_and_others_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let first = claim(
            dir.path(),
            &states(&["local:/s/platform/a.tfstate", "local:/s/static/a.tfstate"]),
            "run",
            Path::new("/w1"),
        )
        .unwrap();
        let err = claim(
            dir.path(),
            &states(&[
                "local:/s/platform/a.tfstate",
                "local:/s/static/a.tfstate",
                "x",
            ]),
            "deploy",
            Path::new("/w2"),
        )
        .unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("local:/s/platform/a.tfstate: another orchestrator run (PID "),
            "{message}"
        );
        assert!(message.contains("started 20"), "{message}");
        assert!(message.contains("work directory /w1"), "{message}");
        assert!(message.contains("and 1 more states"), "{message}");
        // A run on other states is not held back.
        let other = claim(
            dir.path(),
            &states(&["local:/s/platform/b.tfstate"]),
            "run",
            Path::new("/w3"),
        );
        assert!(other.is_ok());
        drop(first);
        assert!(claim(
            dir.path(),
            &states(&["local:/s/platform/a.tfstate"]),
            "deploy",
            Path::new("/w2")
        )
        .is_ok());
    }

    #[test]
    fn a_claims_dir_that_is_a_link_is_not_trusted() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let link = dir.path().join("claims");
        std::os::unix::fs::symlink(&elsewhere, &link).unwrap();
        let err = claim(&link, &states(&["s"]), "run", Path::new("/w")).unwrap_err();
        assert!(
            err.to_string().contains("not a directory of this user's"),
            "{err}"
        );
    }

    #[test]
    fn the_claim_of_a_run_that_died_is_cleared() {
        let dir = tempfile::tempdir().unwrap();
        // What a SIGKILLed run leaves: its file, no lock on it.
        std::fs::write(
            dir.path().join(format!("999999-1{SUFFIX}")),
            "pid=999999\nstarted=2026-01-01T00:00:00Z\ncommand=run\nwork_dir=/w\nstate=s\n",
        )
        .unwrap();
        let claimed = claim(dir.path(), &states(&["s"]), "run", Path::new("/w2")).unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(SUFFIX))
            .collect();
        assert_eq!(left.len(), 1, "only the new claim");
        drop(claimed);
        assert!(std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .all(|e| !e.file_name().to_string_lossy().ends_with(SUFFIX)));
    }
}
