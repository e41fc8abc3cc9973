//! Where the terraform binary is: an absolute path, since terraform runs in each layer's
//! directory.

use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
#[error(
    "terraform not found: `{}` is not an executable file or on PATH; install terraform \
     (or OpenTofu) or pass --terraform <path> / set TERRAFORM_BIN",
    program.display()
)]
pub struct ProgramNotFound {
    pub program: PathBuf,
}

/// `program` as given when it is a path, else the first executable of that name on `PATH`.
pub fn find_program(program: &Path) -> Result<PathBuf, ProgramNotFound> {
    let not_found = || ProgramNotFound {
        program: program.to_path_buf(),
    };
    let is_executable = |p: &Path| {
        use std::os::unix::fs::PermissionsExt;
        p.metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    let absolute = |p: &Path| std::path::absolute(p).map_err(|_| not_found());
    if program.components().count() > 1 {
        let path = absolute(program)?;
        return if is_executable(&path) {
            Ok(path)
        } else {
            Err(not_found())
        };
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(program))
        .find(|p| is_executable(p))
        .map(|p| absolute(&p))
        .transpose()?
        .ok_or_else(not_found)
}
