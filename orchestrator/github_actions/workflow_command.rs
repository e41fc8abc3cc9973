//! Escaping for workflow commands (`::error title=...::message`, `::group::title`,
//! `::add-mask::value`): the runner reads them from a step's output, so a `%`, newline,
//! `:` or `,` in the data must be encoded, or the data would end the command early.

/// Message text: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values (`title=...`): also `:` and `,`, which end a property.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// `::add-mask::` lines for a secret: a mask covers one line (CR ends one too), so a
/// multi-line secret needs one per line; the runner unescapes the value like any data.
pub fn mask_lines(secret: &str) -> String {
    secret
        .split(['\n', '\r'])
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| format!("::add-mask::{}\n", escape_data(l)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_properties_are_escaped() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a: b, 5%\n"), "a%3A b%2C 5%25%0A");
    }

    #[test]
    fn a_multi_line_secret_is_masked_line_by_line() {
        assert_eq!(
            mask_lines("abc\n  def \r\n\n5%"),
            "::add-mask::abc\n::add-mask::def\n::add-mask::5%25\n"
        );
    }
}
