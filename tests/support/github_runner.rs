//! A model of how the GitHub Actions runner reads a step's output (actions/runner
//! `OutputManager`, `ActionCommand`, `ActionCommandManager`), to run over everything the
//! orchestrator printed:
//!
//! - lines end at LF, CR or CRLF;
//! - `::name props::data` is a command when it starts the line after white space, `##[name
//!   props]data` anywhere in the line; names are matched case-insensitively, and (as the
//!   runner's culture-aware comparison may) through invisible characters;
//! - inside `::stop-commands::TOKEN` ... `::TOKEN::` nothing runs, `::add-mask::` included;
//! - `::add-mask::value` masks the value in every line read after it.
//!
//! It records what was executed and every line where a secret was shown unmasked.

/// The commands the runner knows (any other `::x::` is plain text).
const KNOWN: &[&str] = &[
    "add-mask",
    "add-matcher",
    "remove-matcher",
    "add-path",
    "debug",
    "echo",
    "endgroup",
    "error",
    "group",
    "internal-set-repo-path",
    "notice",
    "save-state",
    "set-env",
    "set-output",
    "stop-commands",
    "warning",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Executed {
    /// Lower case.
    pub name: String,
    pub properties: Vec<(String, String)>,
    pub data: String,
    /// The line (0-based, as the runner split them).
    pub line: usize,
}

impl Executed {
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
pub struct Runner {
    masks: Vec<String>,
    stop_token: Option<String>,
    pub executed: Vec<Executed>,
    /// Masks the runner ignored, because they came inside a stop-commands region.
    pub ignored_masks: Vec<usize>,
    /// Lines as the log shows them, masks applied.
    pub shown: Vec<String>,
    /// (line, index of the secret in `secrets`) for every secret shown unmasked.
    pub leaks: Vec<(usize, usize)>,
}

/// The runner's lines of `output`.
pub fn lines(output: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut rest = output;
    while let Some(at) = rest.find(['\r', '\n']) {
        lines.push(&rest[..at]);
        let skip = if rest[at..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[at + skip..];
    }
    if !rest.is_empty() {
        lines.push(rest);
    }
    lines
}

impl Runner {
    /// Reads `output` (stdout and stderr as written, in order) as the runner would.
    pub fn read(output: &str, secrets: &[String]) -> Self {
        let mut runner = Runner::default();
        for (number, line) in lines(output).into_iter().enumerate() {
            runner.line(number, line, secrets);
        }
        runner
    }

    fn line(&mut self, number: usize, line: &str, secrets: &[String]) {
        // While stopped, the token is a known command too.
        let token = self.stop_token.clone();
        let registered = |name: &str| {
            known(name)
                || token
                    .as_deref()
                    .is_some_and(|t| t.eq_ignore_ascii_case(name))
        };
        let mut echo = true;
        if let Some((name, properties, data)) = parse(line, &registered) {
            let name = name.to_ascii_lowercase();
            if let Some(token) = &self.stop_token {
                if name == token.to_ascii_lowercase() {
                    self.stop_token = None;
                } else if name == "add-mask" {
                    self.ignored_masks.push(number);
                }
            } else {
                if name == "stop-commands" {
                    self.stop_token = Some(data.clone());
                }
                if name == "add-mask" {
                    echo = false;
                    if !data.trim().is_empty() {
                        self.masks.push(data.clone());
                    }
                }
                self.executed.push(Executed {
                    name,
                    properties,
                    data,
                    line: number,
                });
            }
        }
        if !echo {
            return;
        }
        let mut shown = line.to_string();
        for mask in &self.masks {
            shown = shown.replace(mask.as_str(), "***");
        }
        for (index, secret) in secrets.iter().enumerate() {
            if shown.contains(secret.as_str()) {
                self.leaks.push((number, index));
            }
        }
        self.shown.push(shown);
    }

    pub fn named(&self, name: &str) -> Vec<&Executed> {
        self.executed.iter().filter(|c| c.name == name).collect()
    }
}

/// Characters a culture-aware comparison may skip.
fn ignorable(c: char) -> bool {
    (c.is_control() && !c.is_whitespace())
        || matches!(
            c,
            '\u{ad}'
                | '\u{34f}'
                | '\u{61c}'
                | '\u{180b}'..='\u{180f}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{206f}'
                | '\u{fe00}'..='\u{fe0f}'
                | '\u{feff}'
                | '\u{e0000}'..='\u{e0fff}'
        )
}

type Parsed = (String, Vec<(String, String)>, String);

/// A command in `line`: as written, or as a comparison that skips invisible characters sees
/// it (the worst case for the orchestrator). As in the runner, a line that is not a
/// registered `::` command is still tried as `##[`.
fn parse(line: &str, registered: &dyn Fn(&str) -> bool) -> Option<Parsed> {
    let stripped: String = line.chars().filter(|&c| !ignorable(c)).collect();
    parse_v2(line, registered)
        .or_else(|| parse_v1(line, registered))
        .or_else(|| parse_v2(&stripped, registered))
        .or_else(|| parse_v1(&stripped, registered))
}

fn known(name: &str) -> bool {
    KNOWN.iter().any(|k| k.eq_ignore_ascii_case(name))
}

fn parse_v2(line: &str, registered: &dyn Fn(&str) -> bool) -> Option<Parsed> {
    let rest = line.trim_start().strip_prefix("::")?;
    let end = rest.find("::")?;
    let info = &rest[..end];
    let (name, props) = info.split_once(' ').unwrap_or((info, ""));
    if !registered(name) {
        return None;
    }
    let properties = props
        .trim()
        .split(',')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), unescape_property(v)))
        .collect();
    Some((
        name.to_string(),
        properties,
        unescape_data(&rest[end + 2..]),
    ))
}

fn parse_v1(line: &str, registered: &dyn Fn(&str) -> bool) -> Option<Parsed> {
    let start = line.find("##[")?;
    let after = &line[start + 3..];
    let end = after.find(']')?;
    let info = &after[..end];
    let (name, props) = info.split_once(' ').unwrap_or((info, ""));
    if !registered(name) {
        return None;
    }
    let properties = props
        .split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Some((name.to_string(), properties, after[end + 1..].to_string()))
}

fn unescape_data(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

fn unescape_property(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[test]
fn the_model_reads_commands_masks_and_regions_like_the_runner() {
    let output = "::add-mask::s3cr%25t\nshown s3cr%t\rx ##[set-output name=a;]b\n\
                  ::stop-commands::tok\n::add-mask::later\n::set-env name=A::b\n::tok::\n\
                  \u{ad}::error title=t%3A1::m%0An\nlater";
    let runner = Runner::read(output, &["s3cr%t".to_string(), "later".to_string()]);
    let names: Vec<&str> = runner.executed.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        ["add-mask", "set-output", "stop-commands", "error"],
        "{runner:#?}"
    );
    assert_eq!(runner.shown[0], "shown ***");
    assert_eq!(runner.executed[3].property("title"), Some("t:1"));
    assert_eq!(runner.executed[3].data, "m\nn");
    assert_eq!(runner.ignored_masks, [4]);
    // The mask in the region was ignored: `later` is shown.
    assert_eq!(runner.leaks.last().map(|l| l.1), Some(1));
}
