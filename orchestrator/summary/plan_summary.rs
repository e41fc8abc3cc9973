//! The compact summary of one plan: what survives of a plan file once it has been read.
//! Only resources that change, move or are imported are kept, by address.

use std::ops::AddAssign;

use super::action::Kind;

/// One resource that changes, moves or is imported.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResourceChange {
    pub address: Box<str>,
    pub kind: Kind,
    /// The address it had before a `moved` block (only when it differs).
    pub previous_address: Option<Box<str>>,
    /// The import id when an `import` block brings it under management (may be empty when
    /// terraform identifies it otherwise).
    pub import_id: Option<Box<str>>,
    /// terraform's `action_reason` (`replace_by_triggers`, ...), when it gives one.
    pub reason: Option<Box<str>>,
    /// The action list as written, for kinds this build does not know (`Kind::Other`).
    pub actions: Option<Box<str>>,
}

impl ResourceChange {
    pub fn is_moved(&self) -> bool {
        self.previous_address.is_some()
    }

    pub fn is_imported(&self) -> bool {
        self.import_id.is_some()
    }
}

/// One root module output whose value changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OutputChange {
    pub name: Box<str>,
    pub kind: Kind,
}

/// Resource counts; a resource is counted once by its kind, and again in `moved` or
/// `imported` when it also moves or is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Counts {
    pub add: u64,
    pub change: u64,
    pub destroy: u64,
    pub replace: u64,
    pub forget: u64,
    pub moved: u64,
    pub imported: u64,
    /// Outputs whose value changes.
    pub outputs: u64,
    /// Resources whose action list this build does not know (named in the comment).
    pub other: u64,
}

impl Counts {
    /// Whether applying would change anything at all (outputs, moves and imports included).
    pub fn has_changes(&self) -> bool {
        *self != Counts::default()
    }

    /// Whether a real object would be destroyed (deleted or replaced).
    pub fn destroys(&self) -> bool {
        self.destroy + self.replace > 0
    }

    /// terraform's own `Plan: N to add, N to change, N to destroy` numbers: a replacement
    /// is one add and one destroy. The one counting that Slack, the job summary, the run
    /// report and the comment's headline share.
    pub fn terraform_line(&self) -> crate::events::ChangeCounts {
        let n = |v: u64| u32::try_from(v).unwrap_or(u32::MAX);
        crate::events::ChangeCounts {
            add: n(self.add + self.replace),
            change: n(self.change),
            destroy: n(self.destroy + self.replace),
        }
    }

    fn count(&mut self, kind: Kind) {
        match kind {
            Kind::Create => self.add += 1,
            Kind::Update => self.change += 1,
            Kind::Delete => self.destroy += 1,
            Kind::Replace => self.replace += 1,
            Kind::Forget => self.forget += 1,
            Kind::CreateForget => {
                self.add += 1;
                self.forget += 1;
            }
            Kind::Other | Kind::OtherDelete => self.other += 1,
            Kind::Read | Kind::NoOp => {}
        }
    }
}

impl AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.add += other.add;
        self.change += other.change;
        self.destroy += other.destroy;
        self.replace += other.replace;
        self.forget += other.forget;
        self.moved += other.moved;
        self.imported += other.imported;
        self.outputs += other.outputs;
        self.other += other.other;
    }
}

/// Whether terraform finished the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum PlanStatus {
    #[default]
    Complete,
    /// `"complete": false`: applying it would not converge (deferred changes, `-target`).
    Incomplete,
    /// `"errored": true`: terraform stopped planning on an error; the changes are partial.
    Errored,
}

impl PlanStatus {
    pub fn is_failed(self) -> bool {
        self != PlanStatus::Complete
    }

    pub fn label(self) -> &'static str {
        match self {
            PlanStatus::Complete => "complete",
            PlanStatus::Incomplete => "incomplete",
            PlanStatus::Errored => "errored",
        }
    }
}

/// A change terraform deferred to a later plan (`deferred_changes`, terraform 1.10+).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Deferred {
    pub address: Box<str>,
    /// The change deferred; `None` for an action invocation (`deferred_action_invocations`,
    /// terraform 1.14+).
    pub kind: Option<Kind>,
    /// terraform's reason (`resource_config_unknown`, `provider_config_unknown`, ...).
    pub reason: Option<Box<str>>,
}

/// What one plan file changes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Hash)]
pub struct PlanSummary {
    /// In plan order, which terraform sorts by address.
    pub resources: Vec<ResourceChange>,
    pub outputs: Vec<OutputChange>,
    pub counts: Counts,
    pub status: PlanStatus,
    /// terraform's diagnostics, when the file holds them (one line each: severity, summary,
    /// detail, where).
    pub diagnostics: Vec<Box<str>>,
    /// Changes made outside terraform since the last apply (`resource_drift`).
    pub drift: Vec<ResourceChange>,
    pub deferred: Vec<Deferred>,
    /// The addresses of actions the plan would invoke (`action_invocations`, terraform 1.14+).
    pub invocations: Vec<Box<str>>,
}

impl PlanSummary {
    /// Counts the resource, and keeps it when it changes, moves or is imported.
    pub fn add_resource(&mut self, resource: ResourceChange) {
        self.counts.count(resource.kind);
        if resource.is_moved() {
            self.counts.moved += 1;
        }
        if resource.is_imported() {
            self.counts.imported += 1;
        }
        if resource.kind.is_change() || resource.is_moved() || resource.is_imported() {
            self.resources.push(resource);
        }
    }

    /// Whether a real object would be destroyed, or may be (an unknown action list holding
    /// `delete`): what the comment lists first.
    pub fn destroys(&self) -> bool {
        self.counts.destroys() || self.resources.iter().any(|r| r.kind == Kind::OtherDelete)
    }

    /// Whether there is anything for the drift, deferred and actions section.
    pub fn has_extras(&self) -> bool {
        !self.drift.is_empty() || !self.deferred.is_empty() || !self.invocations.is_empty()
    }

    /// Counts and keeps the output when its value changes.
    pub fn add_output(&mut self, output: OutputChange) {
        if output.kind.is_change() {
            self.counts.outputs += 1;
            self.outputs.push(output);
        }
    }
}
