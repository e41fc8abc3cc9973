//! Which files `summary` reads, and which account and layer a plan file belongs to when no
//! run report says.
//!
//! Three layouts are understood: the runner's `plans/<account>/<layer>.json`, one file per
//! account (`plans/<account>.json`), and a flat directory of arbitrarily named files, where
//! every file is its own row. With the config's accounts and layers, names found in the
//! path (`catalog-dev.static.json`, `plan_catalog-dev_static.json`) win.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::error::CollectError;

/// The layer name of a plan file that names no layer (one plan per account).
pub const WHOLE_ACCOUNT: &str = "plan";

/// A plan file, and how deep it was found under the directory given on the command line
/// (0 for a file given by name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFile {
    pub path: PathBuf,
    pub depth: usize,
}

impl PlanFile {
    fn stem(&self) -> String {
        self.path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    fn parent_name(&self) -> Option<String> {
        self.path
            .parent()
            .and_then(Path::file_name)
            .map(|s| s.to_string_lossy().into_owned())
    }
}

/// Names plan files by account and layer, from their paths and the accounts and layers the
/// config knows (both may be empty).
pub struct Namer {
    accounts: HashMap<String, String>,
    layers: HashMap<String, String>,
    /// Files given by name are in the runner layout: the same file name under several
    /// directories (`a/static.json`, `b/static.json`).
    named_files_by_account_dir: bool,
}

impl Namer {
    pub fn new(files: &[PlanFile], accounts: &[String], layers: &[String]) -> Self {
        let index = |names: &[String]| {
            names
                .iter()
                .map(|n| (normalise(n), n.clone()))
                .collect::<HashMap<_, _>>()
        };
        let named: Vec<&PlanFile> = files.iter().filter(|f| f.depth == 0).collect();
        let parents: HashSet<Option<String>> = named.iter().map(|f| f.parent_name()).collect();
        let mut stems = HashMap::<String, HashSet<Option<String>>>::new();
        for file in &named {
            stems
                .entry(file.stem())
                .or_default()
                .insert(file.parent_name());
        }
        Self {
            accounts: index(accounts),
            layers: index(layers),
            named_files_by_account_dir: parents.len() > 1 && stems.values().any(|p| p.len() > 1),
        }
    }

    /// (account, layer) of `file`.
    pub fn name(&self, file: &PlanFile) -> (String, String) {
        let stem = file.stem();
        let parent = file.parent_name();
        if let Some(named) = self.by_known_names(&stem, parent.as_deref()) {
            return named;
        }
        let by_dir = match file.depth {
            0 => self.named_files_by_account_dir || self.layers.contains_key(&normalise(&stem)),
            1 => false,
            _ => true,
        };
        match parent {
            Some(account) if by_dir => (account, stem),
            _ => (stem, WHOLE_ACCOUNT.to_string()),
        }
    }

    fn by_known_names(&self, stem: &str, parent: Option<&str>) -> Option<(String, String)> {
        if self.accounts.is_empty() {
            return None;
        }
        let stem_tokens = tokens(stem);
        if let Some((account, rest)) = longest(&self.accounts, &stem_tokens) {
            let layer = longest(&self.layers, &rest)
                .map(|(layer, _)| layer)
                .unwrap_or_else(|| WHOLE_ACCOUNT.to_string());
            return Some((account, layer));
        }
        let account = self.accounts.get(&normalise(parent?))?.clone();
        let layer = longest(&self.layers, &stem_tokens)
            .map(|(layer, _)| layer)
            .unwrap_or_else(|| stem.to_string());
        Some((account, layer))
    }
}

/// Names compare without case, with `-`, `_`, `.` and spaces alike.
fn normalise(name: &str) -> String {
    tokens(name).join("-")
}

fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The longest run of `tokens` that is a known name, and the tokens left around it.
fn longest(known: &HashMap<String, String>, tokens: &[String]) -> Option<(String, Vec<String>)> {
    const MAX_TOKENS: usize = 8;
    let mut best: Option<(usize, usize, &String)> = None;
    for start in 0..tokens.len() {
        for end in (start + 1..=tokens.len().min(start + MAX_TOKENS)).rev() {
            if best.is_some_and(|(s, e, _)| e - s >= end - start) {
                break;
            }
            if let Some(name) = known.get(&tokens[start..end].join("-")) {
                best = Some((start, end, name));
                break;
            }
        }
    }
    let (start, end, name) = best?;
    let mut rest = tokens[..start].to_vec();
    rest.extend_from_slice(&tokens[end..]);
    Some((name.clone(), rest))
}

/// Every plan file named by `inputs`: files as given (a missing one fails when it is read),
/// directories searched for `*.json`, sorted, without `exclude` (the run report). With a run
/// report a directory may hold no plan: the report says which accounts had none (none
/// affected, or every plan failed or was lost), and the comment must still say so.
pub fn plan_files(
    inputs: &[PathBuf],
    exclude: Option<&Path>,
) -> Result<Vec<PlanFile>, CollectError> {
    let with_report = exclude.is_some();
    let exclude = exclude.and_then(|p| p.canonicalize().ok());
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let before = files.len();
            walk(input, 1, exclude.as_deref(), &mut files).map_err(|source| {
                CollectError::Walk {
                    path: input.clone(),
                    source,
                }
            })?;
            if files.len() == before && !with_report {
                return Err(CollectError::NoPlans {
                    path: input.clone(),
                });
            }
        } else {
            files.push(PlanFile {
                path: input.clone(),
                depth: 0,
            });
        }
    }
    Ok(files)
}

