//! The job summary, `$GITHUB_STEP_SUMMARY`: Markdown the run page shows. GitHub refuses a
//! step's summary over 1 MiB, and every command of a step appends to the same file.

use std::io::Write;
use std::path::Path;

/// GitHub's limit for one step's summary.
pub const MAX_STEP_SUMMARY_BYTES: usize = 1024 * 1024;

/// Bytes still free in the file for one more section and its separating newline.
pub fn step_summary_room(path: &Path) -> usize {
    let used =
        std::fs::metadata(path).map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
    MAX_STEP_SUMMARY_BYTES.saturating_sub(used.saturating_add(1))
}

/// Appends `markdown` after a newline, so it starts a block of its own.
pub fn append_step_summary(path: &Path, markdown: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(b"\n")?;
    file.write_all(markdown.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_what_the_file_leaves_of_one_mebibyte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.md");
        assert_eq!(step_summary_room(&path), MAX_STEP_SUMMARY_BYTES - 1);
        append_step_summary(&path, "# one").unwrap();
        assert_eq!(step_summary_room(&path), MAX_STEP_SUMMARY_BYTES - 1 - 6);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "\n# one");
    }
}
