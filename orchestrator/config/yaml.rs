//! A YAML document as a tree of nodes that remember where they stand in the file.
//!
//! serde_yaml stops at the first problem and forgets positions once a value is
//! deserialised; `validate` must report every problem with its line, so the config is
//! read from this tree instead.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::diagnostic::{Diagnostic, Pos};

/// Anchors and aliases may be used, but expanding them may not produce more nodes than
/// this: a "billion laughs" document is refused instead of eating the machine.
const MAX_EXPANDED_NODES: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Scalar { value: String, quoted: bool },
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

impl Node {
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
            if value.is_empty() || value == "~" || value == "null" || value == "Null" || value == "NULL")
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
                    return serde_json::Value::String(value.clone());
                }
                if self.is_null() {
                    return serde_json::Value::Null;
                }
                match value.as_str() {
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
                serde_json::Value::String(value.clone())
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
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| {
        let mark = e.marker();
        Diagnostic::new(
            pos_of(mark),
            format!("YAML syntax error: {}", e.info()),
            "fix the YAML syntax at this position",
        )
    })?;
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.root)
}

fn tab_in_indentation(text: &str) -> Option<Pos> {
    for (i, line) in text.lines().enumerate() {
        let indent: &str = &line[..line.len() - line.trim_start().len()];
        if let Some(col) = indent.find('\t') {
            return Some(Pos {
                line: i + 1,
                col: col + 1,
            });
        }
    }
    None
}

fn pos_of(mark: &Marker) -> Pos {
    // yaml-rust2 counts lines from 1 and columns from 0.
    Pos {
        line: mark.line().max(1),
        col: mark.col() + 1,
    }
}

enum Open {
    Seq(Node, Vec<Node>, usize),
    Map(Node, Vec<(Node, Node)>, Option<Node>, usize),
}

#[derive(Default)]
struct TreeBuilder {
    stack: Vec<Open>,
    anchors: std::collections::HashMap<usize, Node>,
    root: Option<Node>,
    expanded: usize,
    error: Option<Diagnostic>,
}

impl TreeBuilder {
    fn push_value(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
            Some(Open::Seq(_, items, _)) => items.push(node),
            Some(Open::Map(_, entries, pending_key, _)) => match pending_key.take() {
                None => *pending_key = Some(node),
                Some(key) => entries.push((key, node)),
            },
        }
    }

    fn fail(&mut self, diagnostic: Diagnostic) {
        if self.error.is_none() {
            self.error = Some(diagnostic);
        }
    }
}

fn count_nodes(node: &Node) -> usize {
    match &node.kind {
        NodeKind::Scalar { .. } => 1,
        NodeKind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        NodeKind::Map(entries) => {
            1 + entries
                .iter()
                .map(|(k, v)| count_nodes(k) + count_nodes(v))
                .sum::<usize>()
        }
    }
}

impl MarkedEventReceiver for TreeBuilder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let pos = pos_of(&mark);
        match ev {
            Event::Scalar(value, style, anchor, _tag) => {
                let quoted = !matches!(style, TScalarStyle::Plain);
                self.expanded += 1;
                self.push_value(
                    Node {
                        pos,
                        kind: NodeKind::Scalar { value, quoted },
                    },
                    anchor,
                );
            }
            Event::SequenceStart(anchor, _) => {
                let placeholder = Node {
                    pos,
                    kind: NodeKind::Seq(Vec::new()),
                };
                self.stack.push(Open::Seq(placeholder, Vec::new(), anchor));
            }
            Event::MappingStart(anchor, _) => {
                let placeholder = Node {
                    pos,
                    kind: NodeKind::Map(Vec::new()),
                };
                self.stack
                    .push(Open::Map(placeholder, Vec::new(), None, anchor));
            }
            Event::SequenceEnd => {
                if let Some(Open::Seq(mut node, items, anchor)) = self.stack.pop() {
                    node.kind = NodeKind::Seq(items);
                    self.expanded += 1;
                    self.push_value(node, anchor);
                }
            }
            Event::MappingEnd => {
                if let Some(Open::Map(mut node, entries, _, anchor)) = self.stack.pop() {
                    node.kind = NodeKind::Map(entries);
                    self.expanded += 1;
                    self.push_value(node, anchor);
                }
            }
            Event::Alias(id) => {
                let Some(target) = self.anchors.get(&id) else {
                    self.fail(Diagnostic::new(
                        pos,
                        "alias refers to an unknown anchor",
                        "define the anchor (&name) before using it (*name)",
                    ));
                    return;
                };
                self.expanded += count_nodes(target);
                if self.expanded > MAX_EXPANDED_NODES {
                    self.fail(Diagnostic::new(
                        pos,
                        format!("aliases expand to more than {MAX_EXPANDED_NODES} values"),
                        "write the values out instead of nesting aliases of aliases",
                    ));
                    return;
                }
                let mut copy = target.clone();
                copy.pos = pos;
                self.push_value(copy, 0);
            }
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => {}
        }
    }
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
    fn tab_indentation_is_named() {
        let err = parse("a:\n\tb: 1\n").unwrap_err();
        assert_eq!(err.pos, Pos { line: 2, col: 1 });
        assert!(err.message.contains("tab"));
    }
}
