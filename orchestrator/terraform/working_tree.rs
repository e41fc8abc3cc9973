//! terraform's working directory for one (account, layer). terraform writes files for the
//! operator into its working directory: `errored.tfstate` when it cannot save the state at
//! the end of an apply, `crash.log` when it panics. Run from the shared layer directory, two
//! accounts would overwrite each other's recovery file.
//!
//! So each (account, layer) runs in its own directory that stands in for the layer: a tree
//! from the config's directory down to the layer, each level holding a symbolic link to every
//! entry of the real directory at that level, except the next level down, which is a real
//! directory. terraform finds the layer's files where it expects them, `../modules/vpc`
//! (and any path that climbs up to the config's directory) reaches the same files as from the
//! layer itself, and what terraform writes next to it stays in this (account, layer)'s
//! directory. Building it costs a few links per level, not a copy of the layer.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::io;
use std::path::{Path, PathBuf};

/// Files terraform writes into its working directory: never linked from the layer (a link
/// would send the write into the shared layer directory) and never removed.
pub(super) const WRITTEN_BY_TERRAFORM: [&str; 2] = [ERRORED_STATE, "crash.log"];

/// Where terraform saves the state it could not persist (`internal/backend/local`,
/// `backupStateForError`), relative to its working directory.
pub(super) const ERRORED_STATE: &str = "errored.tfstate";

/// A tree under `root` that mirrors `source` (the config's directory) down to the layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct WorkingTree {
    /// The real directory the top of the tree stands in for.
    pub(super) source: PathBuf,
    /// The top of the tree.
    pub(super) root: PathBuf,
    /// From the top down to the layer (`layers/static`).
    pub(super) layer_path: PathBuf,
}

impl WorkingTree {
    /// terraform's working directory: the layer's place in the tree.
    pub(super) fn working_dir(&self) -> PathBuf {
        self.root.join(&self.layer_path)
    }

    /// Whether terraform left `errored.tfstate` or `crash.log` in the working directory.
    pub(super) fn holds_files_for_the_operator(&self) -> bool {
        let dir = self.working_dir();
        WRITTEN_BY_TERRAFORM
            .iter()
            .any(|name| std::fs::symlink_metadata(dir.join(name)).is_ok())
    }

    /// Links every level to its real directory (refreshing links the layer no longer has or
    /// has changed), keeping whatever terraform wrote there.
    pub(super) fn build(&self) -> io::Result<()> {
        let names: Vec<&OsStr> = self.layer_path.iter().collect();
        // The layer's directory as the process would see it once there: `..` climbs the real
        // parents, symbolic links resolved.
        let layer = std::fs::canonicalize(self.source.join(&self.layer_path))?;
        let mut real: Vec<PathBuf> = layer.ancestors().map(Path::to_path_buf).collect();
        real.truncate(names.len() + 1);
        let mut mirror = self.root.clone();
        for depth in 0..=names.len() {
            let next = names.get(depth).copied();
            // From the layer up: level `depth` stands in for the real dir `len - depth` up.
            let level_source = real.get(names.len() - depth);
            mirror_level(level_source.map(PathBuf::as_path), &mirror, next)?;
            if let Some(next) = next {
                mirror.push(next);
            }
        }
        Ok(())
    }
}

/// Makes `mirror` link to every entry of `source` except `real_child` (the next level down,
/// made a real directory) and the files terraform writes. Real files and directories in
/// `mirror` are kept (terraform or a provisioner wrote them), except a file the layer also
/// has: terraform replaced the link (an updated `.terraform.lock.hcl`), and the layer's own
/// version wins.
fn mirror_level(
    source: Option<&Path>,
    mirror: &Path,
    real_child: Option<&OsStr>,
) -> io::Result<()> {
    std::fs::create_dir_all(mirror)?;
    // The work dir usually lives in the config's directory (`.orchestrator`): a link to it, or
    // to anything holding this tree, would make the tree contain itself, and every tool that
    // walks the layer (checkov, `find`, an artifact upload) would loop for ever.
    let inside = std::fs::canonicalize(mirror)?;
    let mut wanted: BTreeMap<OsString, PathBuf> = BTreeMap::new();
    if let Some(source) = source {
        for entry in std::fs::read_dir(source)? {
            let name = entry?.file_name();
            let target = source.join(&name);
            let holds_this_tree =
                std::fs::canonicalize(&target).is_ok_and(|real| inside.starts_with(real));
            if Some(name.as_os_str()) != real_child
                && !written_by_terraform(&name)
                && !holds_this_tree
            {
                wanted.insert(name.clone(), target);
            }
        }
    }
    for entry in std::fs::read_dir(mirror)? {
        let entry = entry?;
        let name = entry.file_name();
        let kind = entry.file_type()?;
        if kind.is_symlink() {
            let current = std::fs::read_link(entry.path()).ok();
            match wanted.get(&name) {
                Some(target) if current.as_ref() == Some(target) => {
                    wanted.remove(&name);
                }
                _ => std::fs::remove_file(entry.path())?,
            }
        } else if kind.is_file() && wanted.contains_key(&name) {
            std::fs::remove_file(entry.path())?;
        } else if kind.is_dir() {
            // A directory of our own (the next level) or one something wrote here: it stays,
            // and shadows the layer's entry of that name.
            wanted.remove(&name);
        }
    }
    for (name, target) in wanted {
        std::os::unix::fs::symlink(target, mirror.join(name))?;
    }
    if let Some(child) = real_child {
        std::fs::create_dir_all(mirror.join(child))?;
    }
    Ok(())
}

