//! A git diff -> the (account, layer) pairs it affects, with the reason for each.
//!
//! The rules, for each file that differs between the ref and the working tree:
//! - a path under an `--all-on` prefix: every layer of every account;
//! - a file under `<layers_dir>/<layer>/`: that layer, in every account that has it;
//! - a file under a local module directory a layer uses (directly or through other
//!   modules): that layer, in every account that has it;
//! - the config file: the resolved configs are compared (see `config_diff`);
//! - anything else: nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::change_set::{ChangeSet, Reason};
use super::config_diff::{self, Removed};
use super::error::ChangeError;
use super::git::{ChangedFile, FileChange, Repo};
use super::modules::{self, ModuleGraph, ModuleUse};
use crate::config::{self, yaml::NodeKind, Config};

/// Compares the working tree of the repository holding `config` with `since`.
pub fn detect(config: &Config, since: &str, all_on: &[String]) -> Result<ChangeSet, ChangeError> {
    let config_path = canonical(&config.path)?;
    let config_dir = config_path.parent().unwrap_or(Path::new("/"));
    let (repo, commit) = Repo::open(config_dir, since)?;
    tracing::debug!(%commit, "resolved {since}");
    let config_rel = relative(repo.top(), &config_path)?;
    let layers_rel = relative(repo.top(), &canonical(&config.layers_dir)?)?;
    // The config and layer directories at the ref matter only if the config changed, but
    // asking now costs no time: git answers them while the diff runs.
    let config_text = repo.start_file_at(&commit, &config_rel)?;
    let layer_dirs = repo.start_dirs_at(&commit, &layers_rel)?;
    let files = repo.changed_files(&commit)?;
    let asked = Asked {
        config_rel: config_rel.clone(),
        config_text: config_text.finish()?,
        layers_rel: layers_rel.clone(),
        layer_dirs: layer_dirs.finish()?,
    };
    tracing::debug!(files = files.len(), "listed the changed files");
    let all_on: Vec<&str> = all_on
        .iter()
        .map(|p| p.trim().trim_start_matches("./"))
        .filter(|p| !p.is_empty())
        .collect();
    let config_file = files.iter().find(|f| f.path == config_rel);

    let mut out = Builder::new(config);
    let mut graph = ModuleGraph::new(repo.top());
    let mut notes = Vec::new();
    let mut removed = Vec::new();
    let mut unused = std::thread::scope(|scope| -> Result<Vec<String>, ChangeError> {
        // Reading and validating the config at the ref is the slowest step with many
        // accounts: it runs while the other files are mapped.
        let at_ref = config_file.map(|file| {
            let (repo, commit, config_path, asked) = (&repo, &commit, &config_path, &asked);
            scope.spawn(move || config_at_ref(repo, commit, file, config_path, asked))
        });
        let unused = file_rules(
            &mut out,
            &files,
            &config_rel,
            &layers_rel,
            &all_on,
            &mut graph,
        );
        tracing::debug!("mapped the changed files to layers");
        if let (Some(file), Some(at_ref)) = (config_file, at_ref) {
            let at_ref = at_ref
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
            tracing::debug!("read the config at the ref");
            removed = config_changes(at_ref, file, &mut out, &mut notes);
            tracing::debug!("compared the configs");
        }
        Ok(unused)
    })?;
    if let Some(file) = config_file {
        let used = out.reasons.iter().any(|r| r.file == file.path);
        if !used && removed.is_empty() {
            unused.push(file.path.clone());
            unused.sort();
        }
    }
    notes.extend(graph.notes);
    for r in &mut removed {
        r.from_ref = since.to_string();
    }
    Ok(ChangeSet {
        since: since.to_string(),
        commit,
        files,
        reasons: out.reasons,
        affected: out.affected,
        removed,
        unused,
        notes,
    })
}

