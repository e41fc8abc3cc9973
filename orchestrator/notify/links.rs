//! Where a run happened: repository, commit, CI run, and the pages built from them. Taken
//! from GitHub Actions' environment (`GITHUB_SERVER_URL`, `GITHUB_REPOSITORY`,
//! `GITHUB_RUN_ID`, `GITHUB_SHA`), falling back to the run report's `source`.

use crate::github_actions::{self, GithubActions, DEFAULT_SERVER};
use crate::report::Source;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunLinks {
    /// `owner/name`.
    pub repository: Option<String>,
    pub commit: Option<String>,
    pub run_url: Option<String>,
    pub server_url: Option<String>,
}

impl RunLinks {
    /// From this process's environment, then the report's `source`.
    pub fn from_env(source: Option<&Source>) -> Self {
        Self::resolve(source, |name| std::env::var(name).ok())
    }

    /// `env` answers an environment variable's value; empty values count as unset.
    pub fn resolve(source: Option<&Source>, env: impl Fn(&str) -> Option<String>) -> Self {
        let gh = GithubActions::from_vars(env);
        let source = source.cloned().unwrap_or_default();
        let repository = gh
            .repository
            .or(source.repository)
            .filter(|r| is_repository(r));
        let server_url = gh
            .server_url
            .or(source.server_url)
            .filter(|u| is_url(u))
            .map(|u| u.trim_end_matches('/').to_string());
        let commit = gh
            .sha
            .or(source.commit)
            .filter(|c| c.chars().all(|c| c.is_ascii_alphanumeric()));
        let run_from_env = gh.run_id.as_deref().and_then(|id| {
            github_actions::run_url(server_url.as_deref(), repository.as_deref()?, id)
        });
        let run_url = run_from_env.or(source.run_url).filter(|u| is_url(u));
        Self {
            repository,
            commit,
            run_url,
            server_url,
        }
    }

    fn server(&self) -> &str {
        self.server_url.as_deref().unwrap_or(DEFAULT_SERVER)
    }

    pub fn repository_url(&self) -> Option<String> {
        let repo = self.repository.as_ref()?;
        Some(format!("{}/{repo}", self.server()))
    }

    pub fn commit_url(&self) -> Option<String> {
        Some(format!(
            "{}/commit/{}",
            self.repository_url()?,
            self.commit.as_ref()?
        ))
    }

    /// The manual redeploy workflow's page (`.github/workflows/redeploy.yml`).
    pub fn redeploy_workflow_url(&self) -> Option<String> {
        Some(format!(
            "{}/actions/workflows/redeploy.yml",
            self.repository_url()?
        ))
    }

    /// The CI run's id (`.../actions/runs/<id>`), which the redeploy workflow's `resume`
    /// input takes.
    pub fn github_run_id(&self) -> Option<&str> {
        let url = self.run_url.as_deref()?;
        let (_, rest) = url.rsplit_once("/actions/runs/")?;
        let id = rest.split('/').next()?;
        (!id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())).then_some(id)
    }

    /// The first 7 characters of the commit, as GitHub shows it.
    pub fn short_commit(&self) -> Option<&str> {
        let c = self.commit.as_deref()?;
        Some(&c[..c.len().min(7)])
    }
}

/// A URL that is safe inside Slack's `<url|label>` and Markdown's `[label](url)`.
fn is_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && !u
            .chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '|' | '(' | ')' | '"'))
}

fn is_repository(r: &str) -> bool {
    let mut parts = r.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn github_environment_gives_every_link() {
        let links = RunLinks::resolve(
            None,
            env(&[
                ("GITHUB_SERVER_URL", "https://github.example/"),
                ("GITHUB_REPOSITORY", "acme/platform"),
                ("GITHUB_RUN_ID", "42"),
                ("GITHUB_SHA", "0123456789abcdef"),
            ]),
        );
        assert_eq!(
            links.run_url.as_deref(),
            Some("https://github.example/acme/platform/actions/runs/42")
        );
        assert_eq!(
            links.redeploy_workflow_url().as_deref(),
            Some("https://github.example/acme/platform/actions/workflows/redeploy.yml")
        );
        assert_eq!(links.short_commit(), Some("0123456"));
        assert_eq!(links.github_run_id(), Some("42"));
    }

    #[test]
    fn the_report_source_fills_what_the_environment_lacks() {
        let source = Source {
            repository: Some("acme/infra".into()),
            commit: Some("abc".into()),
            run_url: Some("https://ci.example/run/7".into()),
            server_url: None,
        };
        let links = RunLinks::resolve(Some(&source), env(&[]));
        assert_eq!(links.run_url.as_deref(), Some("https://ci.example/run/7"));
        assert_eq!(
            links.commit_url().as_deref(),
            Some("https://github.com/acme/infra/commit/abc")
        );
    }

    #[test]
    fn values_that_would_break_a_link_are_dropped() {
        let links = RunLinks::resolve(
            None,
            env(&[
                ("GITHUB_REPOSITORY", "acme/x|y"),
                ("GITHUB_SERVER_URL", "https://a>b"),
            ]),
        );
        assert_eq!(links, RunLinks::default());
    }
}
