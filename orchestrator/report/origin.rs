//! Where and as what a run happens: its id and its source (repository, commit, CI run),
//! from GitHub Actions' environment when there is one.

use std::time::SystemTime;

use super::Source;
use crate::github_actions::GithubActions;

/// `<GitHub run id>-<attempt>` in GitHub Actions, else `local-<time>-<pid>`.
pub fn run_id(gh: &GithubActions) -> String {
    gh.run_and_attempt().unwrap_or_else(|| {
        let now = humantime::format_rfc3339_seconds(SystemTime::now()).to_string();
        let stamp: String = now.chars().filter(char::is_ascii_alphanumeric).collect();
        format!("local-{stamp}-{}", std::process::id())
    })
}

/// The repository, commit and run page, when GitHub Actions names them.
pub fn source(gh: &GithubActions) -> Option<Source> {
    let source = Source {
        run_url: gh.run_url(),
        repository: gh.repository.clone(),
        commit: gh.sha.clone(),
        server_url: gh.server_url.clone(),
    };
    (source != Source::default()).then_some(source)
}
