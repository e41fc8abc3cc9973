//! Reads one `terraform show -json` plan: values nobody shows (`before`, `after`,
//! `prior_state`, `configuration`, ...) are skipped as they are read, never built.
//!
//! A plan up to [`WHOLE_FILE_LIMIT`] is read into one buffer that the caller reuses from
//! file to file (serde_json skips values about three times faster in a slice than in a
//! stream); a larger plan is streamed. Either way memory is bounded by one file (at most
//! that limit), not by the number of files.

use std::fmt;
use std::fs::File;
use std::io::{self, BufReader};
use std::path::Path;

use serde::de::{
    self, DeserializeSeed, Deserializer as _, IgnoredAny, MapAccess, SeqAccess, Visitor,
};
use serde::Deserialize;
use serde_json::error::Category;

use super::action::Kind;
use super::error::PlanError;
use super::plan_summary::{Deferred, OutputChange, PlanStatus, PlanSummary, ResourceChange};

/// The `format_version` majors this build understands: 0.x (terraform 0.12 to 1.0) has the
/// same structure as 1.x.
const KNOWN_MAJORS: [&str; 2] = ["0", "1"];

/// Plans up to this size are read whole into the reused buffer; larger ones are streamed.
pub const WHOLE_FILE_LIMIT: u64 = 64 * 1024 * 1024;

const STREAM_BUFFER: usize = 256 * 1024;

/// Reads and summarises the plan file at `path`.
pub fn read_plan(path: &Path) -> Result<PlanSummary, PlanError> {
    read_plan_with(path, &mut Vec::new())
}

/// Like [`read_plan`], reusing `buffer` (its capacity stays for the next file).
pub fn read_plan_with(path: &Path, buffer: &mut Vec<u8>) -> Result<PlanSummary, PlanError> {
    let read_error = |source| PlanError::Read {
        path: path.into(),
        source,
    };
    let mut file = File::open(path).map_err(read_error)?;
    let size = file.metadata().map_err(read_error)?.len();
    if size > WHOLE_FILE_LIMIT {
        return read_plan_from(BufReader::with_capacity(STREAM_BUFFER, file), path);
    }
    buffer.clear();
    io::Read::read_to_end(&mut file, buffer).map_err(read_error)?;
    let result = summarise(&mut serde_json::Deserializer::from_slice(buffer), path);
    if buffer.capacity()
        > 2 * usize::try_from(size)
            .unwrap_or(usize::MAX / 2)
            .max(1024 * 1024)
    {
        // One odd large plan should not keep its buffer for the rest of the run.
        *buffer = Vec::new();
    }
    result
}

/// Summarises a plan held in memory; `path` names it in errors.
pub fn read_plan_slice(json: &[u8], path: &Path) -> Result<PlanSummary, PlanError> {
    summarise(&mut serde_json::Deserializer::from_slice(json), path)
}

/// Summarises a plan streamed from `reader`; `path` names it in errors.
pub fn read_plan_from(reader: impl io::Read, path: &Path) -> Result<PlanSummary, PlanError> {
    summarise(&mut serde_json::Deserializer::from_reader(reader), path)
}

fn summarise<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    path: &Path,
) -> Result<PlanSummary, PlanError> {
    let raw = (&mut *de)
        .deserialize_map(PlanVisitor)
        .and_then(|raw| de.end().map(|()| raw))
        .map_err(|e| classify(e, path))?;
    let version = raw.format_version.ok_or_else(|| match raw.report_fields {
        // `summary .orchestrator` finds the run report beside the plans.
        2 => PlanError::RunReport { path: path.into() },
        _ => PlanError::NotAPlan {
            path: path.into(),
            why: "it has no format_version".into(),
        },
    })?;
    if !KNOWN_MAJORS.contains(&version.split('.').next().unwrap_or_default()) {
        return Err(PlanError::UnknownFormat {
            path: path.into(),
            version,
        });
    }
    if !raw.has_plan_fields {
        return Err(PlanError::NotAPlan {
            path: path.into(),
            why: "it has no planned_values or resource_changes (is it a state, from `terraform show -json` without a plan file?)".into(),
        });
    }
    Ok(raw.summary)
}

fn classify(e: serde_json::Error, path: &Path) -> PlanError {
    let (line, column) = (e.line(), e.column());
    match e.classify() {
        Category::Io => PlanError::Read {
            path: path.into(),
            source: e.into(),
        },
        Category::Eof => PlanError::Truncated {
            path: path.into(),
            line,
            column,
        },
        Category::Syntax => PlanError::NotJson {
            path: path.into(),
            line,
            column,
            message: without_position(&e),
        },
        Category::Data => PlanError::NotAPlan {
            path: path.into(),
            why: format!("{} (line {line}, column {column})", without_position(&e)),
        },
    }
}

