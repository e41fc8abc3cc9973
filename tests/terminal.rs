//! What a person at a terminal sees, with the orchestrator on a real pseudo-terminal (its
//! stdout and stderr are the pty, as in an interactive shell) and real terraform on the
//! sandbox: colour and progress bars on a plain terminal, none of either with `TERM=dumb`,
//! no colour with `NO_COLOR`, bars cleared after Ctrl-C, and a plan that destroys never ticked
//! off like one that only adds.

use std::io::Read;
use std::os::fd::OwnedFd;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::sandbox::Sandbox;

const ESC: char = '\u{1b}';
/// The pty's size.
const WIDTH: u16 = 150;
const HEIGHT: u16 = 40;

/// The orchestrator on a pty of HEIGHT x WIDTH in the sandbox, with exactly `env` on top of a
/// clean environment (no CI, no GitHub Actions, no ORCHESTRATOR_*).
struct OnPty {
    child: std::process::Child,
    seen: Arc<Mutex<Vec<u8>>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl OnPty {
    fn start(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::launch(sandbox, args, env, false)
    }

    /// As `start`, with stdin on the pty too: a person who can answer a question.
    fn interactive(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::launch(sandbox, args, env, true)
    }

    fn launch(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)], stdin: bool) -> Self {
        let size = nix::pty::Winsize {
            ws_row: HEIGHT,
            ws_col: WIDTH,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let pty = nix::pty::openpty(Some(&size), None).unwrap();
        let slave: OwnedFd = pty.slave;
        let mut cmd = crate::support::cli::orchestrator()
            .current_dir(sandbox.path())
            .args(args)
            .env("TF_VAR_deploy_seconds", "0")
            .command();
        let input = if stdin {
            Stdio::from(slave.try_clone().unwrap())
        } else {
            Stdio::null()
        };
        cmd.stdin(input)
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        for (name, value) in env {
            cmd.env(name, value);
        }
        let child = cmd.spawn().unwrap();
        // Our copies of the slave end are gone with `cmd`: the master reads EOF (EIO) once
        // the orchestrator and everything it started have closed theirs.
        drop(cmd);
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&seen);
        let mut master = std::fs::File::from(pty.master);
        let reader = std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Self {
            child,
            seen,
            reader: Some(reader),
        }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.seen.lock().unwrap()).into_owned()
    }

    fn wait_for(&self, what: impl Fn(&str) -> bool, why: &str) {
        let started = Instant::now();
        while !what(&self.text()) {
            assert!(
                started.elapsed() < Duration::from_secs(120),
                "{why}: {}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// As `finish`, but a run still going after `limit` is killed and the test fails.
    fn finish_within(mut self, limit: Duration, why: &str) -> (i32, String) {
        let started = Instant::now();
        while self.child.try_wait().unwrap().is_none() {
            if started.elapsed() > limit {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("{why}: still running after {limit:?}:\n{}", self.text());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.finish()
    }

    /// Waits for the exit; the exit code and everything the terminal received.
    fn finish(mut self) -> (i32, String) {
        let status = self.child.wait().unwrap();
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        (status.code().unwrap_or(-1), self.text())
    }
}

/// The screen a terminal shows after `output`: just enough of a VT100 for what progress
/// bars and log lines send (CR, LF, cursor up/down, erase line; colours ignored).
fn screen(output: &str) -> Vec<String> {
    let mut lines: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col) = (0usize, 0usize);
    let mut chars = output.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => col = 0,
            '\n' => {
                row += 1;
                col = 0;
            }
            ESC if chars.peek() == Some(&'[') => {
                chars.next();
                let mut params = String::new();
                let mut command = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() || c == '@' || c == '~' {
                        command = c;
                        break;
                    }
                    params.push(c);
                }
                let n: usize = params.trim_start_matches('?').parse().unwrap_or(1);
                match command {
                    'A' => row = row.saturating_sub(n.max(1)),
                    'B' => row += n.max(1),
                    'G' => col = n.max(1) - 1,
                    'K' => {
                        if lines.len() <= row {
                            lines.resize(row + 1, Vec::new());
                        }
                        match params.as_str() {
                            "2" => lines[row].clear(),
                            "1" => {
                                for c in lines[row].iter_mut().take(col + 1) {
                                    *c = ' ';
                                }
                            }
                            _ => lines[row].truncate(col),
                        }
                    }
                    'J' => lines.truncate(row + 1),
                    _ => {}
                }
            }
            ESC => {
                chars.next();
            }
            c => {
                // The pty is WIDTH columns: a full line wraps at the next character.
                if col >= usize::from(WIDTH) {
                    row += 1;
                    col = 0;
                }
                if lines.len() <= row {
                    lines.resize(row + 1, Vec::new());
                }
                let line = &mut lines[row];
                if line.len() <= col {
                    line.resize(col, ' ');
                    line.push(c);
                } else {
                    line[col] = c;
                }
                col += 1;
            }
        }
    }
    lines
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

/// A progress bar line: `stage [=====>   ] 3/8 jobs  running`.
fn is_bar(line: &str) -> bool {
    line.contains("] ") && line.contains(" jobs  ")
}

#[test]
fn a_plain_terminal_gets_bars_and_colour_and_they_are_gone_from_the_final_screen() {
    let sandbox = Sandbox::new();
    let run = OnPty::start(
        &sandbox,
        &["deploy", "--accounts", "catalog-dev,payments-dev"],
        &[("TERM", "xterm-256color")],
    );
    let (code, output) = run.finish();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains(ESC), "bars are drawn with escape sequences");
    // Bars, not log lines.
    assert!(!output.contains("orchestrator::progress"), "{output}");
    let shown = screen(&output);
    assert!(!shown.iter().any(|l| is_bar(l)), "{shown:#?}");
    assert!(
        shown.iter().any(|l| l.starts_with("Run succeeded")),
        "{shown:#?}"
    );
    // Finished jobs stay above, one column per field whatever the status word.
    let done: Vec<&String> = shown.iter().filter(|l| l.starts_with("✓ ")).collect();
    assert_eq!(done.len(), 2, "{shown:#?}");
}

