//! Shortening the comment to a size limit, saying exactly what was left out and where the
//! full version is. The most detailed step of [`Detail::steps`] whose fixed part fits is
//! taken, then as many folded resource lists as still fit are added back.

use std::path::PathBuf;

use crate::summary::model::{AccountSummary, Summary};

use super::comment::{list_groups, render_parts};
use super::detail::{Destroys, Detail};
use super::markdown::{code, thousands};

/// A size limit and how it is counted.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub max: usize,
    pub measure: fn(&str) -> usize,
    /// "characters" or "bytes".
    pub unit: &'static str,
    /// "a PR comment", "the job summary".
    pub of: &'static str,
    /// What to do when even the barest rendering is over `max`.
    pub remedy: &'static str,
}

/// Where a reader finds the version with every detail.
#[derive(Debug, Clone, Default)]
pub struct FullVersion {
    /// `--full FILE`.
    pub file: Option<PathBuf>,
    /// The full version also went to `$GITHUB_STEP_SUMMARY`.
    pub step_summary: bool,
    /// The CI run whose job summary holds it.
    pub run_url: Option<String>,
    /// `--destroy-list FILE`: every destroyed and replaced address with account and layer,
    /// named when the comment only counts them.
    pub destroy_list: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct Fitted {
    pub text: String,
    /// What the comment leaves out (empty when nothing was).
    pub left_out: Vec<String>,
    /// The detail it was rendered at.
    pub detail: Detail,
}

#[derive(Debug, thiserror::Error)]
#[error(
    "the summary needs {needed} {unit} even with every detail left out, over the limit of {max} for {of}; {remedy}"
)]
pub struct TooLong {
    pub needed: usize,
    pub max: usize,
    pub unit: &'static str,
    pub of: &'static str,
    pub remedy: &'static str,
}

/// The most detailed rendering of `summary` that fits `limit`.
pub fn fit(summary: &Summary, limit: Limit, full: &FullVersion) -> Result<Fitted, TooLong> {
    let groups = list_groups(summary);
    let whole = attempt(summary, &Detail::FULL, &groups, limit, full);
    if whole.0 <= limit.max {
        return Ok(whole.1);
    }
    let mut needed = whole.0;
    let steps = Detail::steps();
    // One level of destroys at a time: when even its barest step is over the limit, none
    // of its steps can fit, and rendering them all is what makes thousands of destroys slow.
    for level in steps.chunk_by(|a, b| a.destroys == b.destroys) {
        let barest = level.last().expect("a level has steps");
        let (size, _) = attempt(summary, barest, &groups, limit, full);
        needed = size;
        if size > limit.max {
            continue;
        }
        let Some((detail, fitted)) = level.iter().find_map(|detail| {
            let (size, fitted) = attempt(summary, detail, &groups, limit, full);
            (size <= limit.max).then_some((*detail, fitted))
        }) else {
            continue;
        };
        // Adding a list never makes the comment shorter: search the most that fit.
        let (mut low, mut high) = (0, groups.len());
        let mut best = fitted;
        while low < high {
            let mid = (low + high).div_ceil(2);
            let more = Detail {
                lists: Some(mid),
                ..detail
            };
            let (size, fitted) = attempt(summary, &more, &groups, limit, full);
            if size <= limit.max {
                low = mid;
                best = fitted;
            } else {
                high = mid - 1;
            }
        }
        return Ok(best);
    }
    Err(TooLong {
        needed,
        max: limit.max,
        unit: limit.unit,
        of: limit.of,
        remedy: limit.remedy,
    })
}

fn attempt(
    summary: &Summary,
    detail: &Detail,
    groups: &[Vec<&AccountSummary>],
    limit: Limit,
    full: &FullVersion,
) -> (usize, Fitted) {
    let left_out = detail.left_out(summary, groups);
    let note = (!left_out.is_empty()).then(|| note(&left_out, detail, limit, full));
    let text = render_parts(summary, detail, note.as_deref(), groups).join("");
    (
        (limit.measure)(&text),
        Fitted {
            text,
            left_out,
            detail: *detail,
        },
    )
}

