//! `domains.yaml`: read with positions, validated all at once, resolved into [`Config`].

pub mod add_domain;
pub mod cidr;
pub mod diagnostic;
pub mod durations;
mod fields;
pub mod model;
pub mod names;
mod read;
mod rules;
pub mod schema;
mod shared_values;
pub mod stack_template;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use diagnostic::{ConfigErrors, Diagnostic, Pos};
pub use model::*;
/// Every inherited field with an example value per level, for tests outside `config`.
#[cfg(test)]
pub(crate) use read::inherited::TABLE as INHERITED_FIELDS;
pub use read::DEFAULT_LAYERS;

/// Why a config could not be loaded. Both are bad input (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}: cannot read the config: {source}; pass --config <path> or set ORCHESTRATOR_CONFIG", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A heading line, then one `path:line:col: ...` line per problem, so editors and CI
    /// problem matchers can pick every problem up.
    #[error("{} is not valid ({}):\n{}", .0.file.display(), problem_count(.0.problems.len()), .0)]
    Invalid(ConfigErrors),
}

fn problem_count(n: usize) -> String {
    if n == 1 {
        "1 problem".into()
    } else {
        format!("{n} problems")
    }
}

/// Checks that only `validate` makes: they look at more of the disk than loading needs, and
/// every other command works with what it reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Checks {
    /// Every layer directory holds terraform (`*.tf`, `*.tf.json`): an empty one would plan
    /// nothing for every account and look deployed.
    pub layer_contents: bool,
}

/// Reads and validates the config file; every problem is reported, not only the first.
pub fn load(path: &Path) -> Result<Config, LoadError> {
    load_checked(path, Checks::default())
}

/// [`load`] with the extra `checks` of `validate`.
pub fn load_checked(path: &Path, checks: Checks) -> Result<Config, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let valid = std::str::from_utf8(valid).unwrap_or_default();
        let line = valid.matches('\n').count() + 1;
        let col = valid
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        LoadError::Invalid(ConfigErrors::new(
            path,
            vec![Diagnostic::new(
                Pos::new(line, col),
                "the file is not UTF-8 text here",
                "save domains.yaml as UTF-8 (a YAML file must be text)",
            )],
        ))
    })?;
    let root = parse(path, &text)?;
    // The tree holds everything now; the text would only add to the peak memory.
    drop(text);
    from_tree(path, root, checks)
}

/// Validates config text as if it were the file at `path` (relative paths resolve from it).
pub fn from_str(path: &Path, text: &str) -> Result<Config, LoadError> {
    from_tree(path, parse(path, text)?, Checks::default())
}

fn parse(path: &Path, text: &str) -> Result<Option<yaml::Node>, LoadError> {
    yaml::parse(text).map_err(|d| LoadError::Invalid(ConfigErrors::new(path, vec![d])))
}

fn from_tree(
    path: &Path,
    mut root: Option<yaml::Node>,
    checks: Checks,
) -> Result<Config, LoadError> {
    let domains = root.as_mut().and_then(read::take_domains);
    let mut problems = fields::Problems::default();
    let config = read::read(path, root.as_ref(), domains, &mut problems, checks);
    match config {
        Some(config) if problems.0.is_empty() => Ok(config),
        _ => Err(LoadError::Invalid(ConfigErrors::new(path, problems.0))),
    }
}
