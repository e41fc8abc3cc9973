//! `destroy`'s two runs from one set of flags: the `plan -destroy` shown first, then the
//! destroy itself.

use super::execution::{resolve, Execution};
use super::run_kind::RunKind;
use crate::cli::ExecutionArgs;
use crate::config::Config;
use crate::exit::CliError;
use crate::report::Mode;
use crate::stacks::StackCopy;

pub(crate) struct DestroyRuns {
    /// The `plan -destroy` of every layer, shown before the confirmation.
    pub preview: Execution,
    /// The destroy, without preflight.
    pub applying: Execution,
}

/// Both runs resolved, and every place their reports go checked writable (for `layers`
/// (account, layer) pairs).
pub(crate) fn destroy(
    config: &Config,
    args: &ExecutionArgs,
    stack: Option<StackCopy>,
    layers: usize,
) -> Result<DestroyRuns, CliError> {
    let preview = resolve(config, args, RunKind::destroy(Mode::Plan, stack.clone()))?;
    let mut applying = resolve(config, args, RunKind::destroy(Mode::Apply, stack))?;
    // Every account's role was checked moments before, by the plan.
    applying.preflight.skip = true;
    preview.check_writable(layers)?;
    applying.check_writable(layers)?;
    Ok(DestroyRuns { preview, applying })
}
