//! A model of how the GitHub Actions runner reads a step's output (actions/runner
//! `OutputManager`, `ActionCommand`, `ActionCommandManager`), to run over everything the
//! orchestrator printed:
//!
//! - lines end at LF, CR or CRLF;
//! - `::name props::data` is a command when it starts the line after white space, `##[name
//!   props]data` anywhere in the line; names are matched case-insensitively, and (as the
//!   runner's culture-aware comparison may) through invisible characters;
//! - inside `::stop-commands::TOKEN` ... `::TOKEN::` nothing runs, `::add-mask::` included;
//! - `::add-mask::value` masks the value (unescaped, whole: a `%0A` in it makes a value no
//!   single line can hold) and the runner's encodings of it (`ValueEncoders`: base64 at byte
//!   offsets 0, 1 and 2, JSON string, URI data, XML escapes, the value inside double quotes)
//!   in every line read after it;
//! - stdout and stderr are read by two readers into two queues, each batch of stderr lines
//!   processed before the stdout lines of the same batch (`ProcessInvoker`): only the order
//!   within one stream is certain. `read_streams` reads each stream on its own, the worst
//!   case for a mask printed on the other stream.
//!
//! It records what was executed and every line where a secret (or its base64) was shown
//! unmasked.

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

/// A step's two streams, each read on its own (`read_streams`).
#[derive(Debug)]
pub struct Streams {
    pub stdout: Runner,
    pub stderr: Runner,
}

impl Streams {
    /// Every command either stream executed.
    pub fn executed(&self) -> impl Iterator<Item = &Executed> {
        self.stdout.executed.iter().chain(&self.stderr.executed)
    }

    /// Every line, on either stream, where a secret was shown unmasked.
    pub fn leaks(&self) -> Vec<(&'static str, usize, usize)> {
        let on = |name, runner: &Runner| {
            runner
                .leaks
                .iter()
                .map(move |&(line, secret)| (name, line, secret))
                .collect::<Vec<_>>()
        };
        let mut leaks = on("stdout", &self.stdout);
        leaks.extend(on("stderr", &self.stderr));
        leaks
    }

    /// Masks either stream printed inside a stop-commands region.
    pub fn ignored_masks(&self) -> usize {
        self.stdout.ignored_masks.len() + self.stderr.ignored_masks.len()
    }
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

    /// Reads a step's stdout and stderr as the runner may: each stream in its order, but a
    /// mask on one stream is not known to come before a line of the other, so each stream
    /// must mask its own secrets.
    pub fn read_streams(stdout: &str, stderr: &str, secrets: &[String]) -> Streams {
        Streams {
            stdout: Self::read(stdout, secrets),
            stderr: Self::read(stderr, secrets),
        }
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
                        self.masks.extend(encodings(&data));
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
            if shows(&shown, secret) {
                self.leaks.push((number, index));
            }
        }
        self.shown.push(shown);
    }

    pub fn named(&self, name: &str) -> Vec<&Executed> {
        self.executed.iter().filter(|c| c.name == name).collect()
    }
}

/// Whether `line` shows `secret`: whole, base64-encoded, or (a long one) its first or last
/// `PART` characters, as a line cut short or wrapped would.
fn shows(line: &str, secret: &str) -> bool {
    const PART: usize = 16;
    let encoded = base64(secret.as_bytes());
    if line.contains(secret) || line.contains(encoded.trim_end_matches('=')) {
        return true;
    }
    secret.len() >= 2 * PART
        && secret.is_char_boundary(PART)
        && secret.is_char_boundary(secret.len() - PART)
        && (line.contains(&secret[..PART]) || line.contains(&secret[secret.len() - PART..]))
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
        .map(|(k, v)| (k.to_string(), unescape_v1(v)))
        .collect();
    Some((name.to_string(), properties, unescape_v1(&after[end + 1..])))
}

/// The old form's escapes, in the runner's order.
fn unescape_v1(text: &str) -> String {
    text.replace("%3B", ";")
        .replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%5D", "]")
        .replace("%25", "%")
}

