//! The one listener for the signals that stop a run (Ctrl-C, SIGTERM). Only the binary
//! listens; the library takes the result as a `Cancellation`. It serves preflight (stop before
//! anything starts), the run (forwarded to terraform) and a question on the terminal
//! (`unless_stopped`: once a run has listened, tokio's handler stays for the life of the
//! process, so without this a Ctrl-C at destroy's question would be swallowed).

use futures::future::select_all;
use tokio::signal::unix::{signal, Signal, SignalKind};

use crate::console::eprintln;
use crate::runner::{CancelHandle, StopLevel};

/// The signals that stop a run; the first stops it gracefully, the next one kills.
/// SIGHUP (a closed terminal, a dropped ssh session) and SIGQUIT are stops like any other:
/// left unhandled they would kill the orchestrator and orphan every terraform mid-apply.
const STOP: [fn() -> SignalKind; 4] = [
    SignalKind::interrupt,
    SignalKind::terminate,
    SignalKind::hangup,
    SignalKind::quit,
];

/// SIGHUP's place in [`STOP`]. A closed terminal sends it twice, at once: the kernel to the
/// foreground job and the shell to each of its jobs. That second one is no one asking to kill,
/// so a hangup only ever stops gracefully.
const HANGUP: usize = 2;

/// Runs `blocking` (a question on the terminal: a read of stdin cannot be cancelled) on a
/// thread of its own, unless a stop signal comes first: then `None`, and the thread is left
/// to end with the process.
pub(super) fn unless_stopped<T: Send + 'static>(
    blocking: impl FnOnce() -> T + Send + 'static,
) -> Result<Option<T>, crate::exit::CliError> {
    super::claiming::runtime()?.block_on(async {
        let mut signals = StopSignals::listen();
        let (answer, answered) = tokio::sync::oneshot::channel();
        std::thread::spawn(move || {
            let _ = answer.send(blocking());
        });
        tokio::select! {
            answer = answered => Ok(answer.ok()),
            _ = signals.next() => Ok(None),
        }
    })
}

pub(super) struct StopSignals(Option<Vec<Signal>>);

impl StopSignals {
    /// Must be called inside the tokio runtime.
    pub(super) fn listen() -> Self {
        let listening: Option<Vec<Signal>> = STOP.iter().map(|kind| signal(kind()).ok()).collect();
        if listening.is_none() {
            tracing::warn!("cannot listen for Ctrl-C; it will stop the orchestrator at once");
        }
        Self(listening)
    }

    /// The next stop signal (its place in [`STOP`]); never, when no listener could be
    /// installed.
    pub(super) async fn next(&mut self) -> usize {
        match &mut self.0 {
            Some(signals) => {
                let (_, index, _) =
                    select_all(signals.iter_mut().map(|s| Box::pin(s.recv()))).await;
                index
            }
            None => std::future::pending().await,
        }
    }

    /// Turns every stop signal into a step of `handle`: one SIGINT to each terraform (it
    /// saves state and releases its lock), then kill.
    pub(super) async fn forward(mut self, handle: CancelHandle) {
        loop {
            let signal = self.next().await;
            if signal == HANGUP && handle.level() != StopLevel::Running {
                continue;
            }
            match handle.escalate() {
                StopLevel::Interrupt => eprintln!(
                    "\ninterrupted: stopping every terraform gracefully (state saved, locks \
                     released); press Ctrl-C again to kill them"
                ),
                _ => eprintln!("\nkilling every terraform process"),
            }
        }
    }
}
