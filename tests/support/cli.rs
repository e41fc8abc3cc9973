//! The built binary as every test launches it: a builder (arguments, environment, working
//! directory) that runs it to a `Run` (exit code, stdout, stderr, checked to be UTF-8), or
//! hands over its `Command` to a test that spawns it itself (signals, a pty, a sandbox's
//! leftover check). Snapshots take `Run::stdout`/`stderr` into `insta`.
//!
//! What a run must have done is said with `Run`'s `expect_*` methods, chained (assert_cmd's
//! and trycmd's vocabulary): the exit code, a stream exactly, containing or lacking a text,
//! or matching a regex (`regex` crate syntax, multi-line: `^`/`$` are line ends), and the
//! files it must have written, relative to its working directory. A failure shows the
//! expectation, the whole stdout and stderr, and for a file, the file.
//!
//! One environment policy: a run starts from an empty environment plus what a process needs
//! to start programs and find its home (`PASSED`). Nothing else the host sets reaches it: no
//! CI's `$GITHUB_OUTPUT` or step summary, no `ORCHESTRATOR_CONFIG`, no `TF_VAR_fail_account`,
//! plugin cache, AWS profile or Slack webhook. A test sets what it means to.

use std::ffi::OsStr;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_orchestrator");

/// What a run takes from the host: finding programs (terraform, git, sh), a home and a temp
/// dir, the locale, and terraform's own CLI configuration (a machine's provider mirror).
const PASSED: &[&str] = &[
    "PATH",
    "HOME",
    "TMPDIR",
    "LANG",
    "LC_ALL",
    "TF_CLI_CONFIG_FILE",
];

/// `orchestrator`, no arguments, in the test's working dir, with the one environment policy.
pub fn orchestrator() -> Cli {
    let mut command = Command::new(BIN);
    isolate(&mut command);
    Cli { command }
}

/// The environment policy, for a command that runs the binary indirectly (a script that
/// calls it, a workflow step).
pub fn isolate(command: &mut Command) {
    command.env_clear();
    for name in PASSED {
        if let Some(value) = std::env::var_os(name) {
            command.env(name, value);
        }
    }
}

#[must_use]
pub struct Cli {
    command: Command,
}

impl Cli {
    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn args<S: AsRef<OsStr>>(mut self, args: impl IntoIterator<Item = S>) -> Self {
        self.command.args(args);
        self
    }

    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    pub fn envs<K: AsRef<OsStr>, V: AsRef<OsStr>>(
        mut self,
        vars: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.command.envs(vars);
        self
    }

    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Self {
        self.command.env_remove(name);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// The command, for a test that spawns it itself (signals, a terminal, a closed pipe).
    pub fn command(self) -> Command {
        self.command
    }

    /// Runs to the end with stdin closed and both streams captured; what it prints is UTF-8.
    pub fn run(self) -> Run {
        let dir = self.command.get_current_dir().map(Path::to_path_buf);
        let run = Run::utf8(self.output());
        match dir {
            Some(dir) => run.in_dir(dir),
            None => run,
        }
    }

    /// Runs to the end with stdout and stderr in one file, in the order they were written (as
    /// a CI log shows them: a mask must come before the secret it hides).
    pub fn run_interleaved(self) -> Interleaved {
        self.interleaved(|_| {})
    }

    /// `run_interleaved`, with one Ctrl-C (SIGINT) after `delay`.
    pub fn run_interrupted_after(self, delay: Duration) -> Interleaved {
        self.interleaved(|child| {
            std::thread::sleep(delay);
            let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT).unwrap();
        })
    }

    fn interleaved(mut self, meanwhile: impl FnOnce(&Child)) -> Interleaved {
        let mut file = tempfile::tempfile().unwrap();
        let mut child = self
            .command
            .stdin(Stdio::null())
            .stdout(file.try_clone().unwrap())
            .stderr(file.try_clone().unwrap())
            .spawn()
            .expect("the orchestrator binary runs");
        meanwhile(&child);
        let status = child.wait().expect("the orchestrator ends");
        let mut output = String::new();
        file.seek(SeekFrom::Start(0)).unwrap();
        file.read_to_string(&mut output)
            .expect("the output is UTF-8");
        Interleaved {
            code: status.code(),
            output,
        }
    }

