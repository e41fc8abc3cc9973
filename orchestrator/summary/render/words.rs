//! How counts, kinds and terraform's reasons read in the comment.

use crate::summary::{Counts, Kind, ResourceChange};

use super::markdown::{code, text};

/// "1 to add, 2 to change, 1 to destroy": the non-zero counts in words.
pub(super) fn counts(counts: &Counts) -> String {
    let mut parts = Vec::new();
    let mut part = |n: u64, one: &str, many: &str| {
        if n > 0 {
            parts.push(format!("{n} {}", if n == 1 { one } else { many }));
        }
    };
    part(counts.add, "to add", "to add");
    part(counts.change, "to change", "to change");
    part(counts.destroy, "to destroy", "to destroy");
    part(counts.replace, "to replace", "to replace");
    part(counts.forget, "to forget", "to forget");
    part(counts.moved, "moved", "moved");
    part(counts.imported, "imported", "imported");
    part(counts.outputs, "output changed", "outputs changed");
    part(counts.other, "other action", "other actions");
    if parts.is_empty() {
        "no changes".into()
    } else {
        parts.join(", ")
    }
}

/// "+1 ~2 **-1** **±1**": a table cell; destroys in bold.
pub(super) fn cell(counts: &Counts) -> String {
    let mut parts = Vec::new();
    if counts.add > 0 {
        parts.push(format!("+{}", counts.add));
    }
    if counts.change > 0 {
        parts.push(format!("~{}", counts.change));
    }
    if counts.destroy > 0 {
        parts.push(format!("**-{}**", counts.destroy));
    }
    if counts.replace > 0 {
        parts.push(format!("**±{}**", counts.replace));
    }
    if counts.forget > 0 {
        parts.push(format!("forget {}", counts.forget));
    }
    if counts.moved > 0 {
        parts.push(format!("moved {}", counts.moved));
    }
    if counts.imported > 0 {
        parts.push(format!("import {}", counts.imported));
    }
    if counts.outputs > 0 {
        parts.push(format!("outputs {}", counts.outputs));
    }
    if counts.other > 0 {
        parts.push(format!("other {}", counts.other));
    }
    if parts.is_empty() {
        "no changes".into()
    } else {
        parts.join(" ")
    }
}

/// "replace `aws_kms_key.main`": the kind and address only.
pub(super) fn resource_short(change: &ResourceChange) -> String {
    match (change.kind, &change.previous_address, &change.import_id) {
        (Kind::NoOp, Some(from), _) => format!("move {} to {}", code(from), code(&change.address)),
        (Kind::NoOp, None, Some(_)) => format!("import {}", code(&change.address)),
        (kind, _, _) if kind.is_other() => format!(
            "other {} (actions {})",
            code(&change.address),
            text(change.actions.as_deref().unwrap_or_default())
        ),
        (kind, _, _) => format!("{} {}", kind.label(), code(&change.address)),
    }
}

/// "replace `aws_kms_key.main` (tainted)": one resource in a list.
pub(super) fn resource(change: &ResourceChange) -> String {
    let mut line = resource_short(change);
    let mut notes = Vec::new();
    if change.kind == Kind::Forget || change.kind == Kind::CreateForget {
        notes.push("the object stays; terraform stops managing it".to_string());
    } else if let Some(reason) = &change.reason {
        notes.push(reason_words(reason));
    }
    if let (Some(from), false) = (&change.previous_address, change.kind == Kind::NoOp) {
        notes.push(format!("moved from {}", code(from)));
    }
    if let Some(id) = &change.import_id {
        let imported = if change.kind == Kind::NoOp {
            ""
        } else {
            "imported, "
        };
        if id.is_empty() {
            if !imported.is_empty() {
                notes.push("imported".into());
            }
        } else {
            notes.push(format!("{imported}id {}", code(id)));
        }
    }
    if !notes.is_empty() {
        line.push_str(&format!(" ({})", notes.join("; ")));
    }
    line
}

/// terraform's `action_reason` in a reviewer's words.
fn reason_words(reason: &str) -> String {
    match reason {
        "replace_because_tainted" => "tainted".into(),
        "replace_because_cannot_update" => "cannot be updated in place".into(),
        "replace_by_request" => "replacement requested with -replace".into(),
        "replace_by_triggers" => "forced by replace_triggered_by or triggers_replace".into(),
        "delete_because_no_resource_config" => "no longer in the configuration".into(),
        "delete_because_no_module" => "its module was removed".into(),
        "delete_because_wrong_repetition" => "count or for_each was added or removed".into(),
        "delete_because_count_index" => "its count index no longer exists".into(),
        "delete_because_each_key" => "its for_each key no longer exists".into(),
        "delete_because_no_move_target" => "moved to an address that does not exist".into(),
        other => text(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(kind: Kind) -> ResourceChange {
        ResourceChange {
            address: "aws_s3_bucket.logs".into(),
            kind,
            previous_address: None,
            import_id: None,
            reason: None,
            actions: None,
        }
    }

    #[test]
    fn moves_and_imports_read_as_such() {
        let moved = ResourceChange {
            previous_address: Some("aws_s3_bucket.old".into()),
            ..change(Kind::NoOp)
        };
        assert_eq!(
            resource(&moved),
            "move `aws_s3_bucket.old` to `aws_s3_bucket.logs`"
        );
        let imported = ResourceChange {
            import_id: Some("my-logs".into()),
            ..change(Kind::Update)
        };
        assert_eq!(
            resource(&imported),
            "update `aws_s3_bucket.logs` (imported, id `my-logs`)"
        );
        let pure_import = ResourceChange {
            import_id: Some("my-logs".into()),
            ..change(Kind::NoOp)
        };
        assert_eq!(
            resource(&pure_import),
            "import `aws_s3_bucket.logs` (id `my-logs`)"
        );
    }

    #[test]
    fn cells_put_destroys_in_bold() {
        let counts = Counts {
            add: 1,
            destroy: 2,
            replace: 1,
            ..Counts::default()
        };
        assert_eq!(cell(&counts), "+1 **-2** **±1**");
        assert_eq!(cell(&Counts::default()), "no changes");
    }
}