fn walk(
    dir: &Path,
    depth: usize,
    exclude: Option<&Path>,
    files: &mut Vec<PlanFile>,
) -> std::io::Result<()> {
    let mut entries = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()?;
    entries.sort();
    for path in entries {
        // symlink_metadata: a symlinked directory is not followed, so a loop cannot hang us.
        let meta = std::fs::symlink_metadata(&path)?;
        if meta.is_dir() {
            walk(&path, depth + 1, exclude, files)?;
        } else if path.extension().is_some_and(|e| e == "json")
            && path.is_file()
            && (exclude.is_none() || path.canonicalize().ok().as_deref() != exclude)
        {
            files.push(PlanFile { path, depth });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, depth: usize) -> PlanFile {
        PlanFile {
            path: path.into(),
            depth,
        }
    }

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn name(namer: &Namer, path: &str, depth: usize) -> (String, String) {
        namer.name(&file(path, depth))
    }

    fn pair(a: &str, l: &str) -> (String, String) {
        (a.into(), l.into())
    }

    #[test]
    fn the_runner_layout_names_account_and_layer() {
        let namer = Namer::new(&[], &[], &[]);
        assert_eq!(
            name(&namer, "plans/catalog-dev/static.json", 2),
            pair("catalog-dev", "static")
        );
        assert_eq!(
            name(&namer, "x/.orchestrator/plans/catalog-dev/static.json", 3),
            pair("catalog-dev", "static")
        );
    }

    #[test]
    fn a_flat_directory_is_one_row_per_file() {
        let namer = Namer::new(&[], &[], &[]);
        assert_eq!(
            name(&namer, "plans/plan-0001.json", 1),
            pair("plan-0001", WHOLE_ACCOUNT)
        );
        assert_eq!(
            name(&namer, "plans/catalog-dev.json", 1),
            pair("catalog-dev", WHOLE_ACCOUNT)
        );
    }

    #[test]
    fn files_given_by_name_are_flat_unless_file_names_repeat_across_directories() {
        let flat = [file("plans/a.json", 0), file("plans/b.json", 0)];
        let namer = Namer::new(&flat, &[], &[]);
        assert_eq!(name(&namer, "plans/a.json", 0), pair("a", WHOLE_ACCOUNT));
        let runner = [
            file("plans/a/static.json", 0),
            file("plans/b/static.json", 0),
        ];
        let namer = Namer::new(&runner, &[], &[]);
        assert_eq!(name(&namer, "plans/b/static.json", 0), pair("b", "static"));
    }

    #[test]
    fn known_accounts_and_layers_are_found_in_file_names() {
        let namer = Namer::new(
            &[],
            &strings(&["catalog-dev", "catalog-dev-eu", "payments-prod"]),
            &strings(&["platform", "static", "dynamic"]),
        );
        assert_eq!(
            name(&namer, "plans/plan_catalog-dev_static.json", 1),
            pair("catalog-dev", "static")
        );
        assert_eq!(
            name(&namer, "plans/catalog-dev-eu.dynamic.json", 1),
            pair("catalog-dev-eu", "dynamic")
        );
        assert_eq!(
            name(&namer, "plans/Payments_Prod.json", 1),
            pair("payments-prod", WHOLE_ACCOUNT)
        );
        // The account directory given as the input: files are its layers.
        assert_eq!(
            name(&namer, "plans/catalog-dev/static.json", 1),
            pair("catalog-dev", "static")
        );
        // A file that matches no account is its own row.
        assert_eq!(
            name(&namer, "plans/legacy-vpc.json", 1),
            pair("legacy-vpc", WHOLE_ACCOUNT)
        );
    }
}