    pub fn output(mut self) -> Output {
        self.command
            .stdin(Stdio::null())
            .output()
            .expect("the orchestrator binary runs")
    }
}

/// What one run did; the `expect_*` methods fail the test with both streams shown.
#[derive(Debug)]
pub struct Run {
    /// `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Where the `expect_file*` paths start: the run's working directory.
    dir: PathBuf,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            dir: std::env::current_dir().expect("the tests' working directory"),
        }
    }
}

impl Run {
    /// The run of a process that must print UTF-8 (the orchestrator's own output).
    pub fn utf8(output: Output) -> Self {
        for (name, bytes) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            assert!(std::str::from_utf8(bytes).is_ok(), "{name} is not UTF-8");
        }
        Self::from(output)
    }

    /// The directory the `expect_file*` paths are relative to (a run made from an `Output`
    /// starts with the tests' own working directory).
    pub fn in_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = dir.into();
        self
    }

    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        if self.code != Some(code) {
            panic!("expected exit code {code}\n{self}");
        }
        self
    }

    #[track_caller]
    pub fn expect_success(&self) -> &Self {
        self.expect_code(0)
    }

    /// stdout is exactly `text`.
    #[track_caller]
    pub fn expect_stdout(&self, text: &str) -> &Self {
        self.expect("stdout", &self.stdout, &Text::Exactly(text))
    }

    #[track_caller]
    pub fn expect_stdout_contains(&self, text: &str) -> &Self {
        self.expect("stdout", &self.stdout, &Text::Contains(text))
    }

    #[track_caller]
    pub fn expect_stdout_lacks(&self, text: &str) -> &Self {
        self.expect("stdout", &self.stdout, &Text::Lacks(text))
    }

    /// stdout matches the regex `pattern` somewhere (multi-line: `^`/`$` are line ends).
    #[track_caller]
    pub fn expect_stdout_matches(&self, pattern: &str) -> &Self {
        self.expect("stdout", &self.stdout, &Text::Matches(pattern))
    }

    /// stderr is exactly `text`.
    #[track_caller]
    pub fn expect_stderr(&self, text: &str) -> &Self {
        self.expect("stderr", &self.stderr, &Text::Exactly(text))
    }

    #[track_caller]
    pub fn expect_stderr_contains(&self, text: &str) -> &Self {
        self.expect("stderr", &self.stderr, &Text::Contains(text))
    }

    #[track_caller]
    pub fn expect_stderr_lacks(&self, text: &str) -> &Self {
        self.expect("stderr", &self.stderr, &Text::Lacks(text))
    }

    /// stderr matches the regex `pattern` somewhere (multi-line: `^`/`$` are line ends).
    #[track_caller]
    pub fn expect_stderr_matches(&self, pattern: &str) -> &Self {
        self.expect("stderr", &self.stderr, &Text::Matches(pattern))
    }

    /// Neither stream contains `text` (a secret, a workflow command).
    #[track_caller]
    pub fn expect_never_prints(&self, text: &str) -> &Self {
        self.expect_stdout_lacks(text).expect_stderr_lacks(text)
    }

    /// The file at `path` (relative to the run's directory) holds exactly `text`.
    #[track_caller]
    pub fn expect_file(&self, path: impl AsRef<Path>, text: &str) -> &Self {
        self.expect_in_file(path.as_ref(), &Text::Exactly(text))
    }

    #[track_caller]
    pub fn expect_file_contains(&self, path: impl AsRef<Path>, text: &str) -> &Self {
        self.expect_in_file(path.as_ref(), &Text::Contains(text))
    }

    #[track_caller]
    pub fn expect_file_lacks(&self, path: impl AsRef<Path>, text: &str) -> &Self {
        self.expect_in_file(path.as_ref(), &Text::Lacks(text))
    }

    /// The file matches the regex `pattern` somewhere (multi-line: `^`/`$` are line ends).
    #[track_caller]
    pub fn expect_file_matches(&self, path: impl AsRef<Path>, pattern: &str) -> &Self {
        self.expect_in_file(path.as_ref(), &Text::Matches(pattern))
    }

    /// Nothing exists at `path` (relative to the run's directory).
    #[track_caller]
    pub fn expect_no_file(&self, path: impl AsRef<Path>) -> &Self {
        let path = self.dir.join(path);
        if path.exists() {
            panic!("{} exists\n{self}", path.display());
        }
        self
    }

    /// The text of the file at `path` (relative to the run's directory), which must exist,
    /// for a check the `expect_file*` methods do not make.
    #[track_caller]
    pub fn file(&self, path: impl AsRef<Path>) -> String {
        let path = self.dir.join(path);
        match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) => panic!("{} is not readable: {e}\n{self}", path.display()),
        }
    }

    #[track_caller]
    fn expect(&self, stream: &str, text: &str, expected: &Text<'_>) -> &Self {
        if let Some(failure) = expected.fails_on(text) {
            panic!("{stream} {failure}\n{self}");
        }
        self
    }

    #[track_caller]
    fn expect_in_file(&self, path: &Path, expected: &Text<'_>) -> &Self {
        let text = self.file(path);
        if let Some(failure) = expected.fails_on(&text) {
            let path = self.dir.join(path);
            let path = path.display();
            panic!("{path} {failure}\n--- {path}\n{text}\n{self}");
        }
        self
    }
}

