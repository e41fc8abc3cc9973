//! How a run is stopped from outside. The library never installs signal handlers: the command
//! owns the [`CancelHandle`] and turns Ctrl-C / SIGTERM into [`CancelHandle::escalate`]; the
//! runner and every terraform process it supervises watch a [`Cancellation`].

use tokio::sync::watch;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StopLevel {
    Running,
    /// Start nothing new; forward one SIGINT to every running terraform and wait for it
    /// (terraform then saves its state and releases its lock).
    Interrupt,
    /// Kill every running terraform's process group now.
    Kill,
}

/// The command's end: raises the stop level.
#[derive(Debug)]
pub struct CancelHandle(watch::Sender<StopLevel>);

/// The runner's end: cheap to clone, one per task that needs to react.
#[derive(Debug, Clone)]
pub struct Cancellation(watch::Receiver<StopLevel>);

pub fn cancellation() -> (CancelHandle, Cancellation) {
    let (tx, rx) = watch::channel(StopLevel::Running);
    (CancelHandle(tx), Cancellation(rx))
}

impl CancelHandle {
    /// First call interrupts, the next kills; returns the new level.
    pub fn escalate(&self) -> StopLevel {
        let mut level = StopLevel::Running;
        self.0.send_modify(|current| {
            *current = match *current {
                StopLevel::Running => StopLevel::Interrupt,
                _ => StopLevel::Kill,
            };
            level = *current;
        });
        level
    }

    pub fn level(&self) -> StopLevel {
        *self.0.borrow()
    }
}

impl Cancellation {
    /// A cancellation that never fires (benchmarks, library callers without signals).
    pub fn never() -> Self {
        // With the handle dropped, the level stays `Running` and waiting stays pending.
        cancellation().1
    }

    pub fn level(&self) -> StopLevel {
        *self.0.borrow()
    }

    pub fn is_interrupted(&self) -> bool {
        self.level() >= StopLevel::Interrupt
    }

    /// Resolves once the run is interrupted (or killed).
    pub async fn interrupted(&mut self) {
        self.reached(StopLevel::Interrupt).await;
    }

    /// Resolves once the run must kill what is left.
    pub async fn killed(&mut self) {
        self.reached(StopLevel::Kill).await;
    }

    async fn reached(&mut self, level: StopLevel) {
        if self.0.wait_for(|current| *current >= level).await.is_err() {
            // The handle is gone without reaching `level`: it never will.
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_first_signal_interrupts_and_the_second_kills() {
        let (handle, mut cancel) = cancellation();
        assert!(!cancel.is_interrupted());
        assert_eq!(handle.escalate(), StopLevel::Interrupt);
        cancel.interrupted().await;
        assert!(cancel.is_interrupted());
        assert_eq!(cancel.level(), StopLevel::Interrupt);
        assert_eq!(handle.escalate(), StopLevel::Kill);
        cancel.killed().await;
        assert_eq!(handle.escalate(), StopLevel::Kill);
    }

    #[tokio::test]
    async fn a_dropped_handle_never_cancels() {
        let mut cancel = Cancellation::never();
        // Real time, not a paused clock: tokio's test-util feature would make `cargo test`
        // rebuild tokio and everything above it instead of reusing `cargo build`'s artifacts.
        let waited =
            tokio::time::timeout(std::time::Duration::from_millis(200), cancel.interrupted()).await;
        assert!(waited.is_err());
        assert!(!cancel.is_interrupted());
    }
}
