use crate::cli::SchemaArgs;
use crate::exit::{CommandResult, Exit};

/// Prints the JSON Schema of domains.yaml (`domains.schema.json`) or, with `--run-report`,
/// of the run report (`run-report.schema.json`); both files at the repository root are this
/// output, committed, and tests keep them equal.
pub(super) fn run(args: &SchemaArgs) -> CommandResult {
    let schema = if args.run_report {
        crate::report::schema::json_schema()
    } else {
        crate::config::schema::json_schema()
    };
    let text = serde_json::to_string_pretty(&schema).expect("the schema serialises");
    super::stdout::print_stdout(&format!("{text}\n"), crate::console::Document::Own)?;
    Ok(Exit::Success)
}
