//! How many resources a plan adds, changes and destroys, counted the way terraform's own
//! `Plan: 1 to add, 0 to change, 0 to destroy.` line counts them (a replacement is one add
//! and one destroy).

use crate::events::ChangeCounts;

/// Counts from `terraform show -json <plan>`, by the plan summary's one counting (so the
/// run report, Slack, the job summary and the PR comment agree).
pub fn from_plan_json(json: &[u8]) -> Result<ChangeCounts, crate::summary::PlanError> {
    crate::summary::read_plan_slice(json, std::path::Path::new("plan.json"))
        .map(|plan| plan.counts.terraform_line())
}

/// Counts from the human-readable `plan` output; `None` when it has no `Plan:` line (no
/// changes, or only output changes).
pub fn from_plan_output(output: &str) -> Option<ChangeCounts> {
    let line = output
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("Plan: "))?;
    let mut counts = ChangeCounts::default();
    for part in line.trim_end_matches('.').split(", ") {
        let mut words = part.split_whitespace();
        // "1 to add"; terraform 1.5+ may also print "1 to import" or "1 to forget".
        let (Some(n), Some(_to), Some(what)) = (words.next(), words.next(), words.next()) else {
            continue;
        };
        let Ok(n) = n.parse::<u32>() else { continue };
        match what {
            "add" => counts.add = n,
            "change" => counts.change = n,
            "destroy" => counts.destroy = n,
            _ => {}
        }
    }
    Some(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_json_counts_match_terraforms_plan_line() {
        let json = br#"{"format_version":"1.2","resource_changes":[
            {"address":"a","change":{"actions":["create"]}},
            {"address":"b","change":{"actions":["update"]}},
            {"address":"c","change":{"actions":["delete","create"]}},
            {"address":"d","change":{"actions":["no-op"]}},
            {"address":"e","change":{"actions":["read"]}},
            {"address":"f","change":{"actions":["delete"]}}
        ]}"#;
        assert_eq!(
            from_plan_json(json).unwrap(),
            ChangeCounts {
                add: 2,
                change: 1,
                destroy: 2
            }
        );
    }

    #[test]
    fn a_plan_without_resource_changes_counts_zero() {
        assert_eq!(
            from_plan_json(br#"{"format_version":"1.2","planned_values":{}}"#).unwrap(),
            ChangeCounts::default()
        );
        assert!(from_plan_json(b"not json").is_err());
    }

    #[test]
    fn the_plan_line_is_read_from_the_text_output() {
        let output = "  # terraform_data.app will be created\n\nPlan: 1 to add, 2 to change, 3 to destroy.\n\nChanges to Outputs:\n";
        assert_eq!(
            from_plan_output(output),
            Some(ChangeCounts {
                add: 1,
                change: 2,
                destroy: 3
            })
        );
        assert_eq!(
            from_plan_output("No changes. Your infrastructure matches the configuration.\n"),
            None
        );
    }
}
