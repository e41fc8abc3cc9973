//! The one writer of everything the orchestrator prints, on stdout and stderr, for people
//! and for the GitHub Actions runner that reads a step's output. Three rules live here:
//!
//! - **Data is neutralised.** Every text that can hold something the orchestrator did not
//!   write (terraform's output and error lines, names and values from domains.yaml, error
//!   messages) goes through `github_actions::neutralise`: no control character reaches the
//!   terminal and no line can run a workflow command. The orchestrator's own workflow commands
//!   (`::group::`, `::error`, `::add-mask::`) are written by `workflow_command`, `mask` and
//!   `github_group` only, their values escaped.
//! - **Masks come first.** One lock orders every write of the process, so an `::add-mask::`
//!   written before a secret is handed out precedes, in the combined log, every line written
//!   after. It is written to both streams: the runner reads stdout and stderr separately, and
//!   a mask precedes the secret on whichever stream the secret appears. No stop-commands
//!   region is ever opened (the runner ignores a mask printed inside one): data is made
//!   harmless line by line instead.
//! - **Printing never panics.** `println!` and `eprintln!` panic when the stream is gone
//!   (`| head` exited, a log shipper died, the terminal closed): mid-run that would kill the
//!   orchestrator and orphan terraform. Here a lost stream is noted once, in the run's own log
//!   file when there is one, and the run goes on to write its report and exit with its real
//!   outcome.
//!
//! Modules import the macros of this file (`use crate::console::eprintln;`), which shadow the
//! standard ones.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::github_actions::{escape_data, mask_lines, neutralise, neutralise_json};

static STDOUT_LOST: AtomicBool = AtomicBool::new(false);
static STDERR_LOST: AtomicBool = AtomicBool::new(false);
static RUN_LOG: OnceLock<PathBuf> = OnceLock::new();
/// Held for each write: lines of two threads never mix, and the order of the log is the
/// order of the calls.
static WRITER: Mutex<()> = Mutex::new(());

/// The progress bars while they are on screen: everything written goes above them
/// (`MultiProgress::suspend` clears, writes, redraws), so a message such as Ctrl-C's never
/// leaves a torn copy of the bars behind.
static LIVE_BARS: Mutex<Option<indicatif::MultiProgress>> = Mutex::new(None);

/// Called by the bars when they appear (`Some`) and once they are cleared (`None`).
pub fn set_live_bars(bars: Option<indicatif::MultiProgress>) {
    let mut live = LIVE_BARS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    *live = bars;
}

/// A loss found before the run had its log (a notice printed while it took its work dir):
/// noted there as soon as it has one.
static PENDING_NOTE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Where a lost stream is noted: `<work dir>/orchestrator.log` once a run holds its work dir.
pub fn set_run_log(path: PathBuf) {
    // Under the writer, as every loss is found: none slips between the two steps.
    let _guard = writer();
    let _ = RUN_LOG.set(path);
    let pending = std::mem::take(
        &mut *PENDING_NOTE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
    );
    pending.iter().for_each(|note| note_in_run_log(note));
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

fn writer() -> MutexGuard<'static, ()> {
    // A panic elsewhere while printing leaves nothing half-done that matters here.
    WRITER
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Writes `bytes` to `stream`, above the bars when they are on screen; the caller holds the
/// writer.
fn put(stream: Stream, bytes: &[u8]) -> std::io::Result<()> {
    let live = LIVE_BARS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    match live {
        Some(bars) => bars.suspend(|| put_now(stream, bytes)),
        None => put_now(stream, bytes),
    }
}

#[allow(clippy::disallowed_methods)] // the one place that writes to the streams
fn put_now(stream: Stream, bytes: &[u8]) -> std::io::Result<()> {
    let result = match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(bytes).and_then(|()| out.flush())
        }
        Stream::Stderr => {
            let mut err = std::io::stderr().lock();
            err.write_all(bytes).and_then(|()| err.flush())
        }
    };
    if let Err(e) = &result {
        match stream {
            Stream::Stdout => lost(&STDOUT_LOST, "stdout", e),
            Stream::Stderr => lost(&STDERR_LOST, "stderr", e),
        }
    }
    result
}

/// One line of text (data allowed) to stderr; a failure is noted once and otherwise ignored.
pub fn stderr_line(text: &str) {
    let line = format!("{}\n", neutralise(text));
    let _guard = writer();
    let _ = put(Stream::Stderr, line.as_bytes());
}

/// Text (data allowed) to stderr, no newline added; a failure is noted once and otherwise
/// ignored.
pub fn stderr_text(text: &str) {
    let text = neutralise(text);
    let _guard = writer();
    let _ = put(Stream::Stderr, text.as_bytes());
}

/// Text (data allowed) to stdout, no newline added; a failure is noted once and otherwise
/// ignored.
pub fn stdout_text(text: &str) {
    let text = neutralise(text);
    let _guard = writer();
    let _ = put(Stream::Stdout, text.as_bytes());
}

/// What a command prints on stdout for a program or a file (`jobs`, `matrix`, a PR comment):
/// the error is returned, for the command to judge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    /// JSON: neutralised without changing its value.
    Json,
    /// Markdown or plain text: neutralised like any data (a `\` before punctuation reads the
    /// same in Markdown).
    Text,
    /// Generated by the orchestrator from nothing a user wrote (shell completions, the man
    /// page, the JSON Schemas): as it is.
    Own,
}

pub fn stdout_document(text: &str, kind: Document) -> std::io::Result<()> {
    let text = match kind {
        Document::Json => neutralise_json(text),
        Document::Text => neutralise(text),
        Document::Own => std::borrow::Cow::Borrowed(text),
    };
    let _guard = writer();
    put(Stream::Stdout, text.as_bytes())
}

