//! Command-line definitions only: no logic lives here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `orchestrator --version`: the version, the commit and the target it was built from
/// (stamped by build.rs), so a bug report names exactly which binary ran.
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("ORCHESTRATOR_COMMIT"),
    ", target ",
    env!("ORCHESTRATOR_TARGET"),
    ")"
);

#[derive(Debug, Parser)]
#[command(name = "orchestrator", version = VERSION, about = "Deploys a multi-account AWS organisation with Terraform, one account per job", after_help = crate::exit::help())]
pub struct Cli {
    /// The organisation's configuration [default: domains.yaml in the current directory or
    /// the nearest parent that has one].
    #[arg(long, global = true, env = "ORCHESTRATOR_CONFIG")]
    pub config: Option<PathBuf>,

    /// Where everything the orchestrator writes lives: local state, terraform logs and data
    /// dirs, run reports (`runs/<run id>/report.json`, `report.json` the latest), plans and
    /// vended account ids [default: .orchestrator next to the config file].
    #[arg(long, global = true, env = "ORCHESTRATOR_WORK_DIR")]
    pub work_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// The run report's schema (`run-report.schema.json`) instead of domains.yaml's.
    #[arg(long)]
    pub run_report: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check domains.yaml; every problem is listed as file:line:col (exit 2 if any).
    Validate,
    /// List what would run, wave by wave, in deploy order.
    Jobs(JobsArgs),
    /// Print the GitHub Actions build matrix (and write $GITHUB_OUTPUT when set).
    Matrix(MatrixArgs),
    /// Deploy the named accounts: what one matrix job runs, and the manual redeploy.
    Deploy(DeployArgs),
    /// Deploy every wave on this machine: stage first, prod only if stage succeeded.
    Run(RunArgs),
    /// Assume every selected account's role and check its id, before any terraform starts.
    Preflight(PreflightArgs),
    /// Tell people about a run report.
    #[command(subcommand)]
    Notify(NotifyCommand),
    /// Work with run reports.
    #[command(subcommand)]
    Report(ReportCommand),
    /// Decide from a run report whether the next wave may start (writes `proceed` to $GITHUB_OUTPUT).
    Gate(GateArgs),
    /// Turn many `terraform show -json` plans into one Markdown PR comment.
    Summary(SummaryArgs),
    /// Print the JSON Schema of domains.yaml (for editor completion), or of the run report.
    Schema(SchemaArgs),
    /// Change domains.yaml.
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Destroy layers of named accounts (or one copy of the stack layer), last layer first.
    Destroy(DestroyArgs),
    /// List the copies of the stack layer (`--stack` deploys) that have state, per account.
    Stacks(StacksArgs),
    /// Create the accounts that have no account_id yet (defaults.account_vending) and record their ids.
    Vend(VendArgs),
    /// Print a shell completion script, e.g. `orchestrator completions bash > ~/.local/share/bash-completion/completions/orchestrator`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), e.g. `orchestrator manpage > ~/.local/share/man/man1/orchestrator.1`.
    Manpage,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct VendArgs {
    /// Plan the account vending layer only (no account is created, no id recorded).
    #[arg(long)]
    pub plan_only: bool,
    /// Also write the run report here (atomically, even on failure or Ctrl-C); it is always
    /// written to `<work dir>/runs/<run id>/report.json` and `<work dir>/report.json`.
    #[arg(long, env = "ORCHESTRATOR_REPORT")]
    pub report: Option<PathBuf>,
    /// The terraform (or OpenTofu) binary.
    #[arg(long, env = "TERRAFORM_BIN", default_value = "terraform")]
    pub terraform: PathBuf,
}

/// Which accounts and layers to work on; every selector may be repeated or comma-separated.
#[derive(Debug, Clone, Default, Args)]
pub struct Selectors {
    /// Only these domains.
    #[arg(long = "domain", value_delimiter = ',')]
    pub domains: Vec<String>,
    /// Only these environments.
    #[arg(long = "env", value_delimiter = ',')]
    pub environments: Vec<String>,
    /// Only these accounts (`<domain>-<env>`).
    #[arg(long = "account", value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Only these layers.
    #[arg(long = "layer", value_delimiter = ',')]
    pub layers: Vec<String>,
    /// Only the (account, layer) pairs a git diff from this ref (e.g. the PR's base commit)
    /// to the working tree affects; accounts removed from the config are reported on stderr.
    /// In a shallow clone, fetch the ref first (`git fetch --depth=1 origin <ref>`).
    #[arg(long, env = "ORCHESTRATOR_CHANGED_SINCE")]
    pub changed_since: Option<String>,
    /// With --changed-since: path prefixes (from the repository's top) whose change affects
    /// every account and layer, e.g. `.github/workflows/deploy.yml,versions.tf`.
    #[arg(long, env = "ORCHESTRATOR_ALL_ON", value_delimiter = ',')]
    pub all_on: Vec<String>,
    /// Work on copy NAME of the stack layer (`stacks` in domains.yaml), e.g. `pr-123`: only
    /// that layer, with the copy's own state; the main stack and earlier layers are untouched.
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct JobsArgs {
    #[command(flatten)]
    pub selectors: Selectors,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// With --changed-since: say which changed file put each layer of each job there, and
    /// list accounts removed from the config (JSON: `{"jobs": [...], "removed": [...]}`).
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    #[command(flatten)]
    pub selectors: Selectors,
    /// Only this wave: stdout is then that wave's `{"include":[...]}`.
    #[arg(long)]
    pub wave: Option<String>,
    /// Legs per matrix job: above it a wave is split into chunks `<wave>_<n>` in
    /// $GITHUB_OUTPUT, each leg still one account (GitHub allows 256 per matrix).
    #[arg(long, env = "ORCHESTRATOR_MAX_JOBS", default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub max_jobs: u16,
    /// The chunk jobs each wave has in the workflow: exactly that many `<wave>_<n>` outputs
    /// are written, and a wave that needs more is an error (exit 2) before any leg starts.
    #[arg(long, env = "ORCHESTRATOR_MATRIX_CHUNKS", value_parser = clap::value_parser!(u16).range(1..))]
    pub chunks: Option<u16>,
}

/// How terraform runs; shared by `run` and `deploy`.
#[derive(Debug, Clone, Args)]
pub struct ExecutionArgs {
    /// Plan only (`-detailed-exitcode`); plans are saved as JSON next to the report.
    #[arg(long)]
    pub plan_only: bool,
    /// Also write the run report here (atomically, even on failure or Ctrl-C); it is always
    /// written to `<work dir>/runs/<run id>/report.json` and `<work dir>/report.json`.
    #[arg(long, env = "ORCHESTRATOR_REPORT")]
    pub report: Option<PathBuf>,
    /// How many accounts deploy at once. Each job is mostly waiting on AWS APIs, so this
    /// can exceed the core count; the default of 8 keeps terraform's own memory (about
    /// 150 MB per process with the AWS provider) and API throttling in check.
    #[arg(long, env = "ORCHESTRATOR_PARALLEL", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallel: u16,
    /// Stop starting new jobs after the first failure (default: every job finishes on its own).
    #[arg(long)]
    pub fail_fast: bool,
    /// Per-job time limit (e.g. 30m); overrides `defaults.timeout`.
    #[arg(long, env = "ORCHESTRATOR_TIMEOUT", value_parser = crate::config::durations::timeout_flag)]
    pub timeout: Option<std::time::Duration>,
    /// From a job's timeout or the run's stop to terraform's SIGKILL, its SIGINT included
    /// (1s to 1h); overrides `defaults.grace_period`. Under GitHub Actions, without it, the
    /// config's value is capped at 7s: a cancelled step's processes are killed about 10 s
    /// after its SIGINT.
    #[arg(long, env = "ORCHESTRATOR_GRACE_PERIOD", value_parser = crate::config::durations::grace_period_flag)]
    pub grace_period: Option<std::time::Duration>,
    /// Extra attempts after a transient failure (0 to 10, like `defaults.retries`, which it
    /// overrides).
    #[arg(long, env = "ORCHESTRATOR_RETRIES", value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: Option<u32>,
    /// Wait before the first retry (1ms to 2m); it doubles for each further one (at most
    /// 2m), with jitter.
    #[arg(long, env = "ORCHESTRATOR_RETRY_DELAY", default_value = "5s", value_parser = crate::config::durations::retry_delay_flag)]
    pub retry_delay: std::time::Duration,
    /// The terraform (or OpenTofu) binary.
    #[arg(long, env = "TERRAFORM_BIN", default_value = "terraform")]
    pub terraform: PathBuf,
    /// Do not assume every account's role before starting.
    #[arg(long)]
    pub skip_preflight: bool,
    /// Role assumed with this job's GitHub OIDC token before the account roles.
    #[arg(long, env = "ORCHESTRATOR_OIDC_ROLE_ARN")]
    pub oidc_role_arn: Option<String>,
    /// With --plan-only: exit 1 when any account has drifted.
    #[arg(long)]
    pub fail_on_drift: bool,
    /// The work dir, resolved from the global `--work-dir` (default next to the config).
    #[arg(skip)]
    pub work_dir: PathBuf,
    /// Longest line of terraform output kept in memory (bytes); longer lines keep their
    /// start. The log file always has everything.
    #[arg(long, env = "ORCHESTRATOR_MAX_OUTPUT_LINE", default_value_t = 16 * 1024, value_parser = crate::runner::output_tail::line_flag)]
    pub max_output_line: usize,
    /// How much of the end of each terraform command's output is kept in memory (bytes) to
    /// find its error lines.
    #[arg(long, env = "ORCHESTRATOR_MAX_OUTPUT_TAIL", default_value_t = 1024 * 1024, value_parser = crate::runner::output_tail::tail_flag)]
    pub max_output_tail: usize,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The accounts to deploy (space- or comma-separated); nothing else is touched.
    #[arg(long, required_unless_present = "resume", num_args = 1.., value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Deploy only the accounts this run report left failed, cancelled, lost or held back
    /// (with --accounts: only those of them), in wave order with the same gates.
    #[arg(long, value_name = "REPORT")]
    pub resume: Option<PathBuf>,
    /// Deploy a prod-wave account even though a run report in the work dir shows the same
    /// domain's earlier-wave account failed or held back.
    #[arg(long)]
    pub force: bool,
    /// Only these layers (default: every layer of the account, in order).
    #[arg(long, value_delimiter = ',')]
    pub layers: Vec<String>,
    /// Only the layers a git diff from this ref to the working tree affects (see `jobs --help`).
    #[arg(long, env = "ORCHESTRATOR_CHANGED_SINCE")]
    pub changed_since: Option<String>,
    /// With --changed-since: path prefixes whose change affects every layer.
    #[arg(long, env = "ORCHESTRATOR_ALL_ON", value_delimiter = ',')]
    pub all_on: Vec<String>,
    /// Deploy copy NAME of the stack layer (`stacks` in domains.yaml), e.g. `pr-123`: only
    /// that layer, with the copy's own state; the main stack and earlier layers are untouched.
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,
    #[command(flatten)]
    pub execution: ExecutionArgs,
}

#[derive(Debug, Args)]
#[command(after_help = destroy_help())]
pub struct DestroyArgs {
    /// The accounts whose layers are destroyed (space- or comma-separated).
    #[arg(long, required = true, num_args = 1.., value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Only these layers (default: every layer of the account); destroyed last layer first.
    #[arg(long, value_delimiter = ',')]
    pub layers: Vec<String>,
    /// Destroy copy NAME of the stack layer (and remove its state once it is empty); the
    /// main stack is never touched.
    #[arg(long, value_name = "NAME")]
    pub stack: Option<String>,
    /// Environments the named accounts may be in. Accounts of `prod` are destroyed only when
    /// `--env prod` is spelled out (with --yes).
    #[arg(long = "env", value_delimiter = ',')]
    pub environments: Vec<String>,
    /// Destroy without asking. Without it, destroy asks on the terminal (and refuses to
    /// start when stdin is not one).
    #[arg(long)]
    pub yes: bool,
    /// Allow destroying the main stack's first layer (`platform`: the account baseline, with
    /// the roles the orchestrator itself uses).
    #[arg(long)]
    pub including_platform: bool,
    /// Read the accounts' settings from domains.yaml at this git ref: for an account already
    /// removed from the config (`jobs --changed-since` lists them).
    #[arg(long, value_name = "GIT_REF")]
    pub from_ref: Option<String>,
    #[command(flatten)]
    pub execution: ExecutionArgs,
}

/// `destroy --help`'s text after the flags; its exit codes come from `exit.rs`.
fn destroy_help() -> String {
    format!(
        "\
Destroy plans every layer with `terraform plan -destroy`, shows what will go (the summary of
the PR comment), then applies only with --yes or after a confirmation typed on the terminal.
Inside an account layers go last first; waves go last first. Prod accounts need `--env prod`
and --yes; the platform layer needs --including-platform. A resource with prevent_destroy
fails the layer with terraform's message: nothing is forced.

{}",
        crate::exit::destroy_help()
    )
}
#[derive(Debug, Args)]
pub struct StacksArgs {
    /// The accounts whose copies are listed (space- or comma-separated; default: every
    /// account the selectors select).
    #[arg(long, num_args = 1.., value_delimiter = ',')]
    pub accounts: Vec<String>,
    /// Only these domains.
    #[arg(long = "domain", value_delimiter = ',')]
    pub domains: Vec<String>,
    /// Only these environments.
    #[arg(long = "env", value_delimiter = ',')]
    pub environments: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub selectors: Selectors,
    /// Deploy only the accounts this run report left failed, cancelled, lost or held back,
    /// in wave order with the same gates; accounts it shows succeeded are not touched.
    #[arg(long, value_name = "REPORT", conflicts_with_all = ["domains", "environments", "accounts", "layers", "changed_since"])]
    pub resume: Option<PathBuf>,
    #[command(flatten)]
    pub execution: ExecutionArgs,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    #[command(flatten)]
    pub selectors: Selectors,
    /// How many roles are assumed at once.
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..))]
    pub parallel: u16,
    /// Role assumed with this job's GitHub OIDC token before the account roles.
    #[arg(long, env = "ORCHESTRATOR_OIDC_ROLE_ARN")]
    pub oidc_role_arn: Option<String>,
    /// Check the roles `--plan-only` runs assume (plan_role_name where set).
    #[arg(long)]
    pub plan_only: bool,
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Post a run report to Slack: every account to the webhook in SLACK_WEBHOOK_URL, and
    /// each domain's accounts to SLACK_WEBHOOK_URL_<DOMAIN> (uppercased, `-` as `_`) when set.
    #[command(after_help = crate::exit::slack_help())]
    Slack(SlackArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotifyOn {
    /// Only when a job failed, a wave was halted or the run was cancelled.
    Failure,
    /// Every run.
    Always,
    /// Failures and drift.
    Change,
}

#[derive(Debug, Args)]
pub struct SlackArgs {
    /// The run report to describe.
    #[arg(long)]
    pub report: PathBuf,
    /// When to post.
    #[arg(long = "on", value_enum, default_value = "failure")]
    pub on: NotifyOn,
    /// The previous run's report: a short recovery message is sent on the first success
    /// after a failure, whatever --on says.
    #[arg(long)]
    pub previous: Option<PathBuf>,
    /// Time limit of each request to Slack (100ms to 5m).
    #[arg(long, env = "ORCHESTRATOR_SLACK_TIMEOUT", default_value = "10s", value_parser = crate::config::durations::slack_timeout_flag)]
    pub timeout: std::time::Duration,
    /// Extra attempts after a 429 (after its Retry-After), a 5xx or a network failure (0 to 10).
    #[arg(long, env = "ORCHESTRATOR_SLACK_RETRIES", default_value_t = 4, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
    /// The first wait after a 5xx or a network failure (1ms to 1m); doubled at each retry.
    #[arg(long, env = "ORCHESTRATOR_SLACK_RETRY_DELAY", default_value = "1s", value_parser = crate::config::durations::slack_retry_delay_flag)]
    pub retry_delay: std::time::Duration,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Merge the per-job reports uploaded by matrix legs into one run report.
    Merge(MergeArgs),
    /// The Markdown job summary of a run report: in GitHub Actions, appended to
    /// $GITHUB_STEP_SUMMARY with an ::error annotation per failed account; else printed.
    Summary(ReportSummaryArgs),
}

#[derive(Debug, Args)]
pub struct ReportSummaryArgs {
    /// The run report to summarise.
    #[arg(long)]
    pub report: PathBuf,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Report files, or directories searched for `*.json` reports.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// The merged run report.
    #[arg(long)]
    pub out: PathBuf,
    /// Add the accounts of waves that never started (an earlier wave failed beyond its
    /// tolerance) from the config, as skipped, so notifications name them as held back.
    #[arg(long)]
    pub include_held_back: bool,
    /// The plan of legs (stdout of `orchestrator matrix`): every account in it without a run
    /// report becomes a `lost` job, a failure (held back after a wave beyond its tolerance).
    /// With it, no report at all is a run with every account lost, not an error.
    #[arg(long, value_name = "MATRIX_JSON")]
    pub expect: Vec<PathBuf>,
    /// The legs were plan-only: the mode of the merged report when no report arrived.
    #[arg(long)]
    pub plan_only: bool,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// The wave whose results decide.
    #[arg(long)]
    pub wave: String,
    /// The (merged) run report of that wave.
    #[arg(long)]
    pub report: PathBuf,
}

#[derive(Debug, Args)]
pub struct SummaryArgs {
    /// `terraform show -json` plan files, or directories holding them.
    #[arg(required_unless_present = "not_planned")]
    pub inputs: Vec<PathBuf>,
    /// The accounts to plan could not even be worked out (the job that plans the legs
    /// failed): the comment says that no plan describes this commit, quoting this file (that
    /// job's error output; may be empty) and linking the run, in place of any earlier plan.
    #[arg(long, value_name = "ERROR_FILE", conflicts_with_all = ["inputs", "report", "destroy_list"])]
    pub not_planned: Option<PathBuf>,
    /// A plan-only run report: names each plan's account and layer, lists failed plans.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// The comment never exceeds this many characters: 1 to 65536 (GitHub's limit, the
    /// default; a longer comment is refused by GitHub).
    #[arg(long, default_value_t = crate::summary::comment_limit::GITHUB_COMMENT_LIMIT, value_parser = crate::summary::comment_limit::max_chars_flag)]
    pub max_chars: usize,
    /// Also write the complete, unshortened summary here (it is also appended to
    /// $GITHUB_STEP_SUMMARY when set, shortened only to that file's 1 MiB).
    #[arg(long)]
    pub full: Option<PathBuf>,
    /// Also write every destroyed and replaced address, with account, layer and terraform's
    /// reason, here as JSON (always, even when none is destroyed). When the comment is too
    /// short to name them all, it says so and points here: upload it with the run.
    #[arg(long, value_name = "FILE")]
    pub destroy_list: Option<PathBuf>,
    /// Create or update the PR comment found by its hidden marker (GITHUB_TOKEN,
    /// GITHUB_REPOSITORY, GITHUB_API_URL); exit 3 if GitHub does not take it.
    #[arg(long)]
    pub post: bool,
    /// The pull request number (default: from the event at GITHUB_EVENT_PATH).
    #[arg(long)]
    pub pr: Option<u64>,
    /// Summarise the readable plans and list the unreadable ones instead of stopping
    /// (the exit code is still 2).
    #[arg(long)]
    pub keep_going: bool,
    /// The commit the plans were made from, named in the comment (default: the pull
    /// request's head from GITHUB_EVENT_PATH, else GITHUB_SHA, else the run report's).
    #[arg(long)]
    pub commit: Option<String>,
    /// The CI run that made the plans, linked from the comment (default: from
    /// GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_RUN_ID, else the run report's).
    #[arg(long)]
    pub run_url: Option<String>,
    /// With --post, the login whose marked comment is updated (default: the token's user
    /// from GET /user; github-actions[bot] for tokens that cannot read it). Comments with
    /// the marker by anyone else are left alone.
    #[arg(long, env = "ORCHESTRATOR_COMMENT_AUTHOR")]
    pub comment_author: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// Add a domain with its accounts to domains.yaml (comments and order kept).
    Add(DomainAddArgs),
}

#[derive(Debug, Args)]
pub struct DomainAddArgs {
    /// The domain's name (lowercase letters, digits, `-`).
    pub name: String,
    /// The owning team.
    #[arg(long)]
    pub team: String,
    /// Its environments.
    #[arg(long, value_delimiter = ',', default_value = "dev,stage,prod")]
    pub envs: Vec<String>,
    /// Account ids, as ENV=ID (repeatable).
    #[arg(long = "account-id", value_name = "ENV=ID")]
    pub account_ids: Vec<String>,
    /// The team's Slack channel, e.g. "#fubar-deploys".
    #[arg(long)]
    pub slack_channel: Option<String>,
    /// Print the change to domains.yaml as a unified diff instead of writing it.
    #[arg(long)]
    pub dry_run: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn version_names_the_release_the_commit_and_the_target() {
        let version = super::Cli::command().render_version();
        let expected_start = format!("orchestrator {} (commit ", env!("CARGO_PKG_VERSION"));
        assert!(version.starts_with(&expected_start), "{version}");
        let commit = version[expected_start.len()..].split(',').next().unwrap();
        assert!(!commit.is_empty() && !commit.contains(' '), "{version}");
        // The target triple of this very build (its architecture and OS).
        assert!(
            version.contains(&format!(", target {}-", std::env::consts::ARCH)),
            "{version}"
        );
        assert!(version.contains(std::env::consts::OS), "{version}");
    }
}
