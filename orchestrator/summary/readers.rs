//! Reading many plan files on a few threads: each reader holds one file at a time in a
//! buffer it reuses, so memory follows the number of readers, not the number of files.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::error::PlanError;
use super::inputs::PlanFile;
use super::parse::read_plan_with;
use super::plan_summary::PlanSummary;

/// At most this many plans are read at once; each reader holds one plan file.
const MAX_READERS: usize = 4;

/// Reads every file, a few at a time on separate threads, each reusing its own buffer;
/// the results come back in the order of `files`.
pub(super) fn read_all(files: &[PlanFile]) -> Vec<Result<PlanSummary, PlanError>> {
    let readers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_READERS)
        .min(files.len().max(1));
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..readers {
            let sender = sender.clone();
            let next = &next;
            scope.spawn(move || {
                let mut buffer = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(file) = files.get(i) else { break };
                    if sender
                        .send((i, read_plan_with(&file.path, &mut buffer)))
                        .is_err()
                    {
                        break;
                    }
                }
            });
        }
    });
    drop(sender);
    let mut results: Vec<Option<Result<PlanSummary, PlanError>>> =
        std::iter::repeat_with(|| None).take(files.len()).collect();
    for (i, result) in receiver {
        results[i] = Some(result);
    }
    results
        .into_iter()
        .map(|result| result.expect("every file is read once"))
        .collect()
}
