//! What the terminal on stderr can show, decided once from the stream and the environment:
//! colour (never with `NO_COLOR` set to anything non-empty, see no-color.org, nor on a
//! `TERM=dumb` terminal) and progress bars (redrawn in place, which a dumb terminal and a CI
//! log cannot do).

use std::ffi::OsString;
use std::io::IsTerminal;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    /// stderr is a terminal.
    pub is_terminal: bool,
    /// `NO_COLOR` is set and not empty.
    pub no_color: bool,
    /// `TERM=dumb`: no cursor movement, no colour.
    pub dumb: bool,
    /// `CI` is set and not empty: logs are kept, so nothing is redrawn.
    pub ci: bool,
}

impl Terminal {
    /// stderr and this process's environment.
    #[allow(clippy::disallowed_methods)] // asks whether stderr is a terminal, writes nothing
    pub fn stderr() -> Self {
        Self::from_vars(std::io::stderr().is_terminal(), |name| {
            std::env::var_os(name)
        })
    }

    /// `env` answers an environment variable's value.
    pub fn from_vars(is_terminal: bool, env: impl Fn(&str) -> Option<OsString>) -> Self {
        let set = |name: &str| env(name).is_some_and(|v| !v.is_empty());
        Self {
            is_terminal,
            no_color: set("NO_COLOR"),
            dumb: env("TERM").is_some_and(|v| v == "dumb"),
            ci: set("CI"),
        }
    }

    /// ANSI colour in log lines.
    pub fn colour(&self) -> bool {
        self.is_terminal && !self.no_color && !self.dumb
    }

    /// Progress bars, redrawn in place.
    pub fn bars(&self) -> bool {
        self.is_terminal && !self.dumb && !self.ci
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal(is_terminal: bool, vars: &[(&str, &str)]) -> Terminal {
        Terminal::from_vars(is_terminal, |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        })
    }

    #[test]
    fn a_plain_terminal_gets_colour_and_bars() {
        let t = terminal(true, &[("TERM", "xterm-256color")]);
        assert!(t.colour() && t.bars());
    }

    #[test]
    fn no_color_turns_colour_off_but_keeps_the_bars() {
        let t = terminal(true, &[("NO_COLOR", "1")]);
        assert!(!t.colour() && t.bars());
        // An empty NO_COLOR is unset (no-color.org).
        assert!(terminal(true, &[("NO_COLOR", "")]).colour());
    }

    #[test]
    fn a_dumb_terminal_gets_neither_colour_nor_bars() {
        let t = terminal(true, &[("TERM", "dumb")]);
        assert!(!t.colour() && !t.bars());
    }

    #[test]
    fn ci_and_pipes_get_no_bars() {
        assert!(!terminal(true, &[("CI", "true")]).bars());
        let pipe = terminal(false, &[]);
        assert!(!pipe.colour() && !pipe.bars());
    }
}