/// The path rules (every file but the config): `--all-on`, layer directories, modules.
/// Returns the files that affect nothing.
fn file_rules(
    out: &mut Builder<'_>,
    files: &[ChangedFile],
    config_rel: &str,
    layers_rel: &str,
    all_on: &[&str],
    graph: &mut ModuleGraph<'_>,
) -> Vec<String> {
    let config = out.config;
    let mut module_uses: Option<Vec<(String, Vec<ModuleUse>)>> = None;
    let mut unused = Vec::new();
    for file in files {
        let before = out.reasons.len();
        for prefix in all_on.iter().filter(|p| file.path.starts_with(**p)) {
            let id = out.reason(file, format!("matches --all-on {prefix}"));
            out.everything(id);
        }
        let own_layer = config
            .layers
            .iter()
            .find(|l| is_under(&file.path, &join(layers_rel, l)));
        if let Some(layer) = own_layer {
            let id = out.reason(file, format!("in layer {layer}"));
            out.layer(layer, id);
        }
        let uses = module_uses.get_or_insert_with(|| {
            config
                .layers
                .iter()
                .map(|l| (l.clone(), graph.used_by(&join(layers_rel, l))))
                .collect()
        });
        for (layer, uses) in uses.iter() {
            if Some(layer) == own_layer {
                continue;
            }
            // The innermost module holding the file is the one that changed.
            let Some(used) = uses
                .iter()
                .filter(|u| is_under(&file.path, &u.module))
                .max_by_key(|u| u.module.len())
            else {
                continue;
            };
            let why = match used.via.as_slice() {
                [] => format!("module {} used by layer {layer}", used.module),
                via => format!(
                    "module {} used by layer {layer} through {}",
                    used.module,
                    via.join(" -> ")
                ),
            };
            let id = out.reason(file, why);
            out.layer(layer, id);
        }
        // The config file's own effect is known once it has been compared.
        if out.reasons.len() == before && file.path != config_rel {
            unused.push(file.path.clone());
        }
    }
    unused
}

/// Collects reasons once and points every affected (account, layer) pair at them.
struct Builder<'c> {
    config: &'c Config,
    reasons: Vec<Reason>,
    affected: BTreeMap<String, BTreeMap<String, Vec<usize>>>,
}

impl<'c> Builder<'c> {
    fn new(config: &'c Config) -> Self {
        Self {
            config,
            reasons: Vec::new(),
            affected: BTreeMap::new(),
        }
    }

    fn reason(&mut self, file: &ChangedFile, why: String) -> usize {
        self.reasons.push(Reason {
            file: file.path.clone(),
            change: file.change.clone(),
            why,
        });
        self.reasons.len() - 1
    }

    fn pair(&mut self, account: &str, layer: &str, id: usize) {
        let ids = self
            .affected
            .entry(account.to_string())
            .or_default()
            .entry(layer.to_string())
            .or_default();
        ids.push(id);
    }

    /// The layer in every account that has it.
    fn layer(&mut self, layer: &str, id: usize) {
        let config = self.config;
        for account in config
            .accounts
            .iter()
            .filter(|a| a.layers.iter().any(|l| l == layer))
        {
            self.pair(&account.name, layer, id);
        }
    }

    fn everything(&mut self, id: usize) {
        let config = self.config;
        for account in &config.accounts {
            for layer in &account.layers {
                self.pair(&account.name, layer, id);
            }
        }
    }
}

/// What the config was at the ref.
enum AtRef {
    /// It did not exist: every account is new.
    Absent,
    /// It did not validate (the message says why).
    Invalid { path: String, problem: String },
    /// It read, and its layers lived in this directory (relative to the repository).
    Read {
        config: Box<Config>,
        layers_dir: String,
    },
}

/// What was asked of git ahead of time: the config's text and the layer directories at the
/// ref, at today's paths.
struct Asked {
    config_rel: String,
    config_text: Option<String>,
    layers_rel: String,
    layer_dirs: Vec<String>,
}

fn config_at_ref(
    repo: &Repo,
    commit: &str,
    file: &ChangedFile,
    config_path: &Path,
    asked: &Asked,
) -> Result<AtRef, ChangeError> {
    // A renamed config is compared with its old self.
    let old_path = match &file.change {
        FileChange::RenamedFrom { from } => from.as_str(),
        _ => file.path.as_str(),
    };
    let text = if old_path == asked.config_rel {
        asked.config_text.clone()
    } else {
        repo.file_at(commit, old_path)?
    };
    let Some(text) = text else {
        return Ok(AtRef::Absent);
    };
    Ok(
        match read_config_at_ref(repo, commit, old_path, config_path, &text, asked) {
            Ok((config, layers_dir)) => AtRef::Read {
                config: Box::new(config),
                layers_dir,
            },
            Err(problem) => AtRef::Invalid {
                path: format!("{old_path} at {commit}"),
                problem,
            },
        },
    )
}

