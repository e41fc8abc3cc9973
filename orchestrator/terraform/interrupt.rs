//! When terraform can hear its one SIGINT.
//!
//! terraform's plan and apply (every command that walks the graph under the state lock) turn
//! a SIGINT into a stop of the running walk: the resources in flight finish, the state is saved
//! and the lock released. A SIGINT that arrives after terraform installed its handler but
//! before the walk began is acknowledged ("Interrupt received", "Stopping operation...") and
//! then lost: terraform's `Context.Stop` does nothing while no walk runs, and the walk that
//! starts a moment later runs to its end, however long it takes. A second SIGINT is no remedy:
//! it cancels at once ("Two interrupts received. Exiting immediately"), state unsaved. So the
//! SIGINT for such a command is sent once its walk shows in what it printed: every walk prints
//! a line `<address>: <Action>...` as it starts on a resource (Creating..., Reading...,
//! Refreshing state...). A walk that prints nothing (a first plan) ends on its own quickly.

use super::TerraformCommand;

/// The subcommands that run a graph walk under the state lock.
const WALKING: [&str; 5] = ["plan", "apply", "destroy", "refresh", "import"];

impl TerraformCommand {
    /// A SIGINT before its walk started would be lost (see the module's comment).
    pub fn hears_interrupt_only_while_walking(&self) -> bool {
        WALKING.contains(&self.subcommand())
    }
}

/// A line that a running walk prints: `<address>: <Action>...`, as terraform's and OpenTofu's
/// UI hooks write it (`terraform_data.x: Creating...`, `module.a["k"].b: Refreshing state...
/// [id=1]`, `data.x.y: Reading...`, `x.y: Provisioning with 'local-exec'...`). Nothing printed
/// before a walk has that form: diagnostics (`│ Warning: ...`, `Error: ...`) and messages
/// (`Acquiring state lock. This may take a few moments...`) have no address.
pub fn is_walk_line(line: &str) -> bool {
    let Some((address, rest)) = line.split_once(": ") else {
        return false;
    };
    // A resource address: `type.name`, `data.type.name`, `module.m.type.name`, ...
    let is_address = address.contains('.')
        && address.starts_with(|c: char| c.is_ascii_alphabetic())
        // Spaces only inside an index: `module.net["eu west"]`.
        && (!address.contains(char::is_whitespace) || address.contains('['));
    is_address && rest.starts_with(|c: char| c.is_ascii_uppercase()) && rest.contains("...")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lines_a_walk_prints_show_it_started() {
        for line in [
            "terraform_data.baseline: Creating...",
            "terraform_data.baseline: Provisioning with 'local-exec'...",
            "aws_s3_bucket.logs: Modifying... [id=logs]",
            "aws_s3_bucket.logs: Destroying... [id=logs]",
            "data.aws_caller_identity.me: Reading...",
            "module.net[\"eu west\"].aws_vpc.main: Refreshing state... [id=vpc-1]",
            "ephemeral.random_password.db: Opening...",
            "aws_instance.web: Still creating... [10s elapsed]",
        ] {
            assert!(is_walk_line(line), "{line}");
        }
    }

    #[test]
    fn what_terraform_prints_before_its_walk_does_not() {
        for line in [
            "│ Warning: Unable to open CLI configuration file",
            "Error: Error acquiring the state lock",
            "Acquiring state lock. This may take a few moments...",
            "Interrupt received.",
            "Stopping operation...",
            "Initializing the backend...",
            "- terraform.io/builtin/terraform is built in to Terraform",
            "[orchestrator] interrupted: SIGINT sent, SIGKILL in 30s",
            "Plan: 1 to add, 0 to change, 0 to destroy.",
            "Saved the plan to: /tmp/plan.tfplan",
            "  + ci_role_arn = (known after apply)",
            "",
        ] {
            assert!(!is_walk_line(line), "{line}");
        }
    }

    #[test]
    fn plan_and_apply_wait_for_their_walk_other_commands_do_not() {
        let command = |sub: &str| TerraformCommand {
            program: "terraform".into(),
            args: vec![sub.to_string(), "-no-color".to_string()],
            cwd: "/".into(),
            env: Vec::new(),
            secret_env: Vec::new(),
        };
        for sub in ["plan", "apply", "destroy"] {
            assert!(command(sub).hears_interrupt_only_while_walking(), "{sub}");
        }
        for sub in ["init", "show", "output", "version"] {
            assert!(!command(sub).hears_interrupt_only_while_walking(), "{sub}");
        }
    }
}
