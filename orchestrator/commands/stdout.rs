//! Machine-readable output on stdout.

use crate::exit::CliError;

/// Prints machine-readable output (neutralised as `kind` allows, see `console`). A reader
/// that stops early (`| head`, `| jq -e ...`) is not an error: the output it wanted was
/// delivered.
pub(super) fn print_stdout(text: &str, kind: crate::console::Document) -> Result<(), CliError> {
    match crate::console::stdout_document(text, kind) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failed(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}
