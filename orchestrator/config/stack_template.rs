//! `{stack}` in the state template. A copy's name goes in its place; for the main stack the
//! placeholder goes away together with the separator before it, so enabling stacks never
//! moves the main stack's state: `{layer}/{account}-{stack}.tfstate` is
//! `dynamic/catalog-dev.tfstate` for the main stack, `dynamic/catalog-dev-pr-7.tfstate` for
//! copy `pr-7`.

const PLACEHOLDER: &str = "{stack}";
const SEPARATORS: &[char] = &['/', '-', '_', '.'];

/// The template for the main stack (the copy with no name).
pub fn for_main_stack(template: &str) -> String {
    let mut out = template.to_string();
    while let Some(at) = out.find(PLACEHOLDER) {
        let end = at + PLACEHOLDER.len();
        let before = out[..at].chars().next_back();
        let after = out[end..].chars().next();
        let (from, to) = match (before, after) {
            (Some(c), _) if SEPARATORS.contains(&c) => (at - c.len_utf8(), end),
            // At the start (`{stack}/{account}...`): the separator after it goes.
            (None, Some(c)) if SEPARATORS.contains(&c) => (at, end + c.len_utf8()),
            _ => (at, end),
        };
        out.replace_range(from..to, "");
    }
    out
}

/// The template for copy `name`.
pub fn for_copy(template: &str, name: &str) -> String {
    template.replace(PLACEHOLDER, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_main_stack_keeps_the_state_it_had_before_stacks() {
        for (template, main) in [
            (
                "{layer}/{account}-{stack}.tfstate",
                "{layer}/{account}.tfstate",
            ),
            (
                "{layer}/{stack}/{account}.tfstate",
                "{layer}/{account}.tfstate",
            ),
            (
                "{layer}/{account}/{stack}.tfstate",
                "{layer}/{account}.tfstate",
            ),
            (
                "{stack}/{layer}/{account}.tfstate",
                "{layer}/{account}.tfstate",
            ),
            (
                "{layer}/{account}.{stack}.tfstate",
                "{layer}/{account}.tfstate",
            ),
            (
                "{layer}/{account}{stack}.tfstate",
                "{layer}/{account}.tfstate",
            ),
            ("{layer}/{account}.tfstate", "{layer}/{account}.tfstate"),
        ] {
            assert_eq!(for_main_stack(template), main, "{template}");
        }
    }

    #[test]
    fn a_copy_takes_its_name_in_place() {
        assert_eq!(
            for_copy("{layer}/{account}-{stack}.tfstate", "pr-7"),
            "{layer}/{account}-pr-7.tfstate"
        );
    }
}
