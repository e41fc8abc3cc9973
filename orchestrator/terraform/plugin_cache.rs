//! Whether terraform shares a provider plugin cache: `terraform init` is not safe to run
//! concurrently on one cache (hashicorp/terraform#31964), so the runner serialises inits then.

use std::path::{Path, PathBuf};

/// True when `TF_PLUGIN_CACHE_DIR` is set, or the CLI configuration file sets
/// `plugin_cache_dir` (`TF_CLI_CONFIG_FILE`, else `~/.terraformrc`).
pub fn plugin_cache_configured() -> bool {
    if std::env::var_os("TF_PLUGIN_CACHE_DIR").is_some_and(|v| !v.is_empty()) {
        return true;
    }
    cli_config_file().is_some_and(|file| sets_plugin_cache_dir(&file))
}

fn cli_config_file() -> Option<PathBuf> {
    match std::env::var_os("TF_CLI_CONFIG_FILE").filter(|v| !v.is_empty()) {
        Some(file) => Some(PathBuf::from(file)),
        None => std::env::var_os("HOME").map(|home| Path::new(&home).join(".terraformrc")),
    }
}

fn sets_plugin_cache_dir(file: &Path) -> bool {
    std::fs::read_to_string(file).is_ok_and(|text| {
        text.lines()
            .map(str::trim_start)
            .any(|line| !line.starts_with('#') && line.starts_with("plugin_cache_dir"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cli_config_with_a_plugin_cache_is_recognised() {
        let dir = tempfile::tempdir().unwrap();
        let with = dir.path().join("with.tfrc");
        std::fs::write(&with, "# shared cache\nplugin_cache_dir = \"/tmp/cache\"\n").unwrap();
        let without = dir.path().join("without.tfrc");
        std::fs::write(
            &without,
            "# plugin_cache_dir = \"/tmp/cache\"\ndisable_checkpoint = true\n",
        )
        .unwrap();
        assert!(sets_plugin_cache_dir(&with));
        assert!(!sets_plugin_cache_dir(&without));
        assert!(!sets_plugin_cache_dir(&dir.path().join("missing.tfrc")));
    }
}
