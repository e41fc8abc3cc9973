//! Step outputs in `$GITHUB_OUTPUT`. Every value is written as a heredoc with a random
//! delimiter that the value does not contain, so no value (a newline, `x=y`, a delimiter it
//! guessed) can end its block early or set another output.

use std::io::Write;
use std::path::Path;

/// The `$GITHUB_OUTPUT` text for `outputs` (name, value), in order.
pub fn output_text(outputs: &[(impl AsRef<str>, impl AsRef<str>)]) -> String {
    let mut text = String::new();
    for (name, value) in outputs {
        let (name, value) = (name.as_ref(), value.as_ref());
        let delimiter = loop {
            let candidate = format!("ghadelimiter_{:032x}", rand::random::<u128>());
            if !value.contains(&candidate) {
                break candidate;
            }
        };
        text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    text
}

/// Appends `outputs` (name, value) to the file (other steps' outputs stay).
pub fn append_outputs(
    path: &Path,
    outputs: &[(impl AsRef<str>, impl AsRef<str>)],
) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(output_text(outputs).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_is_a_heredoc_that_its_value_cannot_end() {
        let text = output_text(&[("proceed", "true"), ("note", "a\nx=y\nEOF")]);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8, "{text}");
        let (name, delimiter) = lines[0].split_once("<<").unwrap();
        assert_eq!(name, "proceed");
        assert_eq!(lines[1], "true");
        assert_eq!(lines[2], delimiter);
        let (_, second) = lines[3].split_once("<<").unwrap();
        assert_ne!(delimiter, second, "a fresh delimiter per value");
        assert_eq!(lines[7], second);
    }
}
