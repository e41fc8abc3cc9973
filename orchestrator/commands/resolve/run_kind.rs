//! What a run does besides the flags every run shares.

use crate::cli::ExecutionArgs;
use crate::report::{Mode, ResumedFrom};
use crate::stacks::StackCopy;

/// Plan or apply, deploy or destroy, the main stack or one copy of the stack layer.
#[derive(Debug, Clone)]
pub(crate) struct RunKind {
    pub mode: Mode,
    pub destroy: bool,
    pub stack: Option<StackCopy>,
    /// `--resume REPORT`: the run this one finishes.
    pub resumed_from: Option<ResumedFrom>,
}

impl RunKind {
    /// `run` and `deploy`: apply, or plan with `--plan-only`.
    pub(crate) fn deploy(args: &ExecutionArgs, stack: Option<StackCopy>) -> Self {
        Self {
            mode: if args.plan_only {
                Mode::Plan
            } else {
                Mode::Apply
            },
            destroy: false,
            stack,
            resumed_from: None,
        }
    }

    /// One of `destroy`'s two runs: its `plan -destroy` (`Mode::Plan`), or the destroy.
    pub(crate) fn destroy(mode: Mode, stack: Option<StackCopy>) -> Self {
        Self {
            mode,
            destroy: true,
            stack,
            resumed_from: None,
        }
    }
}
