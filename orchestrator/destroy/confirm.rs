//! The question a person answers on the terminal before anything is destroyed.

use std::io::{BufRead, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Destroy,
    Declined,
}

/// Asks on stderr and reads one line from `input`: only `destroy` (or `yes`) goes on.
pub fn confirm(question: &str, input: &mut dyn BufRead, output: &mut dyn Write) -> Answer {
    let _ = write!(
        output,
        "{question}\nType `destroy` to go on, anything else stops: "
    );
    let _ = output.flush();
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(_) if matches!(line.trim(), "destroy" | "yes") => Answer::Destroy,
        _ => Answer::Declined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_explicit_answer_destroys() {
        for (typed, answer) in [
            ("destroy\n", Answer::Destroy),
            ("yes\n", Answer::Destroy),
            ("y\n", Answer::Declined),
            ("\n", Answer::Declined),
            ("", Answer::Declined),
        ] {
            let mut out = Vec::new();
            assert_eq!(
                confirm("Destroy?", &mut typed.as_bytes(), &mut out),
                answer,
                "{typed:?}"
            );
            assert!(String::from_utf8(out).unwrap().contains("Type `destroy`"));
        }
    }
}
