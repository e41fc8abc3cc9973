//! Health checks after a layer applies: the URL a layer output names, and polling it until it
//! answers the expected status. The runner decides when a check runs and what a failed one
//! means for the job.

mod probe;
mod url;

pub use probe::{Answer, Probe, REQUEST_TIMEOUT};
pub use url::{HealthUrl, UrlError};
