//! Paths and commands as the user should see them: paths relative to the current directory
//! when that is shorter, so they open from where the command ran; commands with `--config`
//! whenever the default search would not find the same file.

use std::path::{Component, Path, PathBuf};

use super::layout::normalise;

/// `path` as it opens from the current directory.
pub fn shown(path: &Path) -> String {
    match std::env::current_dir() {
        Ok(cwd) => shown_from(path, &cwd),
        Err(_) => path.display().to_string(),
    }
}

/// `path` relative to `cwd` when it shares more than the root with it, else absolute.
pub fn shown_from(path: &Path, cwd: &Path) -> String {
    let Ok(path) = std::path::absolute(path).map(|p| normalise(&p)) else {
        return path.display().to_string();
    };
    let cwd = normalise(cwd);
    let common = path
        .components()
        .zip(cwd.components())
        .take_while(|(a, b)| a == b)
        .count();
    // Only the root in common (`/tmp/x` from `/home/me`): the absolute path reads better.
    let root_only = cwd
        .components()
        .take(common)
        .all(|c| matches!(c, Component::RootDir | Component::Prefix(_)));
    if root_only {
        return path.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in cwd.components().skip(common) {
        rel.push("..");
    }
    for part in path.components().skip(common) {
        rel.push(part.as_os_str());
    }
    if rel.as_os_str().is_empty() {
        ".".into()
    } else {
        rel.display().to_string()
    }
}

/// ` --config <path>` unless the config is `domains.yaml` of the current directory (the
/// default); empty otherwise. Goes right after `orchestrator` in every printed command.
/// Pure: the path is shown as the command was given it, which is how the user reaches it.
pub fn config_flag(config: &Path) -> String {
    if normalise(config) == Path::new(super::CONFIG_FILE) {
        String::new()
    } else {
        format!(" --config {}", shell_word(&config.display().to_string()))
    }
}

/// `orchestrator [--config X] <rest>`: a command the user can paste where they stand.
pub fn command_hint(config: &Path, rest: &str) -> String {
    format!("orchestrator{} {rest}", config_flag(config))
}

/// Quotes a word for a POSIX shell only when it needs it.
pub fn shell_word(word: &str) -> String {
    if !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:@+,".contains(c))
    {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_open_from_where_the_user_stands() {
        let cwd = Path::new("/repo");
        assert_eq!(
            shown_from(
                Path::new("/repo/examples/sandbox/.orchestrator/report.json"),
                cwd
            ),
            "examples/sandbox/.orchestrator/report.json"
        );
        assert_eq!(
            shown_from(
                Path::new("/repo/.orchestrator/logs/a/p.log"),
                Path::new("/repo/layers/static")
            ),
            "../../.orchestrator/logs/a/p.log"
        );
        assert_eq!(
            shown_from(Path::new("/tmp/w/report.json"), cwd),
            "/tmp/w/report.json"
        );
    }

    #[test]
    fn odd_config_paths_are_quoted_for_the_shell() {
        assert_eq!(
            shell_word("examples/sandbox/domains.yaml"),
            "examples/sandbox/domains.yaml"
        );
        assert_eq!(shell_word("my org/domains.yaml"), "'my org/domains.yaml'");
    }
}