/// One expectation on a text (a stream, a file).
enum Text<'a> {
    Exactly(&'a str),
    Contains(&'a str),
    Lacks(&'a str),
    Matches(&'a str),
}

impl Text<'_> {
    /// What is wrong with `text`, said after the name of what it is ("stdout", a path).
    fn fails_on(&self, text: &str) -> Option<String> {
        let holds = match self {
            Text::Exactly(expected) => text == *expected,
            Text::Contains(needle) => text.contains(needle),
            Text::Lacks(needle) => !text.contains(needle),
            Text::Matches(pattern) => regex::RegexBuilder::new(pattern)
                .multi_line(true)
                .build()
                .unwrap_or_else(|e| panic!("the pattern /{pattern}/ is not a regex: {e}"))
                .is_match(text),
        };
        (!holds).then(|| match self {
            Text::Exactly(expected) => format!("is not exactly\n--- expected\n{expected}"),
            Text::Contains(needle) => format!("does not contain {needle:?}"),
            Text::Lacks(needle) => format!("contains {needle:?}"),
            Text::Matches(pattern) => format!("does not match /{pattern}/"),
        })
    }
}

/// What one run printed, both streams in the order written, and how it ended.
#[derive(Debug)]
pub struct Interleaved {
    /// `None` when a signal ended it.
    pub code: Option<i32>,
    pub output: String,
}

impl Interleaved {
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Self {
        if self.code != Some(code) {
            panic!("expected exit code {code}\n{self}");
        }
        self
    }

    #[track_caller]
    pub fn expect_output_contains(&self, text: &str) -> &Self {
        self.expect(&Text::Contains(text))
    }

    #[track_caller]
    pub fn expect_output_lacks(&self, text: &str) -> &Self {
        self.expect(&Text::Lacks(text))
    }

    /// The output matches the regex `pattern` somewhere (multi-line: `^`/`$` are line ends).
    #[track_caller]
    pub fn expect_output_matches(&self, pattern: &str) -> &Self {
        self.expect(&Text::Matches(pattern))
    }

    #[track_caller]
    fn expect(&self, expected: &Text<'_>) -> &Self {
        if let Some(failure) = expected.fails_on(&self.output) {
            panic!("the output {failure}\n{self}");
        }
        self
    }
}

impl std::fmt::Display for Interleaved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- exit {:?}\n--- stdout and stderr\n{}",
            self.code, self.output
        )
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// The policy holds when the host is a CI runner with its own settings: a run neither writes
/// the host's `$GITHUB_OUTPUT` nor reads the host's `ORCHESTRATOR_CONFIG`. (The host's
/// environment is set in a child process: the tests share this one.)
#[test]
fn the_hosts_settings_never_reach_a_run() {
    let host = tempfile::tempdir().unwrap();
    let github_output = host.path().join("github_output");
    let github_output = github_output.to_str().unwrap();
    crate::support::own_process::in_child_process(
        concat!(module_path!(), "::the_hosts_settings_never_reach_a_run"),
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", github_output),
            ("ORCHESTRATOR_CONFIG", "/nonexistent/domains.yaml"),
        ],
        &[],
        || {
            let sandbox = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox");
            let run = orchestrator().current_dir(sandbox).arg("matrix").run();
            run.expect_code(0);
            assert!(run.stdout.contains("\"catalog-dev\""), "{run}");
            assert!(!run.stderr.contains("::"), "a workflow command: {run}");
            let host_output = std::env::var_os("GITHUB_OUTPUT").expect("set in this process");
            assert!(
                !Path::new(&host_output).exists(),
                "the host's $GITHUB_OUTPUT was written"
            );
        },
    );
}

