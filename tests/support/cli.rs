//! The built binary as every test launches it: a builder (arguments, environment, working
//! directory) that runs it to a `Run` (exit code, stdout, stderr, checked to be UTF-8), or
//! hands over its `Command` to a test that spawns it itself (signals, a pty, a sandbox's
//! leftover check). Snapshots take `Run::stdout`/`stderr` into `insta`.
//!
//! One environment policy: a run starts from an empty environment plus what a process needs
//! to start programs and find its home (`PASSED`). Nothing else the host sets reaches it: no
//! CI's `$GITHUB_OUTPUT` or step summary, no `ORCHESTRATOR_CONFIG`, no `TF_VAR_fail_account`,
//! plugin cache, AWS profile or Slack webhook. A test sets what it means to.

use std::ffi::OsStr;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
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
        Run::utf8(self.output())
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
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
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

    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, Some(code), "exit code\n{self}");
        self
    }
}

/// What one run printed, both streams in the order written, and how it ended.
#[derive(Debug)]
pub struct Interleaved {
    /// `None` when a signal ended it.
    pub code: Option<i32>,
    pub output: String,
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