fn note(left_out: &[String], detail: &Detail, limit: Limit, full: &FullVersion) -> String {
    let mut places = Vec::new();
    if full.step_summary {
        places.push(match &full.run_url {
            Some(url) => format!("in the job summary of [the CI run]({url})"),
            None => "in this CI job's summary".to_string(),
        });
    }
    if let Some(file) = &full.file {
        places.push(format!("in {}", code(&file.display().to_string())));
    }
    let where_ = if places.is_empty() {
        "`orchestrator summary --full FILE` writes the full version.".to_string()
    } else {
        format!("The full version is {}.", places.join(" and "))
    };
    let mut note = format!(
        "Shortened to fit the {}-{} limit of {}: left out {}. {where_}",
        thousands(limit.max),
        limit.unit.trim_end_matches('s'),
        limit.of,
        left_out.join("; "),
    );
    if let (Destroys::Counts | Destroys::CountsFolded, Some(list)) =
        (detail.destroys, &full.destroy_list)
    {
        let of_run = match &full.run_url {
            Some(url) => format!(" of [the CI run]({url})"),
            None => String::new(),
        };
        note.push_str(&format!(
            " Every destroyed and replaced address, with its account and layer, is in {}{of_run}.",
            code(&list.display().to_string())
        ));
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::render::render;
    use crate::summary::{
        AccountSummary, Kind, LayerEntry, LayerState, PlanSummary, ResourceChange,
    };

    fn account(i: usize) -> AccountSummary {
        let mut plan = PlanSummary::default();
        for r in 0..30 {
            let kind = if i.is_multiple_of(5) && r < 8 {
                Kind::Delete
            } else {
                Kind::Create
            };
            plan.add_resource(ResourceChange {
                address: format!("module.m[\"{i}\"].aws_s3_bucket.b[{r}]").into(),
                kind,
                previous_address: None,
                import_id: None,
                reason: None,
                actions: None,
            });
        }
        AccountSummary {
            name: format!("account-{i:03}"),
            layers: vec![LayerEntry {
                layer: "static".into(),
                state: LayerState::Planned(plan),
            }],
        }
    }

    fn summary() -> Summary {
        Summary {
            accounts: (0..60).map(account).collect(),
            layers: vec!["static".into()],
            ..Summary::default()
        }
    }

    fn limit(max: usize) -> Limit {
        Limit {
            max,
            measure: super::super::comment_length,
            unit: "characters",
            of: "a PR comment",
            remedy: "raise --max-chars",
        }
    }

    #[test]
    fn every_limit_either_fits_naming_each_destroying_account_or_fails() {
        let summary = summary();
        let full = render(&summary, &Detail::FULL, None);
        let mut fitted_once = false;
        for max in (500..=full.len() + 100).rev().step_by(997) {
            match fit(&summary, limit(max), &FullVersion::default()) {
                Ok(fitted) => {
                    fitted_once = true;
                    assert!(fitted.text.chars().count() <= max);
                    for i in (0..60).step_by(5) {
                        assert!(fitted.text.contains(&format!("**account-{i:03}**")));
                    }
                    assert_eq!(fitted.left_out.is_empty(), max >= full.len());
                }
                Err(e) => assert!(e.needed > max),
            }
        }
        assert!(fitted_once);
    }

    #[test]
    fn destroyed_addresses_stay_while_lists_and_table_go() {
        let summary = summary();
        // Room for the destroys but not for every list.
        let fitted = fit(&summary, limit(8_000), &FullVersion::default()).unwrap();
        for i in (0..60).step_by(5) {
            for r in 0..8 {
                let address = format!("module.m[\"{i}\"].aws_s3_bucket.b[{r}]");
                assert!(fitted.text.contains(&address), "{address} is not named");
            }
        }
        assert!(fitted.left_out[0].starts_with("the resource lists of "));
    }

    #[test]
    fn the_note_says_what_is_left_out_and_where_the_rest_is() {
        let summary = summary();
        let full = FullVersion {
            file: Some("plan-summary.md".into()),
            step_summary: true,
            run_url: Some("https://github.com/acme/platform/actions/runs/9".into()),
            destroy_list: None,
        };
        let fitted = fit(&summary, limit(20_000), &full).unwrap();
        assert!(fitted.text.contains(
            "> Shortened to fit the 20,000-character limit of a PR comment: left out the resource lists of"
        ));
        assert!(fitted.text.contains(
            "The full version is in the job summary of [the CI run](https://github.com/acme/platform/actions/runs/9) and in `plan-summary.md`."
        ));
    }

    /// 60 accounts: every fifth destroys, every seventh has an errored plan with three
    /// diagnostics, every eleventh has drift, every fourth changes nothing.
    fn mixed() -> Summary {
        let mut summary = summary();
        for (i, account) in summary.accounts.iter_mut().enumerate() {
            let LayerState::Planned(plan) = &mut account.layers[0].state else {
                unreachable!()
            };
            if i % 4 == 1 {
                *plan = PlanSummary::default();
            }
            if i % 7 == 3 {
                plan.status = crate::summary::PlanStatus::Errored;
                plan.diagnostics = (0..3)
                    .map(|d| format!("Error: problem {d} of account {i}").into())
                    .collect();
            }
            if i % 11 == 2 {
                plan.drift.push(ResourceChange {
                    address: format!("aws_security_group.drifted_{i}").into(),
                    kind: Kind::Update,
                    previous_address: None,
                    import_id: None,
                    reason: None,
                    actions: None,
                });
            }
        }
        summary
    }

    /// Each claim of the note checked against the comment at many limits: what it does not
    /// say is left out is there, and the numbers it gives are what is missing.
    #[test]
    fn the_note_is_exact_at_every_limit() {
        let summary = mixed();
        let full = render(&summary, &Detail::FULL, None);
        let changed: Vec<&AccountSummary> = summary
            .accounts
            .iter()
            .filter(|a| a.counts().has_changes())
            .collect();
        let unchanged: Vec<&AccountSummary> = summary
            .accounts
            .iter()
            .filter(|a| a.is_unchanged())
            .collect();
        let failed: Vec<&AccountSummary> = summary
            .accounts
            .iter()
            .filter(|a| a.failed_layers().next().is_some())
            .collect();
        let (mut fitted_at, mut levels) = (0, std::collections::BTreeSet::new());
        for max in (300..full.len() + 2_000)
            .rev()
            .step_by(3_001)
            .chain([1_900, 1_700, 1_500, 1_300])
        {
            let Ok(fitted) = fit(&summary, limit(max), &FullVersion::default()) else {
                continue;
            };
            fitted_at += 1;
            levels.insert(format!("{:?}", fitted.detail.plan_lines));
            let c = &fitted.text;
            let said = |phrase: &str| fitted.left_out.iter().any(|p| p.contains(phrase));
            // Resource lists: exactly the accounts without one are counted.
            let listed: usize = c
                .lines()
                .filter(|l| l.starts_with("<details><summary>"))
                .map(|l| l.matches("<b>").count())
                .sum();
            let gone = changed.len() - listed;
            assert_eq!(
                said(&format!("the resource lists of {gone} account")),
                gone > 0,
                "{max}: {:?}",
                fitted.left_out
            );
            // The table, and the names of accounts that change nothing.
            assert_eq!(
                said("the account by layer table"),
                !c.contains("### Plans by account")
            );
            let names_line = c
                .lines()
                .find(|l| l.starts_with("**No changes** in "))
                .unwrap_or_default();
            let has_row = |a: &AccountSummary| c.contains(&format!("| {} |", a.name));
            let all_named = unchanged
                .iter()
                .all(|a| names_line.contains(&a.name) || has_row(a));
            assert_eq!(
                said("the names of the"),
                !all_named,
                "{max}: {:?}",
                fitted.left_out
            );
            if c.contains("### Plans by account") {
                let rows_gone = unchanged.iter().filter(|a| !has_row(a)).count();
                assert_eq!(
                    said(&format!("the table rows of {rows_gone} account")),
                    rows_gone > 0,
                    "{max}: {:?}",
                    fitted.left_out
                );
            }
            // Failed plans: named unless counted, their lines unless said.
            let failed_section = c.split("### Failed plans").nth(1).unwrap_or_default();
            let failed_named = failed
                .iter()
                .all(|a| failed_section.contains(&format!("**{}**", a.name)));
            assert_eq!(said("the accounts and layers of"), !failed_named);
            let every_line = failed.iter().all(|a| {
                (0..3)
                    .all(|d| c.contains(&format!("problem {d} of account")) && c.contains(&a.name))
            }) && (0..60)
                .filter(|i| i % 7 == 3)
                .all(|i| (0..3).all(|d| c.contains(&format!("problem {d} of account {i}\n"))));
            assert_eq!(
                said("error lines") || said("the reasons for") || !failed_named,
                !every_line,
                "{max}: {:?}",
                fitted.left_out
            );
            // Drift addresses.
            let drifted = (0..60)
                .filter(|i| i % 11 == 2)
                .all(|i| c.contains(&format!("aws_security_group.drifted_{i}")));
            assert_eq!(said("the addresses of drift"), !drifted, "{max}");
        }
        assert!(fitted_at > 10, "{fitted_at}");
        assert_eq!(
            levels.len(),
            3,
            "every level of plan lines is reached: {levels:?}"
        );
    }

    #[test]
    fn grouped_destroys_say_which_notes_on_them_are_left_out() {
        let mut summary = summary();
        let grouped = Detail {
            destroys: super::super::Destroys::Grouped,
            ..Detail::FULL
        };
        // No reasons, moves or import ids: grouping leaves nothing out.
        assert!(grouped.left_out(&summary, &[]).is_empty());
        let LayerState::Planned(plan) = &mut summary.accounts[0].layers[0].state else {
            unreachable!()
        };
        plan.resources[0].previous_address = Some("aws_s3_bucket.old".into());
        plan.resources[1].reason = Some("delete_because_no_resource_config".into());
        assert_eq!(
            grouped.left_out(&summary, &[]),
            ["terraform's reason and the address it moved from for each destroy (every destroyed address is named, by account)"]
        );
    }
}