fn written_by_terraform(name: &OsStr) -> bool {
    WRITTEN_BY_TERRAFORM.iter().any(|n| OsStr::new(n) == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "domains.yaml",
            "layers/static/main.tf",
            "layers/static/.terraform.lock.hcl",
            "layers/modules/vpc/main.tf",
            "shared/policy.json",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file).unwrap();
        }
        dir
    }

    fn tree(repo: &Path, root: &Path) -> WorkingTree {
        WorkingTree {
            source: repo.to_path_buf(),
            root: root.to_path_buf(),
            layer_path: "layers/static".into(),
        }
    }

    #[test]
    fn the_layer_and_every_path_climbing_from_it_read_the_same_files() {
        let repo = repo();
        let work = tempfile::tempdir().unwrap();
        let tree = tree(repo.path(), &work.path().join("catalog-dev/static"));
        tree.build().unwrap();
        let cwd = tree.working_dir();
        let read = |p: &str| std::fs::read_to_string(cwd.join(p)).unwrap();
        assert_eq!(read("main.tf"), "layers/static/main.tf");
        assert_eq!(read("../modules/vpc/main.tf"), "layers/modules/vpc/main.tf");
        assert_eq!(read("../../shared/policy.json"), "shared/policy.json");
        // The working directory itself is real: what terraform writes there stays there.
        assert!(!std::fs::symlink_metadata(&cwd).unwrap().is_symlink());
        std::fs::write(cwd.join(ERRORED_STATE), "state").unwrap();
        assert!(!repo
            .path()
            .join("layers/static")
            .join(ERRORED_STATE)
            .exists());
    }

    /// The default work dir is inside the config's directory: the tree never links to it,
    /// so walking the tree (following links) ends.
    #[test]
    fn a_work_dir_inside_the_config_directory_is_never_linked_into_its_own_tree() {
        let repo = repo();
        let tree = tree(
            repo.path(),
            &repo
                .path()
                .join(".orchestrator/workdirs/catalog-dev/static"),
        );
        tree.build().unwrap();
        let top = repo
            .path()
            .join(".orchestrator/workdirs/catalog-dev/static");
        assert!(std::fs::symlink_metadata(top.join(".orchestrator")).is_err());
        assert!(std::fs::symlink_metadata(top.join("domains.yaml"))
            .unwrap()
            .is_symlink());
        let mut seen = 0;
        let mut stack = vec![top];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                seen += 1;
                assert!(seen < 1_000, "the tree contains itself");
                if entry.path().is_dir() {
                    stack.push(entry.path());
                }
            }
        }
    }

    #[test]
    fn a_rebuild_follows_the_layer_and_keeps_what_terraform_wrote() {
        let repo = repo();
        let work = tempfile::tempdir().unwrap();
        let tree = tree(repo.path(), work.path());
        tree.build().unwrap();
        let cwd = tree.working_dir();
        let layer = repo.path().join("layers/static");
        std::fs::write(cwd.join(ERRORED_STATE), "saved state").unwrap();
        std::fs::write(cwd.join("crash.log"), "panic").unwrap();
        // terraform rewrote the lock file (replacing the link); the layer gained and lost files.
        std::fs::remove_file(cwd.join(".terraform.lock.hcl")).unwrap();
        std::fs::write(cwd.join(".terraform.lock.hcl"), "rewritten").unwrap();
        std::fs::write(layer.join("outputs.tf"), "new").unwrap();
        std::fs::remove_file(layer.join("main.tf")).unwrap();
        // A file the layer has under a name terraform writes is never linked.
        std::fs::write(layer.join(ERRORED_STATE), "someone else's").unwrap();
        tree.build().unwrap();
        assert_eq!(
            std::fs::read_to_string(cwd.join(ERRORED_STATE)).unwrap(),
            "saved state"
        );
        assert_eq!(
            std::fs::read_to_string(cwd.join("crash.log")).unwrap(),
            "panic"
        );
        assert_eq!(
            std::fs::read_to_string(cwd.join(".terraform.lock.hcl")).unwrap(),
            "layers/static/.terraform.lock.hcl"
        );
        assert_eq!(
            std::fs::read_to_string(cwd.join("outputs.tf")).unwrap(),
            "new"
        );
        assert!(
            std::fs::symlink_metadata(cwd.join("main.tf")).is_err(),
            "a removed file is gone"
        );
    }

    #[test]
    fn a_symlinked_layers_dir_climbs_its_real_parents() {
        let repo = repo();
        let elsewhere = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(elsewhere.path().join("layers/static")).unwrap();
        std::fs::create_dir_all(elsewhere.path().join("layers/modules")).unwrap();
        std::fs::write(elsewhere.path().join("layers/static/main.tf"), "real").unwrap();
        std::fs::write(elsewhere.path().join("layers/modules/m.tf"), "real module").unwrap();
        std::fs::remove_dir_all(repo.path().join("layers")).unwrap();
        std::os::unix::fs::symlink(elsewhere.path().join("layers"), repo.path().join("layers"))
            .unwrap();
        let work = tempfile::tempdir().unwrap();
        let tree = tree(repo.path(), work.path());
        tree.build().unwrap();
        let cwd = tree.working_dir();
        assert_eq!(
            std::fs::read_to_string(cwd.join("main.tf")).unwrap(),
            "real"
        );
        assert_eq!(
            std::fs::read_to_string(cwd.join("../modules/m.tf")).unwrap(),
            "real module"
        );
    }
}
