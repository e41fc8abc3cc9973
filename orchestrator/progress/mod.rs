//! What the user sees while a run goes on: progress bars on a terminal, plain log lines in
//! CI, terraform's output folded per layer in GitHub Actions, and the closing summary. All
//! of it is built from the runner's events.

mod bars;
mod describe;
mod destroys;
mod drive;
mod github;
mod lines;
mod reporter;
mod style;
mod summary;

pub use bars::Bars;
pub use drive::drive;
pub use github::GithubGroups;
pub use lines::LogLines;
pub use reporter::{Reporter, Reporters};
pub use style::Style;
pub use summary::{render as summary, render_from as summary_from, report_line, SummaryPaths};
