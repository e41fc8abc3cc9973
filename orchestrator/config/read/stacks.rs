//! `stacks`: the one layer that may have copies (one per feature branch, `--stack NAME`), the
//! terraform input that names a copy, and the `{stack}` the state template then needs.

use super::super::fields::{self, Fields, Problems};
use super::super::model::{StackSupport, StateBackend};
use super::super::yaml::Node;
use super::keys::STACKS;

/// The VAR_NAME rule of terraform: a letter or `_`, then letters, digits, `_` and `-`.
fn is_variable_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

pub(super) fn read_stacks(
    problems: &mut Problems,
    node: &Node,
    layers: &[String],
) -> Option<StackSupport> {
    let f = Fields::read(problems, node, "stacks", STACKS)?;
    let layer = f.required(problems, "layer", "dynamic").and_then(|n| {
        let layer = fields::string(problems, n, "stacks.layer")?;
        if !layers.contains(&layer) {
            problems.add(
                n.pos,
                format!("stacks.layer `{layer}` is not one of the layers"),
                format!("use one of: {}", layers.join(", ")),
            );
            return None;
        }
        if layers.first() == Some(&layer) && layers.len() > 1 {
            problems.add(
                n.pos,
                format!("stacks.layer `{layer}` is the account baseline (the first layer)"),
                "copies are for the application layer that changes per feature branch, such as `dynamic`",
            );
            return None;
        }
        Some(layer)
    });
    let variable = f
        .required(problems, "variable", "stack_suffix")
        .and_then(|n| {
            let name = fields::string(problems, n, "stacks.variable")?;
            if !is_variable_name(&name) {
                problems.add(
                    n.pos,
                    format!("stacks.variable `{name}` is not a terraform variable name"),
                    "name the layer's input that suffixes its resource names, such as stack_suffix",
                );
                return None;
            }
            Some(name)
        });
    Some(StackSupport {
        layer: layer?,
        variable: variable?,
    })
}

/// With stacks, each copy needs its own state: the template must hold `{stack}`.
pub(super) fn check_state_template(
    problems: &mut Problems,
    state_node: Option<&Node>,
    state: Option<&StateBackend>,
    stacks_pos: super::super::diagnostic::Pos,
) {
    let Some(state) = state else {
        return;
    };
    let (field, template) = match state {
        StateBackend::S3 { key, .. } => ("key", key),
        StateBackend::Local { path } => ("path", path),
    };
    if template.contains("{stack}") {
        return;
    }
    // Point at the template itself when it can be found, else at the state mapping.
    let pos = state_node
        .and_then(|n| {
            let mut scratch = Problems::default();
            Fields::read(&mut scratch, n, "defaults.state", &[])?
                .get(field)
                .map(|v| v.pos)
        })
        .or(state_node.map(|n| n.pos))
        .unwrap_or(stacks_pos);
    problems.add(
        pos,
        format!(
            "state.{field} `{template}` does not contain `{{stack}}`, but `stacks` is set: every copy of the stack layer needs its own state"
        ),
        format!(
            "add `{{stack}}` to the template, e.g. \"{}\"; the main stack keeps its state where it is (see docs/stacks.md)",
            suggest(template)
        ),
    );
}

/// The template with `-{stack}` placed before the extension of its last part.
fn suggest(template: &str) -> String {
    match template.rfind(".tfstate") {
        Some(at) => format!("{}-{{stack}}{}", &template[..at], &template[at..]),
        None => format!("{template}-{{stack}}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestion_puts_the_stack_before_the_extension() {
        assert_eq!(
            suggest("{layer}/{account}.tfstate"),
            "{layer}/{account}-{stack}.tfstate"
        );
        assert_eq!(suggest("{layer}/{account}"), "{layer}/{account}-{stack}");
    }

    #[test]
    fn variable_names_follow_terraform() {
        assert!(is_variable_name("stack_suffix"));
        assert!(!is_variable_name("1x"));
        assert!(!is_variable_name("a.b"));
    }
}
