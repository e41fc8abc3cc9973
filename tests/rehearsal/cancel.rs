//! A step cancelled the way GitHub's runner cancels it (a run cancelled, or a job over its
//! `timeout-minutes`): SIGINT to the step's entry process, SIGTERM 7.5 s later, and about
//! 10 s after the SIGINT every process still left in the step's tree is killed (SIGKILL).
//! Only the entry process is signalled: a child of `bash` hears nothing unless the script
//! `exec`s it, which is what this is here to check.

use std::collections::BTreeSet;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

/// Which leg's step is cancelled, and when: `after` it started, or `after` a process named
/// `once_running` appears in its tree (so the cancel lands in the middle of an apply, however
/// slow the machine).
#[derive(Debug, Clone)]
pub struct Cancel {
    pub account: String,
    pub step: String,
    pub after: Duration,
    pub once_running: Option<String>,
}

const TERM_AFTER: Duration = Duration::from_millis(7_500);
const KILL_AFTER: Duration = Duration::from_secs(10);

/// What the cancel found.
#[derive(Debug, Default)]
pub struct Cancelled {
    /// The step had already ended when its time came (nothing was signalled).
    pub ended_before: bool,
    /// Processes of the step's tree still alive at the kill, by command name: each one was
    /// killed without a chance to save state or release a lock.
    pub killed: Vec<String>,
}

/// Waits for `child` (started in its own process group) and cancels it as `cancel` says.
pub fn wait_cancelled(child: &mut Child, cancel: &Cancel) -> Cancelled {
    let mut started = Instant::now();
    let after = cancel.after;
    let mut waiting_for = cancel.once_running.clone();
    let entry = Pid::from_raw(i32::try_from(child.id()).expect("a pid fits in i32"));
    let mut outcome = Cancelled::default();
    let mut sent = 0;
    // Every process that ever was in the tree: an orphan re-parented away from the step is
    // still the step's on GitHub (the runner tracks the whole job's processes).
    let mut tree: BTreeSet<i32> = BTreeSet::new();
    loop {
        let now = descendants(entry.as_raw());
        if let Some(name) = &waiting_for {
            if now
                .iter()
                .any(|pid| alive(*pid).as_deref() == Some(name.as_str()))
            {
                waiting_for = None;
                started = Instant::now();
            }
        }
        tree.extend(now);
        if child.try_wait().expect("wait for the step").is_some() {
            if sent == 0 {
                outcome.ended_before = true;
            }
            break;
        }
        let elapsed = started.elapsed();
        if waiting_for.is_some() {
            // Not yet: the process the cancel waits for has not started.
        } else if sent == 0 && elapsed >= after {
            let _ = kill(entry, Signal::SIGINT);
            sent = 1;
        } else if sent == 1 && elapsed >= after + TERM_AFTER {
            let _ = kill(entry, Signal::SIGTERM);
            sent = 2;
        } else if sent == 2 && elapsed >= after + KILL_AFTER {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    if sent > 0 {
        // The runner's kill of the step's process tree.
        tree.insert(entry.as_raw());
        for pid in tree {
            if let Some(name) = alive(pid) {
                outcome.killed.push(name);
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            }
        }
    }
    let _ = child.wait();
    outcome
}

/// Starts `command` as the step's entry process, in a process group of its own (as the
/// runner starts each step).
pub fn spawn(mut command: Command) -> Child {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
    command.spawn().expect("start the step")
}

/// Every live descendant of `root`, from /proc.
fn descendants(root: i32) -> Vec<i32> {
    let mut parents: Vec<(i32, i32)> = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Some(ppid) = stat(pid).map(|(_, ppid, _)| ppid) {
            parents.push((pid, ppid));
        }
    }
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let parent = found[i];
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    found.remove(0);
    found
}

/// The command name of `pid` if it is alive (not a zombie).
fn alive(pid: i32) -> Option<String> {
    stat(pid)
        .filter(|(_, _, state)| *state != 'Z' && *state != 'X')
        .map(|(name, _, _)| name)
}

/// (command name, parent pid, state) of a process.
fn stat(pid: i32) -> Option<(String, i32, char)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let name = text[open + 1..close].to_string();
    let mut rest = text[close + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    Some((name, ppid, state))
}
