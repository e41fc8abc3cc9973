//! The README's command table is what a new user reads first: every subcommand the binary
//! has (from its clap definition, nested ones included) must have a row, and every row must
//! name a real subcommand.

use clap::CommandFactory;
use orchestrator::cli::Cli;

fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("read README.md");
    let table = readme
        .split("## Commands")
        .nth(1)
        .expect("README.md has a `## Commands` section");
    table
        .lines()
        .take_while(|line| !line.starts_with("## "))
        .filter_map(|line| line.strip_prefix("| `orchestrator "))
        .map(|row| {
            row.split(['`', ' '])
                // A command word is lowercase letters and hyphens, never a flag or a value.
                .take_while(|word| {
                    word.starts_with(|c: char| c.is_ascii_lowercase())
                        && word.chars().all(|c| c.is_ascii_lowercase() || c == '-')
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// Every runnable command path: `validate`, `report merge`, ... (hidden ones excluded).
fn clap_commands() -> Vec<String> {
    fn walk(command: &clap::Command, prefix: &str, out: &mut Vec<String>) {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            let path = format!("{prefix}{}", sub.get_name());
            if sub.has_subcommands() {
                walk(sub, &format!("{path} "), out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&Cli::command(), "", &mut out);
    out
}

#[test]
fn every_subcommand_has_a_row_in_the_readme_and_every_row_is_a_subcommand() {
    let rows = readme_commands();
    let commands = clap_commands();
    let missing: Vec<_> = commands.iter().filter(|c| !rows.contains(c)).collect();
    assert!(
        missing.is_empty(),
        "README.md's command table lacks {missing:?}"
    );
    let unknown: Vec<_> = rows.iter().filter(|r| !commands.contains(r)).collect();
    assert!(
        unknown.is_empty(),
        "README.md's command table names no such command: {unknown:?}"
    );
}

#[test]
fn the_table_reader_sees_nested_and_plain_rows() {
    let rows = readme_commands();
    assert!(rows.contains(&"validate".to_string()), "{rows:?}");
    assert!(rows.contains(&"report merge".to_string()), "{rows:?}");
    // `deploy --accounts NAMES`: the flag ends the command's words.
    assert!(rows.contains(&"deploy".to_string()), "{rows:?}");
}
