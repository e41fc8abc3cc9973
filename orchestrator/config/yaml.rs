//! A YAML document as a tree of nodes that remember where they stand in the file.
//!
//! serde_yaml stops at the first problem and forgets positions once a value is
//! deserialised; `validate` must report every problem with its line, so the config is
//! read from this tree instead.

use std::collections::HashMap;
use std::sync::Arc;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::diagnostic::{Diagnostic, Pos};

/// Anchors and aliases may be used, but expanding them may not produce more values than
/// this: a "billion laughs" document is refused instead of eating the machine. The largest
/// real configs hold a few hundred thousand values, written out, not through aliases.
const MAX_ALIAS_VALUES: usize = 100_000;

/// The same for the text aliases copy: a 100 KB value aliased by 10,000 domains would be
/// 1 GB of copies. Every account inherits `defaults.vars` and `defaults.layer_vars` without
/// a copy, which is where a value shared by many domains belongs.
const MAX_ALIAS_BYTES: usize = 16 << 20;

/// domains.yaml needs a handful of levels; the limit keeps `[[[[...` from exhausting the
/// stack of the code that walks (and drops) the tree.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    // Boxed slices and strs, not Vecs and Strings: a 10,000-domain file has 400,000 nodes,
    // and the spare capacity and size of each would add up to tens of megabytes.
    Scalar { value: Text, quoted: bool },
    Seq(Box<[Node]>),
    Map(Box<[(Node, Node)]>),
}

/// A scalar's text: its own, or shared by an anchor and every alias of it, so a 100 KB value
/// aliased by thousands of domains is stored once (and becomes one shared input value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Text {
    Own(Box<str>),
    Shared(Arc<str>),
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Own(s) => s,
            Text::Shared(s) => s,
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Self {
        Text::Own(s.into())
    }
}

impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self)
    }
}

/// Anchored scalars at least this long are shared with their aliases rather than copied;
/// shorter ones cost less copied than shared.
const SHARED_TEXT_BYTES: usize = 1024;

impl Node {
    /// The text an anchor shares with its aliases, when this scalar has it.
    pub fn shared_text(&self) -> Option<&Arc<str>> {
        match &self.kind {
            NodeKind::Scalar {
                value: Text::Shared(text),
                ..
            } => Some(text),
            _ => None,
        }
    }

    /// The scalar's text, or `None` for a sequence or mapping.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// True for `~`, `null` and an empty plain scalar, as YAML defines them.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar { value, quoted: false }
            if matches!(&**value, "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar { .. } if self.is_null() => "nothing",
            NodeKind::Scalar { .. } => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
        }
    }

    /// Converts to JSON for values passed through to terraform untouched (`vars`).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.kind {
            NodeKind::Scalar { value, quoted } => {
                if *quoted {
                    return serde_json::Value::String(value.to_string());
                }
                if self.is_null() {
                    return serde_json::Value::Null;
                }
                match &**value {
                    "true" | "True" | "TRUE" => return serde_json::Value::Bool(true),
                    "false" | "False" | "FALSE" => return serde_json::Value::Bool(false),
                    _ => {}
                }
                if let Ok(n) = value.parse::<i64>() {
                    return n.into();
                }
                if let Some(n) = value
                    .parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                {
                    return serde_json::Value::Number(n);
                }
                serde_json::Value::String(value.to_string())
            }
            NodeKind::Seq(items) => items.iter().map(Node::to_json).collect(),
            NodeKind::Map(entries) => entries
                .iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_string(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

/// Parses one YAML document. `Ok(None)` means the file holds no document at all.
pub fn parse(text: &str) -> Result<Option<Node>, Diagnostic> {
    if let Some(pos) = tab_in_indentation(text) {
        return Err(Diagnostic::new(
            pos,
            "a tab is used for indentation",
            "YAML only allows spaces there: replace the tab with spaces",
        ));
    }
    let mut builder = TreeBuilder::default();
    // Events are pulled one by one (not `Parser::load`, which recurses once per nesting
    // level and would overflow the stack on `[[[[...` before any limit could apply).
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, mark) = parser.next_token().map_err(|e| {
            if e.info().contains("recursion limit") {
                return too_deep(pos_of(e.marker()));
            }
            Diagnostic::new(
                pos_of(e.marker()),
                format!("YAML syntax error: {}", e.info()),
                "check the indentation of this line against the lines above, and quote values that contain `: `, ` #`, `{` or `[`",
            )
        })?;
        if event == Event::StreamEnd {
            break;
        }
        builder.on_event(event, pos_of(&mark))?;
    }
    Ok(builder.root)
}

