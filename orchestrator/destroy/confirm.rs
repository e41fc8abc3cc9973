//! The question a person answers on the terminal before anything is destroyed.

use std::io::{BufRead, Write};

use crate::report::{RunReport, Status};
use crate::stacks::StackCopy;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Destroy,
    Declined,
}

/// Asks the person at the terminal (stderr, stdin) `question` (see [`question`]). It blocks
/// until a line is read: the caller decides what a Ctrl-C meanwhile means.
pub fn ask(question: &str) -> Answer {
    confirm(
        question,
        &mut std::io::stdin().lock(),
        &mut crate::console::StderrData,
    )
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

/// `Destroy the resources above in 2 accounts (a, b) (copy pr-7 of layer dynamic) (layers
/// last first)?`: the accounts whose `plan -destroy` has changes, and the copy when one.
pub fn question(report: &RunReport, copy: Option<&StackCopy>) -> String {
    let accounts: Vec<&str> = report
        .jobs
        .iter()
        .filter(|j| j.status == Status::Changes)
        .map(|j| j.account.as_str())
        .collect();
    let what = match copy {
        Some(copy) => format!(" (copy {} of layer {})", copy.name, copy.layer),
        None => String::new(),
    };
    let noun = if accounts.len() == 1 {
        "account"
    } else {
        "accounts"
    };
    format!(
        "\nDestroy the resources above in {} {noun} ({}){what} (layers last first)?",
        accounts.len(),
        accounts.join(", ")
    )
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