#[test]
fn ctrl_c_clears_the_bars_before_the_summary() {
    let sandbox = Sandbox::new();
    let run = OnPty::start(
        &sandbox,
        &["run"],
        &[("TERM", "xterm-256color"), ("TF_VAR_deploy_seconds", "30")],
    );
    run.wait_for(
        |text| screen(text).iter().any(|l| l.contains("platform apply")),
        "the first applies never started",
    );
    // The bars are on screen while the run goes on.
    assert!(screen(&run.text()).iter().any(|l| is_bar(l)));
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(run.child.id()).unwrap()),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let (code, output) = run.finish();
    assert_eq!(code, 130, "{output}");
    let shown = screen(&output);
    assert!(
        !shown
            .iter()
            .any(|l| is_bar(l) || l.contains("platform apply")),
        "bars left on screen: {shown:#?}"
    );
    assert!(
        shown.iter().any(|l| l.starts_with("Run cancelled")),
        "{shown:#?}"
    );
}

#[test]
fn ctrl_c_at_destroys_question_destroys_nothing_and_exits_130() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["run", "--account", "catalog-dev"])
        .expect_code(0);
    let state = sandbox.state("platform", "catalog-dev");
    let before = std::fs::read_to_string(&state).unwrap();
    assert!(before.contains("terraform_data"), "{before}");

    let destroy = OnPty::interactive(
        &sandbox,
        &[
            "destroy",
            "--accounts",
            "catalog-dev",
            "--including-platform",
        ],
        &[("TERM", "dumb")],
    );
    destroy.wait_for(
        |text| text.contains("Type `destroy` to go on"),
        "the question never came",
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(i32::try_from(destroy.child.id()).unwrap()),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let (code, output) = destroy.finish_within(
        Duration::from_secs(30),
        "Ctrl-C at the question was ignored",
    );
    assert_eq!(code, 130, "{output}");
    assert!(output.contains("nothing was destroyed"), "{output}");
    assert_eq!(
        std::fs::read_to_string(&state).unwrap(),
        before,
        "the state changed though nothing was to be destroyed"
    );
    assert!(sandbox.processes().is_empty(), "{:?}", sandbox.processes());
}

#[test]
fn term_dumb_gets_plain_log_lines_without_bars_or_colour() {
    let sandbox = Sandbox::new();
    let run = OnPty::start(
        &sandbox,
        &["deploy", "--accounts", "catalog-dev"],
        &[("TERM", "dumb")],
    );
    let (code, output) = run.finish();
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains(ESC), "{output:?}");
    assert!(
        output.contains("catalog-dev: succeeded"),
        "log lines instead of bars: {output}"
    );
}

