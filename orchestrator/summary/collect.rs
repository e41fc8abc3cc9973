//! Reads every plan and files it under its account and layer.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::report::{read_report, RunReport, Status};

use super::error::{CollectError, PlanError};
use super::inputs::{plan_files, Namer, PlanFile};
use super::model::{AccountSummary, BadPlan, LayerEntry, LayerState, Summary};
use super::plan_summary::PlanSummary;
use super::readers::read_all;

#[derive(Debug, Clone, Copy)]
pub struct CollectOptions<'a> {
    /// Plan files and directories holding them.
    pub inputs: &'a [PathBuf],
    /// A plan-only run report naming each plan's account and layer.
    pub report: Option<&'a Path>,
    /// Summarise the readable plans and list the others instead of failing.
    pub keep_going: bool,
    /// Deploy order from domains.yaml, when it can be read; the run report's comes first.
    pub order: Option<&'a DeployOrder>,
}

/// Accounts and layers in the order they deploy, to sort the comment by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeployOrder {
    pub accounts: Vec<String>,
    pub layers: Vec<String>,
}

impl DeployOrder {
    /// The deploy order of the config at `path`. The summary does not need the config: when
    /// it is missing or broken (the PR may be fixing it), `None`, and plans sort by name.
    pub fn of_config(path: &std::path::Path) -> Option<Self> {
        if !path.exists() {
            return None;
        }
        let loaded = crate::config::load(path)
            .map_err(|e| e.to_string())
            .and_then(|config| {
                let plan = crate::plan::build(&config, &crate::plan::Selection::default())
                    .map_err(|e| e.to_string())?;
                Ok(DeployOrder {
                    accounts: plan.jobs().map(|job| job.account.name.clone()).collect(),
                    layers: config.layers.clone(),
                })
            });
        match loaded {
            Ok(order) => Some(order),
            Err(e) => {
                tracing::debug!("plans sorted by name: {e}");
                None
            }
        }
    }
}

/// Reads every plan named by `options` into a [`Summary`]. Without `keep_going`, any bad plan
/// file fails the whole summary (all of them are listed). With a run report, only the plans
/// it names are read: others are from older runs and are listed as left out.
pub fn collect(options: CollectOptions<'_>) -> Result<Summary, CollectError> {
    let report = options.report.map(read_report).transpose()?;
    let report_names = report
        .as_ref()
        .zip(options.report)
        .map(|(report, path)| ReportNames::new(report, path));
    let all_files = plan_files(options.inputs, options.report)?;
    let empty = DeployOrder::default();
    let order = options.order.unwrap_or(&empty);
    let namer = Namer::new(&all_files, &order.accounts, &order.layers);

    let mut stale_plans = Vec::new();
    let mut files = Vec::new();
    let mut names = Vec::new();
    for file in all_files {
        match &report_names {
            Some(report_names) => match report_names.of(&file) {
                Some(name) => {
                    names.push(name);
                    files.push(file);
                }
                None => stale_plans.push(file.path),
            },
            None => {
                names.push(namer.name(&file));
                files.push(file);
            }
        }
    }

    let mut book = Book::default();
    if let Some(report) = &report {
        book.add_report_layers(report);
    }
    if let Some(order) = options.order {
        book.add_order(order);
    }
    let mut errors = Vec::new();
    let mut seen: HashMap<(String, String), PathBuf> = HashMap::new();
    for ((file, plan), (account, layer)) in files.iter().zip(read_all(&files)).zip(names) {
        let key = (account.clone(), layer.clone());
        if let Some(other) = seen.get(&key) {
            errors.push(PlanError::Duplicate {
                path: file.path.clone(),
                other: other.clone(),
                account,
                layer,
            });
            continue;
        }
        match plan {
            Ok(plan) => {
                seen.insert(key, file.path.clone());
                book.add_plan(account, layer, plan);
            }
            Err(e) => errors.push(e),
        }
    }
    if !errors.is_empty() && !options.keep_going {
        return Err(CollectError::BadPlans(errors));
    }
    let mut summary = book.finish();
    summary.bad_plans = errors
        .into_iter()
        .map(|e| BadPlan {
            path: e.path().to_path_buf(),
            error: e.to_string(),
        })
        .collect();
    summary.stale_plans = stale_plans;
    if let Some(source) = report.and_then(|r| r.source) {
        summary.run_url = source.run_url;
        summary.commit = source.commit;
    }
    Ok(summary)
}