/// serde_json ends its messages with " at line L column C"; we print the position ourselves.
fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

struct RawPlan {
    format_version: Option<String>,
    /// How many of a run report's top-level keys (`run_id`, `jobs`) it has.
    report_fields: u8,
    has_plan_fields: bool,
    summary: PlanSummary,
}

/// The top-level keys we read; every other one is skipped unparsed.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    FormatVersion,
    PlannedValues,
    ResourceChanges,
    OutputChanges,
    ResourceDrift,
    DeferredChanges,
    DeferredActionInvocations,
    ActionInvocations,
    Errored,
    Complete,
    Diagnostics,
    RunId,
    Jobs,
    #[serde(other)]
    Other,
}

struct PlanVisitor;

impl<'de> Visitor<'de> for PlanVisitor {
    type Value = RawPlan;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a terraform plan (a JSON object with format_version)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawPlan, A::Error> {
        let mut raw = RawPlan {
            format_version: None,
            report_fields: 0,
            has_plan_fields: false,
            summary: PlanSummary::default(),
        };
        let (mut errored, mut complete) = (false, true);
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::FormatVersion => raw.format_version = Some(map.next_value()?),
                Field::PlannedValues => {
                    raw.has_plan_fields = true;
                    map.next_value::<IgnoredAny>()?;
                }
                Field::ResourceChanges => {
                    raw.has_plan_fields = true;
                    map.next_value_seed(Changes(&mut raw.summary, List::Resources))?;
                }
                Field::ResourceDrift => {
                    map.next_value_seed(Changes(&mut raw.summary, List::Drift))?
                }
                Field::DeferredChanges => {
                    map.next_value_seed(Changes(&mut raw.summary, List::Deferred))?
                }
                Field::DeferredActionInvocations => {
                    map.next_value_seed(Changes(&mut raw.summary, List::DeferredInvocations))?
                }
                Field::ActionInvocations => {
                    map.next_value_seed(Changes(&mut raw.summary, List::Invocations))?
                }
                Field::Diagnostics => {
                    map.next_value_seed(Changes(&mut raw.summary, List::Diagnostics))?
                }
                Field::OutputChanges => map.next_value_seed(OutputChanges(&mut raw.summary))?,
                Field::Errored => {
                    raw.has_plan_fields = true;
                    errored = map.next_value::<Option<bool>>()?.unwrap_or(false);
                }
                Field::Complete => complete = map.next_value::<Option<bool>>()?.unwrap_or(true),
                Field::RunId | Field::Jobs => {
                    raw.report_fields += 1;
                    map.next_value::<IgnoredAny>()?;
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        raw.summary.status = if errored {
            PlanStatus::Errored
        } else if !complete {
            PlanStatus::Incomplete
        } else {
            PlanStatus::Complete
        };
        Ok(raw)
    }
}

/// One `resource_changes[]` (or `resource_drift[]`) entry, reduced to what the comment
/// shows; serde skips the rest (`before`, `after`, sensitivity maps) without building it.
#[derive(Deserialize)]
struct RawResourceChange {
    address: String,
    #[serde(default)]
    previous_address: Option<String>,
    #[serde(default)]
    action_reason: Option<String>,
    change: RawChange,
}

#[derive(Deserialize)]
struct RawChange {
    actions: Vec<String>,
    #[serde(default)]
    importing: Option<RawImporting>,
}

#[derive(Deserialize)]
struct RawImporting {
    #[serde(default)]
    id: Option<String>,
}

#[derive(Deserialize)]
struct RawOutputChange {
    actions: Vec<String>,
}

#[derive(Deserialize)]
struct RawDeferred {
    #[serde(default)]
    reason: Option<String>,
    resource_change: RawResourceChange,
}

#[derive(Deserialize)]
struct RawDeferredInvocation {
    #[serde(default)]
    reason: Option<String>,
    action_invocation: RawInvocation,
}

#[derive(Deserialize)]
struct RawInvocation {
    #[serde(default)]
    address: Option<String>,
}

#[derive(Deserialize)]
struct RawDiagnostic {
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    detail: Option<String>,
    #[serde(default)]
    range: Option<RawRange>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(default)]
    filename: Option<String>,
    #[serde(default)]
    start: Option<RawPos>,
}

#[derive(Deserialize)]
struct RawPos {
    #[serde(default)]
    line: Option<u64>,
}