fn tab_in_indentation(text: &str) -> Option<Pos> {
    if !text.contains('\t') {
        return None;
    }
    for (i, line) in text.lines().enumerate() {
        let indent: &str = &line[..line.len() - line.trim_start().len()];
        if let Some(col) = indent.find('\t') {
            return Some(Pos::new(i + 1, col + 1));
        }
    }
    None
}

fn pos_of(mark: &Marker) -> Pos {
    // yaml-rust2 counts lines from 1 and columns from 0 (in characters).
    Pos::new(mark.line().max(1), mark.col() + 1)
}

/// A sequence or mapping whose end has not been seen yet; its children so far are
/// `TreeBuilder::children[start..]`.
struct Open {
    pos: Pos,
    anchor: usize,
    is_map: bool,
    start: usize,
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Open>,
    /// The children of every open collection, innermost last: one buffer for all, so a
    /// finished collection is moved out in one exact-size allocation.
    children: Vec<Node>,
    /// Anchored nodes, with how many values and bytes of text each holds and how many
    /// aliases used it so far.
    anchors: HashMap<usize, (Node, Size, usize)>,
    root: Option<Node>,
    documents: usize,
    alias_values: usize,
    alias_bytes: usize,
}

/// What copying a node costs: its values and the bytes of its scalars' text.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    values: usize,
    bytes: usize,
}