/// One of the orchestrator's own workflow commands (`::error title=...::...`), built with
/// `escape_data`/`escape_property` for its values: the only raw line this module writes.
pub fn workflow_command(stream: Stream, command: &str) {
    debug_assert!(
        command.starts_with("::") && !command.contains(['\n', '\r']),
        "not one workflow command: {command:?}"
    );
    // No region is ever opened, so no mask can fall inside one (the runner ignores it there).
    debug_assert!(
        !command.to_ascii_lowercase().starts_with("::stop-commands"),
        "a stop-commands region would swallow later masks: {command:?}"
    );
    let line = format!("{command}\n");
    let _guard = writer();
    let _ = put(stream, line.as_bytes());
}

/// `::add-mask::` for a secret, on stdout and stderr, before the caller hands the secret
/// to anyone: every line written after this call is masked by the runner.
pub fn mask(secret: &str) {
    let lines = mask_lines(secret);
    let _guard = writer();
    let _ = put(Stream::Stdout, lines.as_bytes());
    let _ = put(Stream::Stderr, lines.as_bytes());
}

/// A folded section of the job log on stdout: `::group::<title>`, `body` line by line
/// (neutralised), `::endgroup::`, with no other write in between.
pub fn github_group(title: &str, body: &str) -> std::io::Result<()> {
    let text = group_text(title, body);
    let _guard = writer();
    put(Stream::Stdout, text.as_bytes())
}

fn group_text(title: &str, body: &str) -> String {
    let mut text = format!("::group::{}\n", escape_data(title));
    text.push_str(&neutralise(body));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str("::endgroup::\n");
    text
}

/// stderr as a `Write` for text with data (a prompt): each write is neutralised like a line.
pub struct StderrData;

impl Write for StderrData {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        stderr_text(&String::from_utf8_lossy(buf));
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// stderr for log lines (`tracing`, whose fields are neutralised as they are formatted): a
/// write that fails is noted once and reported as done, so no logger ever panics or stops
/// the run over a lost terminal.
pub struct StderrSink;

impl Write for StderrSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _guard = writer();
        let _ = put(Stream::Stderr, buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Reports a panic through the writer like any message (a panic's text can quote data: a
/// string sliced off a char boundary is shown whole) instead of the standard hook's raw
/// write. Never waits on the writer: the panic may have come while this thread held it.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "Box<dyn Any>".to_string());
        let location = info.location().map(ToString::to_string);
        let thread = std::thread::current();
        let text = panic_text(thread.name(), location.as_deref(), &payload);
        let backtrace = std::backtrace::Backtrace::capture();
        let text = match backtrace.status() {
            std::backtrace::BacktraceStatus::Captured => format!("{text}{backtrace}\n"),
            _ => format!("{text}{BACKTRACE_NOTE}"),
        };
        let _guard = WRITER.try_lock();
        let _ = put_now(Stream::Stderr, text.as_bytes());
    }));
}

/// The standard hook's advice, given only when no backtrace was captured.
const BACKTRACE_NOTE: &str =
    "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n";

/// The standard hook's words, the message neutralised.
fn panic_text(thread: Option<&str>, location: Option<&str>, message: &str) -> String {
    format!(
        "thread '{}' panicked at {}:\n{}\n",
        thread.unwrap_or("<unnamed>"),
        location.unwrap_or("<unknown>"),
        neutralise(message)
    )
}

/// Whether stderr was found gone.
pub fn stderr_lost() -> bool {
    STDERR_LOST.load(Ordering::Relaxed)
}

fn lost(flag: &AtomicBool, stream: &str, error: &std::io::Error) {
    if flag.swap(true, Ordering::Relaxed) {
        return;
    }
    let note = format!(
        "{}: {stream} is gone ({error}); the run goes on, see its run report and layer logs",
        humantime::format_rfc3339_seconds(std::time::SystemTime::now())
    );
    if RUN_LOG.get().is_some() {
        note_in_run_log(&note);
    } else {
        PENDING_NOTE
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(note);
    }
}

fn note_in_run_log(note: &str) {
    let Some(path) = RUN_LOG.get() else {
        return;
    };
    if let Ok(mut file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(file, "{note}");
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

/// `eprint!` that never panics.
macro_rules! eprint {
    ($($arg:tt)*) => {
        $crate::console::stderr_text(&format!($($arg)*))
    };
}

/// `print!` that never panics.
macro_rules! print {
    ($($arg:tt)*) => {
        $crate::console::stdout_text(&format!($($arg)*))
    };
}

pub(crate) use {eprint, eprintln, print, println};

#[cfg(test)]
mod tests {
    #[test]
    fn a_group_shows_its_data_without_obeying_it() {
        let text = super::group_text(
            "catalog-dev platform: failed\n::error::x",
            "$ terraform apply\n::set-env name=X::y\r::add-mask::z\n##[error]w\nApply complete!",
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines,
            [
                "::group::catalog-dev platform: failed%0A::error::x",
                "$ terraform apply",
                "\\::set-env name=X::y\\r::add-mask::z",
                "##\\[error]w",
                "Apply complete!",
                "::endgroup::",
            ]
        );
    }

    #[test]
    fn a_panic_quoting_data_runs_no_command() {
        let text = super::panic_text(
            Some("main"),
            Some("orchestrator/config/read.rs:1:2"),
            "byte index 2 is not a char boundary of `x\r::add-mask::y\x1b[2J`",
        );
        assert_eq!(
            text.lines().nth(1),
            Some("byte index 2 is not a char boundary of `x\\r::add-mask::y\\x1b[2J`")
        );
        assert!(text.starts_with("thread 'main' panicked at orchestrator/config/read.rs:1:2:\n"));
    }

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