/// The config file changed: what today's config changes compared with the ref's.
fn config_changes(
    at_ref: AtRef,
    file: &ChangedFile,
    out: &mut Builder<'_>,
    notes: &mut Vec<String>,
) -> Vec<Removed> {
    match at_ref {
        AtRef::Absent => {
            let id = out.reason(file, "the config is new: every account is new".into());
            out.everything(id);
            Vec::new()
        }
        AtRef::Invalid { path, problem } => {
            notes.push(format!(
                "{path} is not a valid config ({problem}); every account is treated as changed"
            ));
            let id = out.reason(file, "the config at the ref is not valid".into());
            out.everything(id);
            Vec::new()
        }
        AtRef::Read { config, layers_dir } => {
            let changes = config_diff::compare(&config, out.config, &layers_dir);
            for (account, layers) in changes.affected {
                for (layer, whys) in layers {
                    for why in whys {
                        let id = out.reason(file, why);
                        out.pair(&account, &layer, id);
                    }
                }
            }
            changes.removed
        }
    }
}

/// The config as it was at the ref, and where its layers lived (relative to the repository).
///
/// Validation checks that every layer has a directory; the ref's config is checked against
/// the ref's own layer directories (recreated empty in a temporary directory), so a layer
/// removed since then does not make the old config invalid.
fn read_config_at_ref(
    repo: &Repo,
    commit: &str,
    old_path: &str,
    config_path: &Path,
    text: &str,
    asked: &Asked,
) -> Result<(Config, String), String> {
    let layers_dir = layers_dir_setting(text);
    let config_dir = old_path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let layers_rel = (!Path::new(&layers_dir).is_absolute())
        .then(|| modules::normalize(&join(config_dir, &layers_dir)))
        .flatten();
    let Some(layers_rel) = layers_rel else {
        // Layers outside the repository: only the filesystem can say what they are.
        let old = config::from_str(config_path, text).map_err(|e| e.to_string())?;
        return Ok((old, layers_dir));
    };
    let scratch =
        tempfile::tempdir().map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let layers = if layers_rel == asked.layers_rel {
        asked.layer_dirs.clone()
    } else {
        repo.dirs_at(commit, &layers_rel)
            .map_err(|e| e.to_string())?
    };
    for layer in &layers {
        let dir = scratch.path().join(&layers_rel).join(layer);
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let old = config::from_str(&scratch.path().join(old_path), text).map_err(|e| {
        // Messages name the scratch copy; name the file the user knows instead.
        e.to_string().replace(
            &scratch.path().join(old_path).display().to_string(),
            old_path,
        )
    })?;
    Ok((old, layers_rel))
}

/// `defaults.layers_dir` as written (the config's default when absent or unreadable).
fn layers_dir_setting(text: &str) -> String {
    let find = |node: &config::yaml::Node, key: &str| match &node.kind {
        NodeKind::Map(entries) => entries
            .iter()
            .find(|(k, _)| k.as_str() == Some(key))
            .map(|(_, v)| v.clone()),
        _ => None,
    };
    config::yaml::parse(text)
        .ok()
        .flatten()
        .and_then(|root| find(&root, "defaults"))
        .and_then(|d| find(&d, "layers_dir"))
        .and_then(|n| n.as_str().map(str::to_string))
        .unwrap_or_else(|| "layers".to_string())
}

fn canonical(path: &Path) -> Result<PathBuf, ChangeError> {
    path.canonicalize().map_err(|source| ChangeError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// `path` relative to the repository's top, with `/`.
fn relative(top: &Path, path: &Path) -> Result<String, ChangeError> {
    let rel = path
        .strip_prefix(top)
        .map_err(|_| ChangeError::OutsideRepository {
            path: path.to_path_buf(),
            top: top.to_path_buf(),
        })?;
    Ok(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/"))
}

fn is_under(path: &str, dir: &str) -> bool {
    dir.is_empty()
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}
