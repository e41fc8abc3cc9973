//! Escaping for workflow commands (`::error title=...::message`, `::group::title`,
//! `::add-mask::value`): the runner reads them from a step's output, so a `%`, newline,
//! `:` or `,` in the data must be encoded, or the data would end the command early.
//! Text shown to people (a message, a title) also has its control characters made visible
//! (`neutralise::visible`): the raw line stays in the log, where a terminal would obey them.

use super::neutralise::visible;

/// Message text: control characters shown, then `%`, CR and LF encoded.
pub fn escape_data(text: &str) -> String {
    encode(&visible(text))
}

/// Property values (`title=...`): also `:` and `,`, which end a property.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `%`, CR and LF, as the runner decodes them; nothing else changed.
fn encode(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `::add-mask::` lines for a secret, its value exact: the runner masks a value within one
/// line (CR ends one too), so a multi-line secret needs one mask per line.
pub fn mask_lines(secret: &str) -> String {
    secret
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("::add-mask::{}\n", encode(l)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0Anext: a,b"
        );
        assert_eq!(escape_property("a: b, 5%\n"), "a%3A b%2C 5%25%0A");
    }

    #[test]
    fn shown_text_carries_no_control_character_but_a_mask_stays_exact() {
        assert_eq!(
            escape_data("refused\r::set-output\n\x1b]0;t\x07"),
            "refused\\r::set-output%0A\\x1b]0;t\\x07"
        );
        assert_eq!(escape_property("a\x1b[2J"), "a\\x1b[2J");
        assert_eq!(mask_lines("se\x01cret"), "::add-mask::se\x01cret\n");
    }

    #[test]
    fn a_multi_line_secret_is_masked_line_by_line() {
        assert_eq!(
            mask_lines("abc\n  def \r\n\n5%"),
            "::add-mask::abc\n::add-mask::def\n::add-mask::5%25\n"
        );
    }
}
