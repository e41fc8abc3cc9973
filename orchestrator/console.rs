//! What the orchestrator prints for people, on stdout and stderr, without ever panicking.
//! `println!` and `eprintln!` panic when the stream is gone (`| head` exited, a log shipper
//! died, the terminal closed): mid-run that would kill the orchestrator and orphan terraform.
//! Here a lost stream is noted once, in the run's own log file when there is one, and the
//! run goes on to write its report and exit with its real outcome.
//!
//! Modules import the macros of this file (`use crate::console::eprintln;`), which shadow the
//! standard ones.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

static STDOUT_LOST: AtomicBool = AtomicBool::new(false);
static STDERR_LOST: AtomicBool = AtomicBool::new(false);
static RUN_LOG: OnceLock<PathBuf> = OnceLock::new();
/// The progress bars while they are on screen: every line printed for people goes above
/// them (`MultiProgress::suspend` clears, writes, redraws), so a message such as Ctrl-C's
/// never leaves a torn copy of the bars behind.
static LIVE_BARS: Mutex<Option<indicatif::MultiProgress>> = Mutex::new(None);

/// Called by the bars when they appear (`Some`) and once they are cleared (`None`).
pub fn set_live_bars(bars: Option<indicatif::MultiProgress>) {
    if let Ok(mut live) = LIVE_BARS.lock() {
        *live = bars;
    }
}

/// Runs `write` with the bars (if any) lifted off the screen.
fn above_live_bars(write: impl FnOnce()) {
    let live = LIVE_BARS.lock().ok().and_then(|live| live.clone());
    match live {
        Some(bars) => bars.suspend(write),
        None => write(),
    }
}

/// Where a lost stream is noted: `<work dir>/orchestrator.log` once a run holds its work dir.
pub fn set_run_log(path: PathBuf) {
    let _ = RUN_LOG.set(path);
}

/// One line to stderr; a failure is noted once and otherwise ignored.
pub fn stderr_line(text: &str) {
    above_live_bars(|| {
        let mut err = std::io::stderr().lock();
        if let Err(e) = writeln!(err, "{text}").and_then(|()| err.flush()) {
            lost(&STDERR_LOST, "stderr", &e);
        }
    });
}

/// Text to stdout (no newline added); a failure is noted once and otherwise ignored.
pub fn stdout_text(text: &str) {
    above_live_bars(|| {
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
            lost(&STDOUT_LOST, "stdout", &e);
        }
    });
}

/// stderr for log lines (`tracing`): a write that fails is noted once and reported as done,
/// so no logger ever panics or stops the run over a lost terminal.
pub struct StderrSink;

impl Write for StderrSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        above_live_bars(|| {
            if let Err(e) = std::io::stderr().write_all(buf) {
                lost(&STDERR_LOST, "stderr", &e);
            }
        });
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// Whether stderr was found gone.
pub fn stderr_lost() -> bool {
    STDERR_LOST.load(Ordering::Relaxed)
}

fn lost(flag: &AtomicBool, stream: &str, error: &std::io::Error) {
    if flag.swap(true, Ordering::Relaxed) {
        return;
    }
    let Some(path) = RUN_LOG.get() else {
        return;
    };
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(
            file,
            "{}: {stream} is gone ({error}); the run goes on, see its run report and layer logs",
            humantime::format_rfc3339_seconds(std::time::SystemTime::now())
        );
    }
}

/// `eprintln!` that never panics.
macro_rules! eprintln {
    () => {
        $crate::console::stderr_line("")
    };
    ($($arg:tt)*) => {
        $crate::console::stderr_line(&format!($($arg)*))
    };
}

/// `println!` that never panics.
macro_rules! println {
    () => {
        $crate::console::stdout_text("\n")
    };
    ($($arg:tt)*) => {
        $crate::console::stdout_text(&(format!($($arg)*) + "\n"))
    };
}

pub(crate) use {eprintln, println};

#[cfg(test)]
mod tests {
    #[test]
    fn a_lost_stream_is_noted_once_in_the_run_log() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("orchestrator.log");
        super::set_run_log(log.clone());
        let error = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let flag = std::sync::atomic::AtomicBool::new(false);
        super::lost(&flag, "stderr", &error);
        super::lost(&flag, "stderr", &error);
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.matches("stderr is gone").count(), 1, "{text}");
    }
}
