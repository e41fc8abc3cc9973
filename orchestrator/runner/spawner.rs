//! Where terraform processes are started: threads of their own, not the async runtime's.
//!
//! Starting a process blocks the thread that starts it until the child has called `exec`:
//! `fork` copies the orchestrator's page tables, and the parent then waits for the child to
//! be scheduled, run its pre-exec step (`parent_death`) and exec. On a loaded machine that
//! wait is tens of milliseconds. Done on the runtime's worker threads (one per core), a
//! thousand jobs starting their next command at once queued behind one another, and every
//! other task (noticing that a terraform exited, starting the next step) queued behind them:
//! 1,000 jobs on 2 busy cores spent seconds per command waiting for their turn to start one.
//! Here up to [`THREADS`] starts are under way at once and the runtime keeps running.
//!
//! The threads live as long as the process: the kernel sends a child its parent-death signal
//! when the *thread* that started it ends, so a thread that started a terraform must outlive
//! it. They are started on demand and never end before the process does.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::process::{Child, Command};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use super::cancel::Cancellation;

/// How many processes may be starting at once. Each waits mostly for its child to be
/// scheduled, not for a core, so more than the core count helps; past a few dozen the
/// children only compete with each other for the cores.
const THREADS: usize = 32;

struct Request {
    command: Command,
    /// Checked right before the start: an interrupted run starts nothing new.
    cancel: Cancellation,
    /// The runtime the child's exit is watched from.
    runtime: Handle,
    reply: oneshot::Sender<io::Result<Option<Child>>>,
}

struct Pool {
    requests: Sender<Request>,
    waiting: Arc<Mutex<Receiver<Request>>>,
    /// Threads started, and how many of them wait for a request.
    threads: AtomicUsize,
    idle: Arc<AtomicUsize>,
}

/// Starts `command` on a spawner thread, unless the run was interrupted before its turn came
/// (`None`); must be called from within a tokio runtime, which then watches the child.
/// Dropping the returned future before it resolves drops the child, which `kill_on_drop`
/// decides about.
pub(super) async fn spawn(command: Command, cancel: &Cancellation) -> io::Result<Option<Child>> {
    let (reply, answer) = oneshot::channel();
    let request = Request {
        command,
        cancel: cancel.clone(),
        runtime: Handle::current(),
        reply,
    };
    pool().submit(request)?;
    answer
        .await
        .unwrap_or_else(|_| Err(io::Error::other("the process-starting thread stopped")))
}

fn pool() -> &'static Pool {
    static POOL: OnceLock<Pool> = OnceLock::new();
    POOL.get_or_init(|| {
        let (requests, waiting) = mpsc::channel();
        Pool {
            requests,
            waiting: Arc::new(Mutex::new(waiting)),
            threads: AtomicUsize::new(0),
            idle: Arc::new(AtomicUsize::new(0)),
        }
    })
}

impl Pool {
    fn submit(&self, request: Request) -> io::Result<()> {
        // One more thread when none is free; a race only starts one too many or too few,
        // and a request always finds a thread once one is free.
        if self.idle.load(Ordering::Acquire) == 0 {
            // Refused (the limit, or the system has no thread to give): a running thread
            // takes the request when it is free.
            let _ = self.start_thread();
        }
        if self.threads.load(Ordering::Acquire) == 0 {
            return Err(io::Error::other("no thread to start processes on"));
        }
        self.requests
            .send(request)
            .map_err(|_| io::Error::other("the process-starting threads stopped"))
    }

    fn start_thread(&self) -> io::Result<()> {
        let started = self.threads.fetch_add(1, Ordering::AcqRel);
        if started >= THREADS {
            self.threads.fetch_sub(1, Ordering::AcqRel);
            return Err(io::Error::other("every process-starting thread exists"));
        }
        let waiting = Arc::clone(&self.waiting);
        let idle = Arc::clone(&self.idle);
        let spawned = std::thread::Builder::new()
            .name("orchestrator-spawn".into())
            .spawn(move || serve(&waiting, &idle));
        if let Err(e) = spawned {
            self.threads.fetch_sub(1, Ordering::AcqRel);
            return Err(e);
        }
        Ok(())
    }
}

/// A spawner thread: starts processes until the process ends.
fn serve(waiting: &Mutex<Receiver<Request>>, idle: &AtomicUsize) {
    loop {
        idle.fetch_add(1, Ordering::AcqRel);
        let request = waiting.lock().unwrap_or_else(|e| e.into_inner()).recv();
        idle.fetch_sub(1, Ordering::AcqRel);
        let Ok(Request {
            mut command,
            cancel,
            runtime,
            reply,
        }) = request
        else {
            // The pool is static: its sender is never dropped. Staying alive keeps the
            // children of this thread alive all the same.
            std::thread::park();
            continue;
        };
        let child = if cancel.is_interrupted() {
            Ok(None)
        } else {
            let _in_runtime = runtime.enter();
            command.spawn().map(Some)
        };
        // The caller gave up waiting: the child is dropped here (and killed if it asked).
        let _ = reply.send(child);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// The parent-death signal follows the thread that started a process: a process asked
    /// for by a thread that then ends must keep running.
    #[test]
    fn a_process_outlives_the_thread_that_asked_for_it() {
        let dir = tempfile::tempdir().unwrap();
        let done = dir.path().join("done");
        let script = format!("sleep 0.5; echo ok > '{}'", done.display());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let mut command = std::process::Command::new("sh");
                command.args(["-c", &script]);
                crate::runner::parent_death::stop_with_parent(&mut command);
                let mut command = Command::from(command);
                command.kill_on_drop(false);
                spawn(command, &Cancellation::never()).await.unwrap();
            });
        })
        .join()
        .unwrap();
        for _ in 0..100 {
            if done.exists() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the process died with the thread that asked for it");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_processes_start_at_once_and_each_is_watched() {
        let children = (0..64).map(|i| async move {
            let mut command = Command::new("sh");
            command.args(["-c", &format!("exit {}", i % 3)]);
            let child = spawn(command, &Cancellation::never()).await.unwrap();
            child.unwrap().wait().await.unwrap().code()
        });
        let codes = futures::future::join_all(children).await;
        assert_eq!(codes, (0..64).map(|i| Some(i % 3)).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn an_interrupted_run_starts_nothing_new() {
        let (handle, cancel) = crate::runner::cancel::cancellation();
        handle.escalate();
        let dir = tempfile::tempdir().unwrap();
        let mut command = Command::new("touch");
        command.arg(dir.path().join("started"));
        assert!(spawn(command, &cancel).await.unwrap().is_none());
        assert!(!dir.path().join("started").exists());
    }
}