impl TreeBuilder {
    fn on_event(&mut self, event: Event, pos: Pos) -> Result<(), Diagnostic> {
        match event {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Diagnostic::new(
                        pos,
                        "a second YAML document starts here",
                        "domains.yaml holds one document: remove this `---` and what follows, or merge it into the first",
                    ));
                }
            }
            Event::Scalar(value, style, anchor, tag) => {
                // `!!str 123` is text even when written plain.
                let tagged_text =
                    tag.is_some_and(|t| t.handle == "tag:yaml.org,2002:" && t.suffix == "str");
                let quoted = tagged_text || !matches!(style, TScalarStyle::Plain);
                let node = Node {
                    pos,
                    kind: NodeKind::Scalar {
                        value: Text::Own(value.into_boxed_str()),
                        quoted,
                    },
                };
                self.push_value(node, anchor);
            }
            Event::SequenceStart(anchor, _) => self.open(pos, false, anchor)?,
            Event::MappingStart(anchor, _) => self.open(pos, true, anchor)?,
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(open) = self.stack.pop() {
                    let node = self.close(open);
                    self.push_value(node.0, node.1);
                }
            }
            Event::Alias(id) => {
                let Some((target, size, uses)) = self.anchors.get_mut(&id) else {
                    return Err(Diagnostic::new(
                        pos,
                        "alias refers to an unknown anchor",
                        "define the anchor (&name) before using it (*name)",
                    ));
                };
                *uses += 1;
                self.alias_values += size.values;
                self.alias_bytes += size.bytes;
                if self.alias_bytes > MAX_ALIAS_BYTES {
                    return Err(Diagnostic::new(
                        pos,
                        format!(
                            "aliases copy more than {} MiB of text (this one {} bytes, used {} times so far)",
                            MAX_ALIAS_BYTES >> 20,
                            size.bytes,
                            uses
                        ),
                        "set a value shared by many domains once in `defaults.vars` or `defaults.layer_vars`: every account inherits it without a copy",
                    ));
                }
                if self.alias_values > MAX_ALIAS_VALUES {
                    return Err(Diagnostic::new(
                        pos,
                        format!("aliases expand to more than {MAX_ALIAS_VALUES} values"),
                        "write the values out instead of nesting aliases of aliases",
                    ));
                }
                let mut copy = target.clone();
                copy.pos = pos;
                self.push_value(copy, 0);
            }
            Event::StreamStart | Event::StreamEnd | Event::DocumentEnd | Event::Nothing => {}
        }
        Ok(())
    }

    fn open(&mut self, pos: Pos, is_map: bool, anchor: usize) -> Result<(), Diagnostic> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(too_deep(pos));
        }
        self.stack.push(Open {
            pos,
            anchor,
            is_map,
            start: self.children.len(),
        });
        Ok(())
    }

    /// The finished collection and its anchor.
    fn close(&mut self, open: Open) -> (Node, usize) {
        let mut children = self.children.drain(open.start..);
        let node = if open.is_map {
            let mut entries = Vec::with_capacity(children.len() / 2);
            while let (Some(key), Some(value)) = (children.next(), children.next()) {
                entries.push((key, value));
            }
            // A block mapping's start is only known at its first `:`; it really starts at
            // its first key.
            let pos = entries
                .first()
                .map_or(open.pos, |(k, _)| open.pos.min(k.pos));
            Node {
                pos,
                kind: NodeKind::Map(entries.into_boxed_slice()),
            }
        } else {
            Node {
                pos: open.pos,
                kind: NodeKind::Seq(children.collect()),
            }
        };
        (node, open.anchor)
    }

    fn push_value(&mut self, mut node: Node, anchor: usize) {
        if anchor > 0 {
            share_long_text(&mut node);
            let size = measure(&node);
            self.anchors.insert(anchor, (node.clone(), size, 0));
        }
        if self.stack.is_empty() {
            if self.root.is_none() {
                self.root = Some(node);
            }
        } else {
            self.children.push(node);
        }
    }
}

fn too_deep(pos: Pos) -> Diagnostic {
    Diagnostic::new(
        pos,
        format!("the YAML nests more than {MAX_DEPTH} levels deep"),
        "domains.yaml needs only a few levels: look for an unclosed `[` or `{`, or runaway indentation, before this position",
    )
}

/// Makes the long scalars of an anchored node shared, so its aliases copy a pointer.
fn share_long_text(node: &mut Node) {
    match &mut node.kind {
        NodeKind::Scalar { value, .. } => {
            if let Text::Own(text) = value {
                if text.len() >= SHARED_TEXT_BYTES {
                    *value = Text::Shared(Arc::from(&**text));
                }
            }
        }
        NodeKind::Seq(items) => items.iter_mut().for_each(share_long_text),
        NodeKind::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
            share_long_text(k);
            share_long_text(v);
        }),
    }
}

