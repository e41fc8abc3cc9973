//! The terraform commands of one (account, layer): `init`, `plan`, `apply`, `show -json`,
//! each with its arguments, working directory and environment. Building a command starts
//! nothing; the runner decides when and how it runs.

use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use super::backend::BackendConfig;
use super::environment;
use super::workspace::LayerWorkspace;
use crate::credentials::{AccountCredentials, Secret};

/// How terraform is invoked: the binary (terraform or OpenTofu) and the flags every command
/// shares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terraform {
    pub program: PathBuf,
    /// How long `plan` and `apply` wait for a held state lock (`-lock-timeout`).
    pub lock_timeout: Duration,
}

/// One terraform invocation, ready to spawn.
#[derive(Debug, Clone)]
pub struct TerraformCommand {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub cwd: PathBuf,
    /// Set on top of the inherited environment (credentials withheld).
    pub env: Vec<(String, String)>,
    /// The account's credentials: handed to the process only, never printed.
    pub secret_env: Vec<(String, Secret)>,
}

impl Terraform {
    /// `init`; `reconfigure` when the data dir was initialised with another backend config.
    pub fn init(
        &self,
        ws: &LayerWorkspace,
        backend: &BackendConfig,
        reconfigure: bool,
    ) -> TerraformCommand {
        let mut args = strings(["init", "-input=false", "-no-color"]);
        if reconfigure {
            args.push("-reconfigure".into());
        }
        args.extend(backend.args());
        self.command(ws, args)
    }

    /// `plan -detailed-exitcode -out`: exit 0 no changes, 2 changes, 1 error.
    pub fn plan(&self, ws: &LayerWorkspace) -> TerraformCommand {
        let mut args = strings(["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        args.push(self.lock_timeout_arg());
        args.push(format!("-out={}", ws.plan_file().display()));
        args.push(format!("-var-file={}", ws.var_file().display()));
        self.command(ws, args)
    }

    /// `plan -destroy`: the plan that removes every resource of the layer's state.
    pub fn plan_destroy(&self, ws: &LayerWorkspace) -> TerraformCommand {
        let mut cmd = self.plan(ws);
        cmd.args.insert(1, "-destroy".into());
        cmd
    }

    /// `apply` of exactly the saved plan (no variables: they are in the plan).
    pub fn apply(&self, ws: &LayerWorkspace) -> TerraformCommand {
        let mut args = strings(["apply", "-input=false", "-no-color"]);
        args.push(self.lock_timeout_arg());
        args.push(ws.plan_file().display().to_string());
        self.command(ws, args)
    }

    /// `show -json` of the saved plan: the machine-readable plan for the PR summary.
    pub fn show_json(&self, ws: &LayerWorkspace) -> TerraformCommand {
        let mut args = strings(["show", "-json", "-no-color"]);
        args.push(ws.plan_file().display().to_string());
        self.command(ws, args)
    }

    /// `output -json <name>`: one output of the state the apply left, as JSON (a string output
    /// prints as a quoted string).
    pub fn output_json(&self, ws: &LayerWorkspace, name: &str) -> TerraformCommand {
        let mut args = strings(["output", "-no-color", "-json"]);
        args.push(name.to_string());
        self.command(ws, args)
    }

    fn lock_timeout_arg(&self) -> String {
        format!("-lock-timeout={}", go_duration(self.lock_timeout))
    }

    fn command(&self, ws: &LayerWorkspace, args: Vec<String>) -> TerraformCommand {
        TerraformCommand {
            program: self.program.clone(),
            args,
            cwd: ws.working_dir.clone(),
            env: vec![
                ("TF_DATA_DIR".into(), ws.data_dir.display().to_string()),
                // Shorter output, no "run terraform apply" hints meant for humans.
                ("TF_IN_AUTOMATION".into(), "1".into()),
                ("TF_INPUT".into(), "0".into()),
                // No version check against checkpoint-api.hashicorp.com from every process.
                ("CHECKPOINT_DISABLE".into(), "1".into()),
            ],
            secret_env: Vec::new(),
        }
    }
}

impl TerraformCommand {
    pub fn with_credentials(mut self, credentials: &AccountCredentials) -> Self {
        self.secret_env = credentials.env.clone();
        self
    }

    /// The process to spawn: the inherited environment without credentials, then this
    /// command's variables and the account's credentials; no stdin, so terraform can never
    /// wait for an answer.
    pub fn to_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(&self.program);
        cmd.args(&self.args).current_dir(&self.cwd);
        for name in environment::withheld_from(std::env::vars_os()) {
            cmd.env_remove(name);
        }
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd.envs(self.secret_env.iter().map(|(k, v)| (k, v.expose())));
        cmd.stdin(Stdio::null());
        cmd
    }

    /// The subcommand (`init`, `plan`, ...).
    pub fn subcommand(&self) -> &str {
        self.args.first().map(String::as_str).unwrap_or("")
    }
}

/// The command line as a log would show it (no environment: it may hold credentials).
impl fmt::Display for TerraformCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let program = Path::new(&self.program)
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        write!(f, "{program} {}", self.args.join(" "))
    }
}

