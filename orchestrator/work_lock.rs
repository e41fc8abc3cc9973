//! One run per work directory. Two runs writing into one work directory would share data
//! dirs, logs and the run report, and one could apply the plan file the other saved. The run
//! takes an exclusive `flock` on `<work dir>/run.lock` before it writes anything, and records
//! who holds it (PID, start time, command) in the file for the message the next run prints.
//!
//! The kernel drops a `flock` when every descriptor of it is closed, so a run that died
//! (SIGKILL, a crash) never leaves the directory locked: its record stays behind, and the next
//! run takes over with a notice. The descriptor is close-on-exec: a provisioner's stray child
//! must not keep the directory locked after its run ended (terraform's own state lock covers a
//! terraform that is still stopping after its orchestrator died).

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};

const LOCK_FILE: &str = "run.lock";

/// How long a lock held with no record is looked at again before it is reported as held by
/// an unknown run: far longer than a holder takes to write its record.
const RECORD_WAIT: std::time::Duration = std::time::Duration::from_secs(1);

/// Held for the whole run; dropping it (or the process ending) releases the directory.
#[derive(Debug)]
pub struct WorkDirLock {
    /// Held open for the whole run: holding it is the point.
    file: Flock<File>,
    path: PathBuf,
    /// Set when the lock was taken over from a run that died.
    pub stale: Option<Holder>,
}

/// Who held (or holds) a work directory, as its lock file records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: u32,
    pub started: String,
    pub command: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "{}: another orchestrator {} is using this work directory (PID {}, started {}{}); \
         wait for it to finish, or give this run its own --work-dir",
        dir.display(),
        holder.command,
        holder.pid,
        holder.started,
        if *holder_alive { "" } else { "; that process is gone but terraform processes it started are still stopping" }
    )]
    Held {
        dir: PathBuf,
        holder: Holder,
        holder_alive: bool,
    },
    #[error(
        "{}: another orchestrator run is using this work directory; wait for it to finish, \
         or give this run its own --work-dir",
        dir.display()
    )]
    HeldUnknown { dir: PathBuf },
    /// The holder died (SIGKILL), but the terraform it started still stops on its own (it
    /// saves its state, releases its lock): a run now would share its data dirs and logs.
    /// `guards` are the `orchestrator __guard` processes, each the leader of the process
    /// group of one terraform and its providers: the group, not the guard's PID alone, is
    /// what a user would stop (signalling the guard alone only repeats the stop its terraform is working on).
    #[error(
        "{}: the previous orchestrator {holder} did not finish cleanly (killed or crashed), and \
         the terraform it started is still stopping, saving its state (process groups {}, each \
         an `orchestrator __guard` with its terraform); wait for it to end, then run again (a \
         follow-up run converges what it left). Only if it hangs: `kill -KILL {}` stops \
         those groups (a state lock it held may then stay: see docs/reliability.md)",
        dir.display(),
        guards.iter().map(ToString::to_string).collect::<Vec<_>>().join(", "),
        guards.iter().map(|pid| format!("-{pid}")).collect::<Vec<_>>().join(" ")
    )]
    Stopping {
        dir: PathBuf,
        holder: Holder,
        guards: Vec<u32>,
    },
    #[error("{}: cannot lock the work directory: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl WorkDirLock {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl std::fmt::Display for Holder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (PID {}, started {})",
            self.command, self.pid, self.started
        )
    }
}

