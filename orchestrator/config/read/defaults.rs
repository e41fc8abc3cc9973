//! `defaults:`: what every domain and account inherits, the layer list and execution limits.

use std::path::Path;
use std::time::Duration;

use super::super::diagnostic::Pos;
use super::super::durations;
use super::super::fields::{self, Fields, Problems};
use super::super::model::Execution;
use super::super::names;
use super::super::shared_values::SharedValues;
use super::super::yaml::{Node, NodeKind};
use super::inherited::{Inherited, Level};
use super::keys::DEFAULT_LAYERS;

/// What `defaults:` resolves to, before domains and accounts override it.
pub(super) struct Defaults {
    /// The first layer of the inherited fields (`inherited.rs`).
    pub inherited: Inherited,
    pub session_duration: Duration,
    /// Every layer named, in apply order (a missing directory is reported, not dropped, so
    /// that later references to the layer do not pile up more messages).
    pub layers: Vec<String>,
    /// `account_vending` is configured: an account may omit `account_id`.
    pub vends_accounts: bool,
    /// The values of shared texts, for this reading of the config: domains and accounts
    /// read with these defaults give every alias of a text the same value.
    pub shared: SharedValues,
}

pub(super) fn read_defaults(
    problems: &mut Problems,
    d: Option<&Fields<'_>>,
    defaults_key: Option<Pos>,
    layers_dir: &Path,
    check_contents: bool,
) -> Defaults {
    let get = |key: &str| d.and_then(|d| d.get(key));
    let session_duration = get("session_duration")
        .and_then(|n| fields::duration(problems, n, &durations::SESSION_DURATION))
        .unwrap_or(Duration::from_secs(3600));
    let layers = match get("layers") {
        Some(n) => layer_list(problems, n, layers_dir, check_contents),
        None => {
            let defaults: Vec<String> = DEFAULT_LAYERS.iter().map(|s| s.to_string()).collect();
            for layer in &defaults {
                if !layers_dir.join(layer).is_dir() {
                    problems.add(
                        defaults_key.unwrap_or(Pos { line: 1, col: 1 }),
                        format!(
                            "unknown layer `{layer}` (a default layer): there is no directory {}",
                            shown(&layers_dir.join(layer))
                        ),
                        "create the layer's directory, or list the layers you have in `defaults.layers`",
                    );
                } else if let Some(empty) = no_terraform(layers_dir, layer, check_contents) {
                    problems.add(
                        defaults_key.unwrap_or(Pos { line: 1, col: 1 }),
                        empty,
                        NO_TERRAFORM_HINT,
                    );
                }
            }
            defaults
        }
    };
    let shared = SharedValues::default();
    let inherited = d
        .map(|d| Inherited::read(problems, d, Level::Defaults, &layers, &shared))
        .unwrap_or_default();
    Defaults {
        inherited,
        session_duration,
        layers,
        vends_accounts: get("account_vending").is_some(),
        shared,
    }
}

pub(super) fn read_execution(problems: &mut Problems, d: Option<&Fields<'_>>) -> Execution {
    let mut execution = Execution::default();
    let Some(d) = d else { return execution };
    if let Some(t) = d
        .get("timeout")
        .and_then(|n| fields::duration(problems, n, &durations::JOB_TIMEOUT))
    {
        execution.job_timeout = t;
    }
    if let Some(t) = d
        .get("lock_timeout")
        .and_then(|n| fields::duration(problems, n, &durations::LOCK_TIMEOUT))
    {
        execution.lock_timeout = t;
    }
    if let Some(t) = d
        .get("grace_period")
        .and_then(|n| fields::duration(problems, n, &durations::GRACE_PERIOD))
    {
        execution.grace_period = t;
    }
    if let Some(n) = d.get("retries") {
        match fields::integer(problems, n, "retries") {
            Some(r) if (0..=10).contains(&r) => execution.retries = u32::try_from(r).unwrap_or(0),
            Some(_) => problems.add(
                n.pos,
                "retries must be between 0 and 10",
                "retries counts extra attempts after a transient failure; 2 is usual",
            ),
            None => {}
        }
    }
    execution
}

pub(super) fn layer_list(
    problems: &mut Problems,
    node: &Node,
    layers_dir: &Path,
    check_contents: bool,
) -> Vec<String> {
    let list = fields::string_list(problems, node, "defaults.layers").unwrap_or_default();
    if list.is_empty() && matches!(node.kind, NodeKind::Seq(_)) {
        problems.add(
            node.pos,
            "defaults.layers is empty",
            "list the layers to apply, e.g. [platform, static, dynamic]",
        );
    }
    let mut layers = Vec::new();
    for (layer, pos) in list {
        if !names::is_valid_name(&layer) {
            problems.add(
                pos,
                format!("invalid layer name `{layer}`"),
                names::NAME_RULE,
            );
        } else if layers.contains(&layer) {
            problems.add(
                pos,
                format!("layer `{layer}` is listed twice"),
                "list each layer once, in apply order",
            );
        } else {
            if !layers_dir.join(&layer).is_dir() {
                problems.add(
                    pos,
                    format!(
                        "unknown layer `{layer}`: there is no directory {}",
                        shown(&layers_dir.join(&layer))
                    ),
                    "fix the name, or create the layer's directory under layers_dir",
                );
            } else if let Some(empty) = no_terraform(layers_dir, &layer, check_contents) {
                problems.add(pos, empty, NO_TERRAFORM_HINT);
            }
            layers.push(layer);
        }
    }
    layers
}

pub(super) const NO_TERRAFORM_HINT: &str = "add the layer's terraform (a main.tf with its \
     variables and an empty backend block), or remove the layer from the list";

/// An empty layer directory (nothing in it but hidden files such as `.gitkeep`): terraform
/// would plan nothing for every account and the layer would look deployed. The problem's
/// text, or `None` when it holds something (or cannot be read: terraform will say why), or
/// when `check` is off (only `validate` looks inside layer directories).
pub(super) fn no_terraform(layers_dir: &Path, layer: &str, check: bool) -> Option<String> {
    if !check {
        return None;
    }
    let dir = layers_dir.join(layer);
    let mut entries = std::fs::read_dir(&dir).ok()?;
    let empty =
        !entries.any(|e| e.is_ok_and(|e| !e.file_name().to_string_lossy().starts_with('.')));
    empty.then(|| {
        format!(
            "layer `{layer}` is an empty directory: {} holds no terraform",
            shown(&dir)
        )
    })
}

/// `layers/platform` rather than `./layers/platform` when the config is in the current dir.
fn shown(dir: &Path) -> String {
    dir.strip_prefix(".").unwrap_or(dir).display().to_string()
}