impl RawResourceChange {
    fn into_change(self) -> ResourceChange {
        let kind = Kind::of_words(&self.change.actions);
        let previous_address = self
            .previous_address
            .filter(|previous| *previous != self.address)
            .map(Into::into);
        // Reasons explain destroys; for other kinds they only take memory.
        let reason = self
            .action_reason
            .filter(|_| kind.destroys())
            .map(Into::into);
        ResourceChange {
            address: self.address.into(),
            kind,
            previous_address,
            import_id: self
                .change
                .importing
                .map(|i| i.id.unwrap_or_default().into()),
            reason,
            actions: kind
                .is_other()
                .then(|| self.change.actions.join(", ").into()),
        }
    }
}

impl RawInvocation {
    fn name(self) -> String {
        self.address.unwrap_or_else(|| "(unnamed action)".into())
    }
}

impl RawDiagnostic {
    /// `Error: Invalid reference: A reference to ... (main.tf:12)`.
    fn line(self) -> Box<str> {
        let severity = match self.severity.as_deref() {
            Some("warning") => "Warning",
            _ => "Error",
        };
        let mut line = format!("{severity}: {}", self.summary.unwrap_or_default());
        if let Some(detail) = self.detail.filter(|d| !d.is_empty()) {
            line.push_str(": ");
            line.push_str(&detail.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        if let Some(range) = self.range {
            if let Some(file) = range.filename {
                match range.start.and_then(|s| s.line) {
                    Some(n) => line.push_str(&format!(" ({file}:{n})")),
                    None => line.push_str(&format!(" ({file})")),
                }
            }
        }
        line.into()
    }
}

/// Which list of the plan a sequence fills.
#[derive(Clone, Copy)]
enum List {
    Resources,
    Drift,
    Deferred,
    DeferredInvocations,
    Invocations,
    Diagnostics,
}

struct Changes<'a>(&'a mut PlanSummary, List);

impl<'de> DeserializeSeed<'de> for Changes<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for Changes<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let plan = self.0;
        match self.1 {
            List::Resources => {
                while let Some(raw) = seq.next_element::<RawResourceChange>()? {
                    plan.add_resource(raw.into_change());
                }
            }
            List::Drift => {
                while let Some(raw) = seq.next_element::<RawResourceChange>()? {
                    let change = raw.into_change();
                    if change.kind.is_change() {
                        plan.drift.push(change);
                    }
                }
            }
            List::Deferred => {
                while let Some(raw) = seq.next_element::<RawDeferred>()? {
                    let change = raw.resource_change.into_change();
                    plan.deferred.push(Deferred {
                        address: change.address,
                        kind: Some(change.kind),
                        reason: raw.reason.map(Into::into),
                    });
                }
            }
            List::DeferredInvocations => {
                while let Some(raw) = seq.next_element::<RawDeferredInvocation>()? {
                    plan.deferred.push(Deferred {
                        address: raw.action_invocation.name().into(),
                        kind: None,
                        reason: raw.reason.map(Into::into),
                    });
                }
            }
            List::Invocations => {
                while let Some(raw) = seq.next_element::<RawInvocation>()? {
                    plan.invocations.push(raw.name().into());
                }
            }
            List::Diagnostics => {
                while let Some(raw) = seq.next_element::<RawDiagnostic>()? {
                    plan.diagnostics.push(raw.line());
                }
            }
        }
        Ok(())
    }
}

struct OutputChanges<'a>(&'a mut PlanSummary);