/// Plan paths (canonical) to (account, layer), from a run report.
struct ReportNames(HashMap<PathBuf, (String, String)>);

impl ReportNames {
    fn new(report: &RunReport, report_path: &Path) -> Self {
        let dir = report_path.parent().unwrap_or(Path::new(""));
        let mut names = HashMap::new();
        for job in &report.jobs {
            for layer in &job.layers {
                let Some(plan) = &layer.plan_json else {
                    continue;
                };
                if let Ok(path) = dir.join(plan).canonicalize() {
                    names.insert(path, (job.account.clone(), layer.layer.clone()));
                }
            }
        }
        Self(names)
    }

    fn of(&self, file: &PlanFile) -> Option<(String, String)> {
        file.path
            .canonicalize()
            .ok()
            .and_then(|path| self.0.get(&path).cloned())
    }
}

/// Accounts and layers as they are found, remembering the order the run report gives.
#[derive(Default)]
struct Book {
    accounts: BTreeMap<String, BTreeMap<String, LayerState>>,
    /// Deploy order from the run report (accounts, then layers); unknown ones sort by name after.
    account_order: Vec<String>,
    layer_order: Vec<String>,
}

impl Book {
    fn add_report_layers(&mut self, report: &RunReport) {
        for job in &report.jobs {
            push_unique(&mut self.account_order, &job.account);
            for layer in &job.layers {
                push_unique(&mut self.layer_order, &layer.layer);
                let state = match layer.status {
                    Status::Failed | Status::Lost => LayerState::Failed {
                        reason: layer.reason.clone(),
                        error: layer.error.clone(),
                    },
                    Status::Skipped | Status::Cancelled => LayerState::NotPlanned {
                        status: layer.status,
                        reason: layer.reason.clone(),
                    },
                    // Planned: its plan file replaces this when it is among the inputs.
                    Status::Succeeded | Status::NoChanges | Status::Changes => {
                        LayerState::Missing {
                            expected: layer.plan_json.clone(),
                        }
                    }
                };
                self.layers(&job.account).insert(layer.layer.clone(), state);
            }
        }
    }

    fn add_order(&mut self, order: &DeployOrder) {
        for account in &order.accounts {
            push_unique(&mut self.account_order, account);
        }
        for layer in &order.layers {
            push_unique(&mut self.layer_order, layer);
        }
    }

    fn add_plan(&mut self, account: String, layer: String, plan: PlanSummary) {
        let layers = self.layers(&account);
        match layers.get(&layer) {
            // A plan the report calls failed stays failed: its error lines say more.
            Some(LayerState::Failed { .. } | LayerState::NotPlanned { .. }) => {}
            _ => {
                layers.insert(layer, LayerState::Planned(plan));
            }
        }
    }

    fn layers(&mut self, account: &str) -> &mut BTreeMap<String, LayerState> {
        self.accounts.entry(account.to_string()).or_default()
    }

    fn finish(self) -> Summary {
        let mut layer_order = self.layer_order;
        for layers in self.accounts.values() {
            for layer in layers.keys() {
                push_unique(&mut layer_order, layer);
            }
        }
        // Columns only for layers some account has: the config's other layers stay out.
        layer_order.retain(|layer| {
            self.accounts
                .values()
                .any(|layers| layers.contains_key(layer))
        });
        let rank = |order: &[String], name: &str| {
            order.iter().position(|n| n == name).unwrap_or(usize::MAX)
        };
        let mut accounts: Vec<AccountSummary> = self
            .accounts
            .into_iter()
            .map(|(name, layers)| {
                let mut layers: Vec<LayerEntry> = layers
                    .into_iter()
                    .map(|(layer, state)| LayerEntry { layer, state })
                    .collect();
                layers.sort_by_key(|entry| rank(&layer_order, &entry.layer));
                AccountSummary { name, layers }
            })
            .collect();
        // Stable sort: accounts the report does not know keep their name order, at the end.
        accounts.sort_by_key(|account| rank(&self.account_order, &account.name));
        Summary {
            accounts,
            layers: layer_order,
            ..Summary::default()
        }
    }
}

fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}
