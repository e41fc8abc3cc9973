//! A copy of `examples/sandbox` in a temp dir, and the built orchestrator run against it with
//! real terraform.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use orchestrator::report::{read_report, JobReport, LayerReport, RunReport};

use crate::support::cli::Cli;
pub use crate::support::cli::Run;

pub struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    /// `examples/sandbox` (domains.yaml and layers), copied.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/sandbox");
        copy_dir(&source.join("layers"), &dir.path().join("layers"));
        std::fs::copy(source.join("domains.yaml"), dir.path().join("domains.yaml")).unwrap();
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Changes the copied domains.yaml (the text must be there).
    pub fn edit_config(&self, from: &str, to: &str) -> &Self {
        let path = self.path().join("domains.yaml");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains(from),
            "domains.yaml does not contain {from:?}"
        );
        std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
        self
    }

    /// Adds a layer directory with this `main.tf` (the fault layers of a test).
    pub fn add_layer(&self, name: &str, main_tf: &str) -> &Self {
        let dir = self.path().join("layers").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("main.tf"), main_tf).unwrap();
        self
    }

    /// The orchestrator, in the sandbox, with quick deploys and plain log lines.
    pub fn command(&self, args: &[&str]) -> Command {
        self.cli(args).command()
    }

    /// `command` as the builder, for a test that adds to it before running.
    pub fn cli(&self, args: &[&str]) -> Cli {
        crate::support::cli::orchestrator()
            .current_dir(self.path())
            .args(["--config", "domains.yaml"])
            .args(args)
            .env("TF_VAR_deploy_seconds", "0")
            .env("CI", "true")
    }

    /// Runs the orchestrator to its end; checks that it left no process and a readable report.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(self.command(args))
    }

    pub fn run_with(&self, mut cmd: Command) -> Run {
        let output = cmd.output().unwrap();
        self.finished(output)
    }

    pub fn spawn(&self, mut cmd: Command) -> Running {
        let child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        Running(Some(child))
    }

    pub fn finished(&self, output: Output) -> Run {
        // A process killed as the orchestrator exits may take a moment to disappear from
        // /proc; one that is still there after this is a process left behind.
        let settle = std::time::Instant::now();
        while !self.processes().is_empty() && settle.elapsed() < std::time::Duration::from_secs(2) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let leftovers = self.processes();
        assert!(
            leftovers.is_empty(),
            "processes left behind: {leftovers:#?}"
        );
        Run::from(output).in_dir(self.path())
    }

    /// The run report, which must be valid JSON and a valid run report.
    pub fn report(&self) -> RunReport {
        let path = self.path().join(".orchestrator/report.json");
        let text = std::fs::read_to_string(&path).expect("the run report is written");
        serde_json::from_str::<serde_json::Value>(&text).expect("the run report is valid JSON");
        read_report(&path).expect("the run report reads back")
    }

    pub fn state(&self, layer: &str, account: &str) -> PathBuf {
        self.path()
            .join(".orchestrator/state")
            .join(layer)
            .join(format!("{account}.tfstate"))
    }

    /// Whether anything of this account exists on disk: state, log or data dir.
    pub fn traces_of(&self, account: &str) -> Vec<PathBuf> {
        let work = self.path().join(".orchestrator");
        let mut found: Vec<PathBuf> = ["platform", "static", "dynamic", "hang"]
            .iter()
            .map(|layer| self.state(layer, account))
            .collect();
        found.push(work.join("data").join(account));
        found.push(work.join("logs").join(account));
        found.push(work.join("plans").join(account));
        found.retain(|p| p.exists());
        found
    }

    /// Terraform state lock files anywhere under the sandbox.
    pub fn lock_files(&self) -> Vec<PathBuf> {
        let mut found = Vec::new();
        walk(self.path(), &mut |p| {
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().ends_with(".lock.info"))
            {
                found.push(p.to_path_buf());
            }
        });
        found
    }

    /// Every process whose working directory or command line is inside the sandbox.
    pub fn processes(&self) -> Vec<String> {
        let root = self.path().to_string_lossy().into_owned();
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").unwrap().flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .filter(|n| n.chars().all(|c| c.is_ascii_digit()))
            else {
                continue;
            };
            let cmdline = std::fs::read(entry.path().join("cmdline"))
                .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
                .unwrap_or_default();
            let cwd = std::fs::read_link(entry.path().join("cwd"))
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            // A zombie has neither; one that is still exiting may be counted once, so look
            // only at processes with a command line.
            if !cmdline.is_empty() && (cmdline.contains(&root) || cwd.starts_with(&root)) {
                found.push(format!("{pid}: {cmdline} (in {cwd})"));
            }
        }
        found
    }
}

/// An orchestrator started in the background. If the test fails before it ends, it is
/// stopped the way a user would: Ctrl-C, then Ctrl-C again.
pub struct Running(Option<Child>);

impl Running {
    pub fn pid(&self) -> nix::unistd::Pid {
        let id = self.0.as_ref().expect("running").id();
        nix::unistd::Pid::from_raw(i32::try_from(id).unwrap())
    }

    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        nix::sys::signal::kill(self.pid(), signal).unwrap();
    }

    #[allow(dead_code)] // used by the reliability tests only
    /// Stops reading its stdout and stderr, as a closed terminal or a dead log reader would:
    /// its next write to either fails.
    pub fn close_output(&mut self) {
        let child = self.0.as_mut().expect("running");
        drop(child.stdout.take());
        drop(child.stderr.take());
    }

    pub fn wait(mut self) -> Output {
        self.0.take().expect("running").wait_with_output().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let Some(mut child) = self.0.take() else {
            return;
        };
        let exited = |child: &mut Child| child.try_wait().ok().flatten().is_some();
        for _ in 0..2 {
            if exited(&mut child) {
                return;
            }
            let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGINT);
            // Up to 5 s for it to stop, looking often: a test ends as soon as its run has.
            let asked = std::time::Instant::now();
            while !exited(&mut child) && asked.elapsed() < std::time::Duration::from_secs(5) {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        }
        let _ = child.kill();
        let _ = child.wait();
    }
}

pub fn job<'a>(report: &'a RunReport, account: &str) -> &'a JobReport {
    report
        .jobs
        .iter()
        .find(|j| j.account == account)
        .unwrap_or_else(|| panic!("{account} is not in the report"))
}

pub fn layer<'a>(report: &'a RunReport, account: &str, layer: &str) -> &'a LayerReport {
    job(report, account)
        .layers
        .iter()
        .find(|l| l.layer == layer)
        .unwrap_or_else(|| panic!("{account} has no layer {layer} in the report"))
}

/// Waits (at most `limit`) until `ready` holds; panics with `what` otherwise.
pub fn wait_until(what: &str, limit: std::time::Duration, mut ready: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "gave up waiting for {what}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        let kind = entry.file_type().unwrap();
        if kind.is_dir() {
            // Skip anything a local run left in the example (state, data dirs).
            if entry.file_name() != ".orchestrator" && entry.file_name() != ".terraform" {
                copy_dir(&entry.path(), &target);
            }
        } else if kind.is_file() {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn walk(dir: &Path, found: &mut dyn FnMut(&Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            walk(&path, found);
        } else {
            found(&path);
        }
    }
}