/// The expectations themselves: one that holds passes, one that fails names what it expected
/// and shows everything the run printed.
mod expectations {
    use super::orchestrator;

    /// A run that fails on bad input: exit 2, the usage on stderr, nothing on stdout.
    fn bad_flag() -> super::Run {
        orchestrator().arg("--no-such-flag").run()
    }

    #[test]
    fn expectations_that_hold_pass() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("notes.md"), "# Notes\nwave stage: ok\n").unwrap();
        orchestrator()
            .current_dir(dir.path())
            .arg("--version")
            .run()
            .expect_success()
            .expect_stdout_matches(r"^orchestrator \d+\.\d+\.\d+ \(commit [0-9a-f]+")
            .expect_stdout_contains("orchestrator ")
            .expect_stdout_lacks("error")
            .expect_stderr("")
            .expect_file("notes.md", "# Notes\nwave stage: ok\n")
            .expect_file_contains("notes.md", "wave stage")
            .expect_file_lacks("notes.md", "wave prod")
            .expect_file_matches("notes.md", "^wave [a-z]+: ok$")
            .expect_no_file("report.json");
        bad_flag()
            .expect_code(2)
            .expect_stdout("")
            .expect_stderr_contains("'--no-such-flag'")
            .expect_never_prints("panicked");
    }

    #[test]
    #[should_panic(expected = "stderr does not match /^error: nothing like this$/")]
    fn a_pattern_that_does_not_match_fails() {
        bad_flag().expect_stderr_matches("^error: nothing like this$");
    }

    #[test]
    #[should_panic(expected = "expected exit code 0\n--- exit Some(2)")]
    fn an_unexpected_exit_code_fails() {
        bad_flag().expect_success();
    }

    #[test]
    #[should_panic(expected = "report.md does not contain \"held back\"\n--- ")]
    fn a_file_without_the_text_fails() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("report.md"), "all green\n").unwrap();
        orchestrator()
            .current_dir(dir.path())
            .arg("--version")
            .run()
            .expect_file_contains("report.md", "held back");
    }

    #[test]
    #[should_panic(expected = "missing.md is not readable")]
    fn a_missing_file_fails() {
        let dir = tempfile::tempdir().unwrap();
        orchestrator()
            .current_dir(dir.path())
            .arg("--version")
            .run()
            .expect_file_contains("missing.md", "anything");
    }

    /// The message holds the pattern, the exit code, all of stdout and all of stderr: enough
    /// to see why without running the test again.
    #[test]
    fn a_failure_shows_the_pattern_and_both_streams() {
        let run = orchestrator().arg("--version").run();
        let failure = std::panic::catch_unwind(|| {
            run.expect_stdout_matches(r"^orchestrator 9\.\d+");
        })
        .expect_err("the pattern does not match");
        let message = failure
            .downcast_ref::<String>()
            .expect("a formatted message");
        for part in [
            r"stdout does not match /^orchestrator 9\.\d+/",
            "--- exit Some(0)",
            &format!("--- stdout\n{}", run.stdout),
            "--- stderr\n",
        ] {
            assert!(message.contains(part), "{part:?} not in:\n{message}");
        }

        let run = bad_flag();
        let failure = std::panic::catch_unwind(|| {
            run.expect_stderr("error: something else\n");
        })
        .expect_err("stderr differs");
        let message = failure.downcast_ref::<String>().unwrap();
        for part in [
            "stderr is not exactly\n--- expected\nerror: something else\n",
            "--- exit Some(2)",
            &format!("--- stderr\n{}", run.stderr),
        ] {
            assert!(message.contains(part), "{part:?} not in:\n{message}");
        }
    }
}