/// What the runner masks for one `add-mask` value: the value and its `ValueEncoders`.
fn encodings(value: &str) -> Vec<String> {
    let bytes = value.as_bytes();
    let mut all = vec![value.to_string(), base64(bytes)];
    for shift in [1, 2] {
        if bytes.len() > shift {
            all.push(base64(&bytes[shift..]));
        }
    }
    let json = serde_json::to_string(value).unwrap();
    all.push(json[1..json.len() - 1].to_string());
    all.push(uri_data(value));
    all.push(
        value
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&apos;"),
    );
    if value.len() > 8 && value.starts_with('"') && value.ends_with('"') {
        all.push(value[1..value.len() - 1].to_string());
    }
    all.retain(|e| !e.is_empty());
    all.sort();
    all.dedup();
    // Longest first, as the runner replaces overlapping matches whole.
    all.sort_by_key(|e| std::cmp::Reverse(e.len()));
    all
}

/// `Uri.EscapeDataString`: everything but the unreserved characters, percent-encoded.
fn uri_data(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Standard base64 with padding (`Convert.ToBase64String`).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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

#[test]
fn the_model_masks_what_the_runner_masks_and_no_more() {
    let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".to_string();
    let encoded = base64(secret.as_bytes());
    assert_eq!(base64(b"ab"), "YWI=");
    assert_eq!(base64(b"abcd"), "YWJjZA==");
    // The value and its base64 (also at byte offsets 1 and 2, as inside `user:secret`).
    let output = format!(
        "::add-mask::{secret}\nraw {secret}\nb64 {encoded}\nshifted {}\nuri {}\n",
        base64(&secret.as_bytes()[1..]),
        uri_data(&secret),
    );
    let runner = Runner::read(&output, std::slice::from_ref(&secret));
    assert!(runner.leaks.is_empty(), "{:#?}", runner.shown);
    assert_eq!(
        runner.shown,
        ["raw ***", "b64 ***", "shifted ***", "uri ***"]
    );
    // Not masked: its base64, or a long part of it (a line cut short), is still a leak.
    let runner = Runner::read(
        &format!(
            "b64 {encoded}\n{}...\n...{}\n",
            &secret[..20],
            &secret[10..]
        ),
        std::slice::from_ref(&secret),
    );
    assert_eq!(runner.leaks, [(0, 0), (1, 0), (2, 0)]);
    // A multi-line value is masked whole, and a line never holds a line break: each line of
    // a multi-line secret needs its own mask.
    let key = "line-one-of-the-key\nline-two-of-the-key".to_string();
    let lines_of_key: Vec<String> = key.lines().map(String::from).collect();
    let runner = Runner::read(
        "::add-mask::line-one-of-the-key%0Aline-two-of-the-key\nline-one-of-the-key\n",
        &lines_of_key,
    );
    assert_eq!(runner.leaks, [(1, 0)]);
}

#[test]
fn the_model_reads_two_streams_in_their_own_order() {
    let secret = "ASIAEXAMPLESESSIONTOKEN000".to_string();
    // The mask on stdout only: a line of stderr may be processed before it.
    let streams = Runner::read_streams(
        &format!("::add-mask::{secret}\nout {secret}\n"),
        &format!("err {secret}\n##[set-output name=a%3B;]b%5D\n"),
        std::slice::from_ref(&secret),
    );
    assert_eq!(streams.leaks(), [("stderr", 0, 0)]);
    let set_output: Vec<&Executed> = streams
        .executed()
        .filter(|c| c.name == "set-output")
        .collect();
    assert_eq!(set_output.len(), 1);
    assert_eq!(set_output[0].property("name"), Some("a;"));
    assert_eq!(set_output[0].data, "b]");
    // On both streams, as the orchestrator writes it: masked wherever it shows.
    let both = format!("::add-mask::{secret}\n");
    let streams = Runner::read_streams(
        &format!("{both}out {secret}\n"),
        &format!("{both}err {secret}\n"),
        std::slice::from_ref(&secret),
    );
    assert!(streams.leaks().is_empty());
    assert_eq!(streams.ignored_masks(), 0);
}
