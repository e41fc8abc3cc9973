//! GitHub Actions: one `::error` annotation per failed account and a Markdown job summary
//! in `$GITHUB_STEP_SUMMARY`.

mod annotations;
mod publish;
mod summary;

pub use annotations::{annotation, annotations, escape_data, escape_property};
pub use publish::{publish, publish_with};
pub use summary::{job_summary, MAX_SUMMARY_BYTES};