#[test]
fn no_color_keeps_escape_codes_out_of_the_log_lines() {
    let sandbox = Sandbox::new();
    // In CI on a terminal, log lines are coloured...
    let coloured = OnPty::start(
        &sandbox,
        &["deploy", "--accounts", "catalog-dev"],
        &[("TERM", "xterm-256color"), ("CI", "true")],
    );
    let (code, output) = coloured.finish();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("catalog-dev: succeeded"), "{output}");
    assert!(output.contains(ESC), "{output:?}");
    // ...unless NO_COLOR says otherwise.
    let plain = OnPty::start(
        &sandbox,
        &["deploy", "--accounts", "catalog-dev"],
        &[
            ("TERM", "xterm-256color"),
            ("CI", "true"),
            ("NO_COLOR", "1"),
        ],
    );
    let (code, output) = plain.finish();
    assert_eq!(code, 0, "{output}");
    assert!(output.contains("catalog-dev: started"), "{output}");
    assert!(!output.contains(ESC), "{output:?}");
}

/// A plan-only run whose plans for catalog-dev and payments-dev destroy a resource: the bars
/// mark them `!` and say so instead of a tick, in the same columns as a `no changes` line;
/// the log lines warn; the summary names them.
#[test]
fn a_plan_that_destroys_is_not_ticked_off() {
    let sandbox = Sandbox::new();
    sandbox
        .run(&["deploy", "--accounts", "catalog-dev,payments-dev"])
        .expect_code(0);
    let main_tf = sandbox.path().join("layers/static/main.tf");
    let text = std::fs::read_to_string(&main_tf).unwrap();
    let start = text
        .find("resource \"terraform_data\" \"logs_bucket\"")
        .unwrap();
    let end = start + text[start..].find("}\n").unwrap() + 2;
    std::fs::write(&main_tf, format!("{}{}", &text[..start], &text[end..])).unwrap();
    // commerce-dev is deployed with the changed layer: its plan has nothing to do.
    sandbox
        .run(&["deploy", "--accounts", "commerce-dev"])
        .expect_code(0);

    let args = [
        "deploy",
        "--accounts",
        "catalog-dev,payments-dev,commerce-dev",
        "--plan-only",
    ];
    let run = OnPty::start(&sandbox, &args, &[("TERM", "xterm-256color")]);
    let (code, output) = run.finish();
    assert_eq!(code, 0, "{output}");
    let shown = screen(&output);
    let line = |account: &str| {
        shown
            .iter()
            .find(|l| l.chars().skip(2).collect::<String>().starts_with(account))
            .unwrap_or_else(|| panic!("no line for {account}: {shown:#?}"))
            .clone()
    };
    for account in ["catalog-dev", "payments-dev"] {
        let l = line(account);
        assert!(
            l.starts_with("! ") && l.ends_with("its plan destroys 1 resource"),
            "{l}"
        );
    }
    let unchanged = line("commerce-dev");
    assert!(
        unchanged.starts_with("✓ ") && unchanged.contains(" no changes "),
        "{shown:#?}"
    );
    // The status column lines up whatever the word.
    let columns: Vec<usize> = ["catalog-dev", "commerce-dev"]
        .iter()
        .map(|a| line(a).chars().position(|c| c.is_ascii_digit()).unwrap())
        .collect();
    assert_eq!(columns[0], columns[1], "{shown:#?}");
    assert!(
        shown.iter().any(
            |l| l.contains("plans that destroy (resources): catalog-dev (1), payments-dev (1)")
        ),
        "{shown:#?}"
    );

    // Log lines (CI) warn for the same accounts.
    let mut cmd = sandbox.command(&args);
    cmd.env("NO_COLOR", "1");
    let logged = sandbox.run_with(cmd);
    logged.expect_code(0);
    for account in ["catalog-dev", "payments-dev"] {
        assert!(
            logged.stderr.lines().any(|l| l.contains("WARN")
                && l.contains(&format!("{account}: changes"))
                && l.contains("its plan destroys 1 resource")),
            "{}",
            logged.stderr
        );
    }
}

/// Only prod selected: the log lines count the one wave that runs, not the empty stage wave,
/// and `--fail-on-drift` says on a line of its own why it exits 1.
#[test]
fn only_prod_selected_counts_one_wave_and_drift_says_why_it_fails() {
    let sandbox = Sandbox::new();
    let run = OnPty::start(
        &sandbox,
        &["run", "--env", "prod", "--plan-only", "--fail-on-drift"],
        &[("TERM", "dumb")],
    );
    let (code, output) = run.finish();
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("run (plan only): 4 jobs in 1 wave,"),
        "{output}"
    );
    assert!(!output.contains("in 2 waves"), "{output}");
    assert!(
        output.contains(
            "error: --fail-on-drift: 4 accounts (catalog-prod, payments-prod, commerce-prod, \
             platform-prod) drifted (their plans have changes); exit 1"
        ),
        "{output}"
    );
}
