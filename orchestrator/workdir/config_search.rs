//! Finding `domains.yaml` when `--config` is not given: the current directory, then each
//! parent, as git finds `.git`, so every command works from anywhere in the repository.

use std::path::{Path, PathBuf};

pub const CONFIG_FILE: &str = "domains.yaml";

#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "no {CONFIG_FILE} found in {} or any parent directory (looked in {}); pass --config <path> \
     or set ORCHESTRATOR_CONFIG",
    start.display(),
    looked_in.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
)]
pub struct ConfigNotFound {
    pub start: PathBuf,
    pub looked_in: Vec<PathBuf>,
}

/// The nearest `domains.yaml` from `start` upwards. The result is relative to `start` when
/// found there or above (`domains.yaml`, `../domains.yaml`), so messages stay short and open
/// from where the user stands.
pub fn find_config(start: &Path) -> Result<PathBuf, ConfigNotFound> {
    let mut looked_in = Vec::new();
    let mut up = PathBuf::new();
    for dir in start.ancestors() {
        let candidate = dir.join(CONFIG_FILE);
        if candidate.is_file() {
            return Ok(up.join(CONFIG_FILE));
        }
        looked_in.push(dir.to_path_buf());
        up.push("..");
    }
    Err(ConfigNotFound {
        start: start.to_path_buf(),
        looked_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_config_upwards_is_found_relative_to_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("layers/static");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(CONFIG_FILE), "version: 1\n").unwrap();
        assert_eq!(find_config(dir.path()).unwrap(), Path::new("domains.yaml"));
        assert_eq!(find_config(&sub).unwrap(), Path::new("../../domains.yaml"));
    }

    #[test]
    fn not_found_says_where_it_looked() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("a");
        std::fs::create_dir_all(&sub).unwrap();
        // A temp dir has parents that might hold a domains.yaml; start from a fresh root-like
        // chain by only checking the message shape when nothing is found.
        if let Err(e) = find_config(&sub) {
            let text = e.to_string();
            assert!(text.contains(&sub.display().to_string()), "{text}");
            assert!(text.contains(&dir.path().display().to_string()), "{text}");
            assert!(text.contains("--config"), "{text}");
        }
    }
}