/// A duration as Go's `time.ParseDuration` reads it (`-lock-timeout=90s`).
fn go_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

fn strings<const N: usize>(items: [&str; N]) -> Vec<String> {
    items.into_iter().map(String::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terraform() -> Terraform {
        Terraform {
            program: "/usr/local/bin/terraform".into(),
            lock_timeout: Duration::from_secs(120),
        }
    }

    fn workspace() -> LayerWorkspace {
        LayerWorkspace::new(
            Path::new("/w"),
            Path::new("/repo"),
            Path::new("/repo/layers"),
            "catalog-dev",
            "static",
        )
    }

    #[test]
    fn init_passes_the_backend_and_reconfigures_only_when_asked() {
        let backend = BackendConfig {
            pairs: vec![("path".into(), "/s/catalog-dev.tfstate".into())],
        };
        let plain = terraform().init(&workspace(), &backend, false);
        assert_eq!(
            plain.to_string(),
            "terraform init -input=false -no-color -backend-config=path=/s/catalog-dev.tfstate"
        );
        let again = terraform().init(&workspace(), &backend, true);
        assert!(again.args.contains(&"-reconfigure".to_string()));
        assert_eq!(
            again.cwd,
            Path::new("/w/workdirs/catalog-dev/static/layers/static")
        );
    }

    #[test]
    fn plan_saves_a_plan_file_that_apply_uses() {
        let ws = workspace();
        let plan = terraform().plan(&ws);
        let pid = std::process::id();
        assert_eq!(
            plan.to_string(),
            format!(
                "terraform plan -input=false -no-color -detailed-exitcode -lock-timeout=120s \
                 -out=/w/data/catalog-dev/static/plan-{pid}.tfplan \
                 -var-file=/w/data/catalog-dev/static/inputs.tfvars.json"
            )
        );
        let apply = terraform().apply(&ws);
        assert_eq!(
            apply.to_string(),
            format!(
                "terraform apply -input=false -no-color -lock-timeout=120s \
                 /w/data/catalog-dev/static/plan-{pid}.tfplan"
            )
        );
        assert_eq!(apply.subcommand(), "apply");
    }

    #[test]
    fn a_destroy_plan_is_a_saved_plan_with_destroy() {
        let plan = terraform().plan_destroy(&workspace());
        assert_eq!(plan.subcommand(), "plan");
        assert!(plan
            .to_string()
            .starts_with("terraform plan -destroy -input=false"));
        assert!(plan.args.iter().any(|a| a.starts_with("-out=")));
    }

    #[test]
    fn every_command_gets_its_own_data_dir_and_automation_mode() {
        let cmd = terraform().show_json(&workspace());
        let env: Vec<(&str, &str)> = cmd
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert!(env.contains(&("TF_DATA_DIR", "/w/data/catalog-dev/static")));
        assert!(env.contains(&("TF_IN_AUTOMATION", "1")));
    }

    #[test]
    fn credentials_reach_the_process_but_not_its_description() {
        let credentials = AccountCredentials {
            env: vec![("AWS_SECRET_ACCESS_KEY".into(), Secret::new("s3cr3t"))],
            expires_at: None,
        };
        let cmd = terraform()
            .plan(&workspace())
            .with_credentials(&credentials);
        assert!(!cmd.to_string().contains("s3cr3t"));
        assert!(!format!("{cmd:?}").contains("s3cr3t"));
        let process = cmd.to_command();
        let value = process
            .get_envs()
            .find(|(k, _)| *k == "AWS_SECRET_ACCESS_KEY")
            .and_then(|(_, v)| v);
        assert_eq!(value, Some(std::ffi::OsStr::new("s3cr3t")));
    }

    #[test]
    fn output_reads_one_output_as_json_in_the_layers_data_dir() {
        let cmd = terraform().output_json(&workspace(), "health_url");
        assert_eq!(
            cmd.to_string(),
            "terraform output -no-color -json health_url"
        );
        assert_eq!(
            cmd.cwd,
            Path::new("/w/workdirs/catalog-dev/static/layers/static")
        );
        assert!(cmd
            .env
            .contains(&("TF_DATA_DIR".into(), "/w/data/catalog-dev/static".into())));
    }

    #[test]
    fn lock_timeout_is_a_go_duration() {
        assert_eq!(go_duration(Duration::from_secs(0)), "0s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1500ms");
    }
}