/// How many values a node holds, itself included, and the bytes of its text (bounded by
/// `MAX_DEPTH` in depth).
fn measure(node: &Node) -> Size {
    let mut size = Size {
        values: 1,
        bytes: 0,
    };
    let mut add = |child: &Node| {
        let s = measure(child);
        size.values += s.values;
        size.bytes += s.bytes;
    };
    match &node.kind {
        NodeKind::Scalar { value, .. } => {
            return Size {
                values: 1,
                // Shared text costs an alias nothing.
                bytes: match value {
                    Text::Own(text) => text.len(),
                    Text::Shared(_) => 0,
                },
            };
        }
        NodeKind::Seq(items) => items.iter().for_each(&mut add),
        NodeKind::Map(entries) => entries.iter().for_each(|(k, v)| {
            add(k);
            add(v);
        }),
    }
    size
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_remember_their_line_and_column() {
        let root = parse("a:\n  b: 'x'\n").unwrap().unwrap();
        let NodeKind::Map(entries) = &root.kind else {
            panic!("not a map")
        };
        let NodeKind::Map(inner) = &entries[0].1.kind else {
            panic!("not a map")
        };
        assert_eq!(inner[0].1.pos, Pos { line: 2, col: 6 });
        assert_eq!(inner[0].1.as_str(), Some("x"));
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut doc = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let prev = i - 1;
            doc.push_str(&format!(
                "a{i}: &a{i} [*a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}, *a{prev}]\n"
            ));
        }
        let err = parse(&doc).unwrap_err();
        assert!(err.message.contains("aliases expand"), "{err}");
    }

    #[test]
    fn a_big_value_aliased_by_many_domains_is_stored_once() {
        let big = "x".repeat(100_000);
        let mut doc = format!("first: &big \"{big}\"\n");
        for i in 0..10_000 {
            doc.push_str(&format!("d{i}: *big\n"));
        }
        let root = parse(&doc).unwrap().unwrap();
        let NodeKind::Map(entries) = &root.kind else {
            panic!("not a map")
        };
        let first = entries[0]
            .1
            .shared_text()
            .expect("the anchor's text is shared");
        let last = entries[10_000].1.shared_text().expect("an alias shares it");
        assert!(Arc::ptr_eq(first, last));
        assert_eq!(
            Arc::strong_count(first),
            10_001,
            "one text for the anchor and every alias"
        );
        // Copied text is still bounded: many long-enough-to-matter small values.
        let mut doc = format!("first: &m [{}]\n", vec!["y".repeat(1000); 100].join(", "));
        for i in 0..200 {
            doc.push_str(&format!("d{i}: *m\n"));
        }
        let err = parse(&doc).unwrap_err();
        assert!(
            err.message
                .starts_with("aliases copy more than 16 MiB of text"),
            "{err}"
        );
    }

    #[test]
    fn the_alias_size_error_counts_the_uses_of_its_own_anchor() {
        // 100 uses of a 100,000-byte anchor, then a 200,000-byte one until 16 MiB is passed:
        // (16 MiB - 10,000,000) / 200,000 = 33.9, so its 34th use is refused.
        let item = "y".repeat(1000);
        let mut doc = format!("a: &a [{}]\n", vec![item.as_str(); 100].join(", "));
        for i in 0..100 {
            doc.push_str(&format!("a{i}: *a\n"));
        }
        doc.push_str(&format!(
            "b: &b [{}]\n",
            vec![item.as_str(); 200].join(", ")
        ));
        for i in 0..100 {
            doc.push_str(&format!("b{i}: *b\n"));
        }
        let err = parse(&doc).unwrap_err();
        assert_eq!(
            err.message,
            "aliases copy more than 16 MiB of text (this one 200000 bytes, used 34 times so far)"
        );
        assert_eq!(err.pos.line, 102 + 34);
    }

    #[test]
    fn tab_indentation_is_named() {
        let err = parse("a:\n\tb: 1\n").unwrap_err();
        assert_eq!(err.pos, Pos { line: 2, col: 1 });
        assert!(err.message.contains("tab"));
    }

    #[test]
    fn deep_nesting_is_refused_without_overflowing_the_stack() {
        let doc = "[".repeat(100_000);
        let err = parse(&doc).unwrap_err();
        assert!(err.message.contains("nests more than 64 levels"), "{err}");
        let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn a_second_document_is_named() {
        let err = parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert_eq!(err.pos.line, 2);
        assert!(err.message.contains("second YAML document"), "{err}");
    }

    #[test]
    fn str_tag_makes_a_plain_scalar_text() {
        let root = parse("a: !!str 123\n").unwrap().unwrap();
        let NodeKind::Map(entries) = &root.kind else {
            panic!("not a map")
        };
        assert_eq!(
            entries[0].1.kind,
            NodeKind::Scalar {
                value: "123".into(),
                quoted: true
            }
        );
    }
}