/// Locks `work_dir` (created if missing) for this process, or says who holds it. Every
/// command that writes into a work directory goes through here.
pub fn lock(work_dir: &Path, command: &str) -> Result<WorkDirLock, LockError> {
    let path = work_dir.join(LOCK_FILE);
    let io = |source| LockError::Io {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(work_dir).map_err(io)?;
    let open = || {
        OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
    };
    // A holder writes its record just after it takes the lock, and empties it just before it
    // lets go: a lock held with no record is looked at again for a moment, so the message
    // names the holder (or the lock is free by then).
    let mut unknown_since: Option<std::time::Instant> = None;
    let mut file = loop {
        match Flock::lock(open().map_err(io)?, FlockArg::LockExclusiveNonblock) {
            Ok(locked) => break locked,
            Err((mut file, Errno::EWOULDBLOCK)) => match read_holder(&mut file) {
                Some(holder) => {
                    return Err(LockError::Held {
                        dir: work_dir.to_path_buf(),
                        holder_alive: is_alive(holder.pid),
                        holder,
                    })
                }
                None if unknown_since
                    .get_or_insert_with(std::time::Instant::now)
                    .elapsed()
                    < RECORD_WAIT =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                None => {
                    return Err(LockError::HeldUnknown {
                        dir: work_dir.to_path_buf(),
                    })
                }
            },
            Err((_, errno)) => return Err(io(errno.into())),
        }
    };
    // The previous holder's record, if it did not end cleanly (a clean end empties the file).
    let stale = read_holder(&mut file).filter(|h| h.pid != std::process::id());
    if let Some(holder) = &stale {
        // Its terraform works in the layers' working directories until it has stopped.
        let workdirs = std::fs::canonicalize(work_dir)
            .unwrap_or_else(|_| work_dir.to_path_buf())
            .join("workdirs");
        let pids = crate::runner::guards_working_in(&workdirs);
        if !pids.is_empty() {
            return Err(LockError::Stopping {
                dir: work_dir.to_path_buf(),
                holder: holder.clone(),
                guards: pids,
            });
        }
    }
    let me = Holder {
        pid: std::process::id(),
        started: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        command: command.to_string(),
    };
    write_holder(&mut file, Some(&me)).map_err(io)?;
    Ok(WorkDirLock { file, path, stale })
}

impl Drop for WorkDirLock {
    fn drop(&mut self) {
        // A clean end: nothing for the next run to report as stale.
        let _ = write_holder(&mut self.file, None);
    }
}

fn read_holder(file: &mut File) -> Option<Holder> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0)).ok()?;
    file.read_to_string(&mut text).ok()?;
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_string)
    };
    Some(Holder {
        pid: field("pid")?.parse().ok()?,
        started: field("started")?,
        command: field("command").unwrap_or_else(|| "run".into()),
    })
}

fn write_holder(file: &mut File, holder: Option<&Holder>) -> std::io::Result<()> {
    file.set_len(0)?;
    file.seek(SeekFrom::Start(0))?;
    if let Some(h) = holder {
        write!(
            file,
            "pid={}\nstarted={}\ncommand={}\n",
            h.pid, h.started, h.command
        )?;
    }
    file.flush()
}

fn is_alive(pid: u32) -> bool {
    i32::try_from(pid).is_ok_and(|pid| {
        // A zombie has no command line: it is as good as gone.
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None).is_ok()
            && std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| !c.is_empty())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holder_named() {
        let dir = tempfile::tempdir().unwrap();
        let first = lock(dir.path(), "run").unwrap();
        assert!(first.stale.is_none());
        // flock locks belong to the open file: a second open in this process conflicts too.
        let err = lock(dir.path(), "deploy").unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(&format!("PID {}", std::process::id())),
            "{message}"
        );
        assert!(message.contains("orchestrator run"), "{message}");
        assert!(message.contains("--work-dir"), "{message}");
        drop(first);
        let again = lock(dir.path(), "deploy").unwrap();
        assert!(again.stale.is_none(), "a clean end leaves no stale record");
    }

    /// A run that holds the lock but has not written its record yet (it takes the lock
    /// first): the second run waits for the record and names the holder.
    #[test]
    fn a_holder_still_writing_its_record_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LOCK_FILE);
        let file = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .unwrap();
        let mut held = Flock::lock(file, FlockArg::LockExclusiveNonblock).unwrap();
        let writer = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(100));
            let me = Holder {
                pid: 4242,
                started: "2026-12-01T14:00:00Z".into(),
                command: "deploy".into(),
            };
            write_holder(&mut held, Some(&me)).unwrap();
            held
        });
        let err = lock(dir.path(), "run").unwrap_err();
        let _held = writer.join().unwrap();
        let message = err.to_string();
        assert!(
            message.contains(
                "another orchestrator deploy is using this work directory (PID 4242, started \
                 2026-12-01T14:00:00Z"
            ),
            "{message}"
        );
    }

    #[test]
    fn the_record_of_a_dead_run_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        // What a SIGKILLed run leaves: its record, and no lock (the kernel dropped it).
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        std::fs::write(
            dir.path().join(LOCK_FILE),
            format!("pid={dead}\nstarted=2026-01-01T00:00:00Z\ncommand=run\n"),
        )
        .unwrap();
        let taken = lock(dir.path(), "run").unwrap();
        assert_eq!(
            taken.stale,
            Some(Holder {
                pid: dead,
                started: "2026-01-01T00:00:00Z".into(),
                command: "run".into()
            })
        );
    }
}