impl<'de> DeserializeSeed<'de> for OutputChanges<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de> Visitor<'de> for OutputChanges<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map of output changes")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key::<String>()? {
            let raw: RawOutputChange = map.next_value()?;
            self.0.add_output(OutputChange {
                name: name.into(),
                kind: Kind::of_words(&raw.actions),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses `text` both ways (streamed, and whole from a file) and checks they agree.
    fn parse(text: &str) -> Result<PlanSummary, PlanError> {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("p.json");
        std::fs::write(&file, text).unwrap();
        let whole = read_plan(&file);
        let streamed = read_plan_from(text.as_bytes(), Path::new("p.json"));
        match (&whole, &streamed) {
            (Ok(a), Ok(b)) => assert_eq!(a, b),
            (Err(a), Err(b)) => assert_eq!(std::mem::discriminant(a), std::mem::discriminant(b)),
            _ => panic!("streamed {streamed:?}, whole {whole:?}"),
        }
        streamed
    }

    #[test]
    fn imports_and_moves_are_kept_even_without_a_change() {
        let plan = parse(
            r#"{"format_version":"1.2","resource_changes":[
                {"address":"aws_s3_bucket.logs","change":{"actions":["no-op"],"importing":{"id":"my-logs"},"before":{},"after":{}}},
                {"address":"aws_s3_bucket.new","previous_address":"aws_s3_bucket.old","change":{"actions":["update"]}},
                {"address":"aws_s3_bucket.same","change":{"actions":["no-op"]}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(plan.counts.imported, 1);
        assert_eq!(plan.counts.moved, 1);
        assert_eq!(plan.counts.change, 1);
        assert_eq!(plan.resources.len(), 2);
        assert_eq!(plan.resources[0].import_id.as_deref(), Some("my-logs"));
        assert_eq!(
            plan.resources[1].previous_address.as_deref(),
            Some("aws_s3_bucket.old")
        );
    }

    #[test]
    fn create_then_forget_counts_an_add_and_a_forget() {
        let plan = parse(
            r#"{"format_version":"1.2","planned_values":{},"resource_changes":[
                {"address":"a.b","change":{"actions":["create","forget"]}}]}"#,
        )
        .unwrap();
        assert_eq!((plan.counts.add, plan.counts.forget), (1, 1));
    }

    #[test]
    fn bad_files_are_named_and_classified() {
        assert!(matches!(parse("hello"), Err(PlanError::NotJson { .. })));
        assert!(matches!(
            parse(r#"{"format_version":"1.2","resource_changes":["#),
            Err(PlanError::Truncated { .. })
        ));
        assert!(matches!(parse("[1,2]"), Err(PlanError::NotAPlan { .. })));
        assert!(matches!(
            parse(r#"{"format_version":"1.0","values":{}}"#),
            Err(PlanError::NotAPlan { .. })
        ));
        assert!(matches!(
            parse(r#"{"format_version":"2.0","planned_values":{}}"#),
            Err(PlanError::UnknownFormat { .. })
        ));
        let other = parse(
            r#"{"format_version":"1.2","resource_changes":[{"address":"a.b","change":{"actions":["update","delete"]}}]}"#,
        )
        .unwrap();
        assert_eq!(plan_other(&other), ("a.b", "update, delete"));
        assert!(other.destroys());
        assert_eq!(other.counts.other, 1);
    }

    fn plan_other(plan: &PlanSummary) -> (&str, &str) {
        let r = &plan.resources[0];
        (&r.address, r.actions.as_deref().unwrap())
    }

    #[test]
    fn format_0_x_is_read_like_1_x() {
        let plan = parse(
            r#"{"format_version":"0.1","terraform_version":"0.12.31","planned_values":{},"resource_changes":[
                {"address":"aws_instance.web","change":{"actions":["delete","create"]}}]}"#,
        )
        .unwrap();
        assert_eq!(plan.counts.replace, 1);
        assert_eq!(plan.status, PlanStatus::Complete);
    }

    #[test]
    fn errored_and_incomplete_plans_say_so_with_their_diagnostics() {
        let plan = parse(
            r#"{"format_version":"1.2","errored":true,"complete":false,"planned_values":{},
                "diagnostics":[{"severity":"error","summary":"Invalid reference","detail":"A reference to\n a resource","range":{"filename":"main.tf","start":{"line":12}}}]}"#,
        )
        .unwrap();
        assert_eq!(plan.status, PlanStatus::Errored);
        assert_eq!(
            &*plan.diagnostics[0],
            "Error: Invalid reference: A reference to a resource (main.tf:12)"
        );
        let plan =
            parse(r#"{"format_version":"1.2","complete":false,"planned_values":{}}"#).unwrap();
        assert_eq!(plan.status, PlanStatus::Incomplete);
        let plan = parse(r#"{"format_version":"1.2","errored":false,"complete":true,"planned_values":{},"resource_changes":null,"output_changes":null}"#).unwrap();
        assert_eq!(plan.status, PlanStatus::Complete);
    }

    #[test]
    fn drift_deferred_and_action_invocations_are_kept_apart_from_the_changes() {
        let plan = parse(
            r#"{"format_version":"1.2","planned_values":{},
                "resource_drift":[{"address":"aws_s3_bucket.logs","change":{"actions":["update"]}},
                                  {"address":"aws_s3_bucket.gone","change":{"actions":["delete"]}}],
                "deferred_changes":[{"reason":"resource_config_unknown","resource_change":{"address":"aws_instance.x[\"a\"]","change":{"actions":["create"]}}}],
                "action_invocations":[{"address":"action.aws_lambda_invoke.notify","type":"aws_lambda_invoke"}],
                "resource_changes":[]}"#,
        )
        .unwrap();
        assert!(!plan.counts.has_changes());
        assert_eq!(plan.drift.len(), 2);
        assert_eq!(
            plan.deferred[0].reason.as_deref(),
            Some("resource_config_unknown")
        );
        assert_eq!(&*plan.invocations[0], "action.aws_lambda_invoke.notify");
    }
}
