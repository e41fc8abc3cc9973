use crate::config::schema::json_schema;
use crate::exit::{CommandResult, Exit};

/// Prints the JSON Schema of domains.yaml; `domains.schema.json` at the repository root is
/// this output, committed, and a test keeps the two equal.
pub fn run() -> CommandResult {
    let text = serde_json::to_string_pretty(&json_schema()).expect("the schema serialises");
    super::common::print_stdout(&format!("{text}\n"))?;
    Ok(Exit::Success)
}
