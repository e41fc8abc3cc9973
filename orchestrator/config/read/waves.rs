//! `waves:`: which environments deploy together, in order.

use super::super::fields::{self, Fields, Problems};
use super::super::model::{Account, Wave};
use super::super::names;
use super::super::yaml::{Node, NodeKind};
use super::keys::WAVE;

pub(super) fn read_waves(problems: &mut Problems, node: &Node) -> Vec<Wave> {
    let NodeKind::Seq(items) = &node.kind else {
        problems.add(
            node.pos,
            format!("waves must be a list, found {}", node.kind_name()),
            "write each wave as `- { name: stage, environments: [dev, stage] }`",
        );
        return Vec::new();
    };
    let mut waves: Vec<Wave> = Vec::new();
    for item in items {
        let Some(f) = Fields::read(problems, item, "a wave", WAVE) else {
            continue;
        };
        let name_node = f.required(problems, "name", "stage");
        let name = name_node.and_then(|n| fields::string(problems, n, "wave name"));
        if let (Some(name), Some(n)) = (&name, name_node) {
            if !names::is_valid_name(name) {
                problems.add(
                    n.pos,
                    format!("invalid wave name `{name}`"),
                    names::NAME_RULE,
                );
            } else if waves.iter().any(|w| &w.name == name) {
                problems.add(
                    n.pos,
                    format!("duplicate wave `{name}`"),
                    "give every wave its own name",
                );
            }
        }
        let environments: Vec<String> = match f.required(problems, "environments", "[dev, stage]") {
            Some(n) => {
                let list =
                    fields::string_list(problems, n, "wave environments").unwrap_or_default();
                if list.is_empty() && matches!(n.kind, NodeKind::Seq(_)) {
                    problems.add(
                        n.pos,
                        format!(
                            "wave `{}` has no environments",
                            name.as_deref().unwrap_or("?")
                        ),
                        "list the environments this wave deploys, or remove the wave",
                    );
                }
                let mut envs = Vec::new();
                for (env, pos) in list {
                    if let Some(other) = waves.iter().find(|w| w.environments.contains(&env)) {
                        problems.add(
                            pos,
                            format!(
                                "environment `{env}` is in two waves (`{}` and `{}`)",
                                other.name,
                                name.as_deref().unwrap_or("?")
                            ),
                            "keep each environment in exactly one wave",
                        );
                    } else if envs.contains(&env) {
                        problems.add(
                            pos,
                            format!("environment `{env}` is listed twice"),
                            "list it once",
                        );
                    } else {
                        envs.push(env);
                    }
                }
                envs
            }
            None => Vec::new(),
        };
        let failure_tolerance = match f.get("failure_tolerance") {
            Some(n) => match fields::integer(problems, n, "failure_tolerance") {
                Some(t) if t >= 0 => match u32::try_from(t) {
                    Ok(t) => t,
                    Err(_) => {
                        problems.add(
                            n.pos,
                            format!("failure_tolerance {t} is too large"),
                            "use how many failed accounts the wave may have (at most 4294967295)",
                        );
                        0
                    }
                },
                Some(t) => {
                    problems.add(
                        n.pos,
                        format!("failure_tolerance cannot be negative (found {t})"),
                        "use 0 to halt on the first failed account, or how many failed accounts the wave may have",
                    );
                    0
                }
                None => 0,
            },
            None => 0,
        };
        if let Some(name) = name {
            waves.push(Wave {
                name,
                environments,
                failure_tolerance,
            });
        }
    }
    waves
}

/// DESIGN's default: wave `stage` holds every non-prod environment, then wave `prod`.
pub(super) fn default_waves(accounts: &[Account]) -> Vec<Wave> {
    let mut non_prod: Vec<String> = Vec::new();
    let mut has_prod = false;
    for a in accounts {
        if a.environment == "prod" {
            has_prod = true;
        } else if !non_prod.contains(&a.environment) {
            non_prod.push(a.environment.clone());
        }
    }
    let mut waves = Vec::new();
    if !non_prod.is_empty() {
        waves.push(Wave {
            name: "stage".into(),
            environments: non_prod,
            failure_tolerance: 0,
        });
    }
    if has_prod {
        waves.push(Wave {
            name: "prod".into(),
            environments: vec!["prod".into()],
            failure_tolerance: 0,
        });
    }
    waves
}
