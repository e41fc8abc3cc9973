//! Block Kit types, and Slack's limits enforced where each block is made, so no message can
//! exceed them whatever the report holds.

use serde::Serialize;

use super::mrkdwn;

/// Blocks per message.
pub const MAX_BLOCKS: usize = 50;
/// Characters in a section's `text`.
pub const MAX_SECTION_TEXT: usize = 3000;
/// Characters in a header's plain text.
pub const MAX_HEADER_TEXT: usize = 150;
/// Fields in a section, and characters in each.
pub const MAX_FIELDS: usize = 10;
pub const MAX_FIELD_TEXT: usize = 2000;
/// Elements in a context block.
pub const MAX_CONTEXT_ELEMENTS: usize = 10;
/// All text of all blocks together. Not documented by Slack, but messages around 13,200
/// characters are refused with `msg_blocks_too_long` (slackapi/bolt-js#2509).
pub const MAX_TOTAL_TEXT: usize = 12_000;
/// The top-level `text`: the notification and screen-reader fallback. Slack accepts far
/// more (40,000), but a notification shows a line or two.
pub const MAX_FALLBACK_TEXT: usize = 1000;

/// The JSON body posted to an incoming webhook.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Message {
    pub text: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Header {
        text: Text,
    },
    Section {
        #[serde(skip_serializing_if = "Option::is_none")]
        text: Option<Text>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        fields: Vec<Text>,
    },
    Divider,
    Context {
        elements: Vec<Text>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Text {
    PlainText { text: String, emoji: bool },
    Mrkdwn { text: String },
}

impl Text {
    pub fn as_str(&self) -> &str {
        match self {
            Text::PlainText { text, .. } | Text::Mrkdwn { text } => text,
        }
    }

    pub fn chars(&self) -> usize {
        self.as_str().chars().count()
    }
}

impl Block {
    /// A header; plain text only, cut to 150 characters.
    pub fn header(text: &str) -> Self {
        Block::Header {
            text: Text::PlainText {
                text: crate::notify::error_lines::cut(text, MAX_HEADER_TEXT),
                emoji: true,
            },
        }
    }

    /// A section of mrkdwn (already escaped), cut to 3,000 characters.
    pub fn section(mrkdwn_text: &str) -> Self {
        Block::Section {
            text: Some(Text::Mrkdwn {
                text: mrkdwn::truncate(mrkdwn_text, MAX_SECTION_TEXT),
            }),
            fields: Vec::new(),
        }
    }

    /// A two-column section: at most 10 fields of at most 2,000 characters.
    pub fn fields(fields: Vec<String>) -> Self {
        Block::Section {
            text: None,
            fields: fields
                .into_iter()
                .take(MAX_FIELDS)
                .map(|f| Text::Mrkdwn {
                    text: mrkdwn::truncate(&f, MAX_FIELD_TEXT),
                })
                .collect(),
        }
    }

    /// Small grey lines at the foot of a message.
    pub fn context(elements: Vec<String>) -> Self {
        Block::Context {
            elements: elements
                .into_iter()
                .take(MAX_CONTEXT_ELEMENTS)
                .map(|e| Text::Mrkdwn {
                    text: mrkdwn::truncate(&e, MAX_SECTION_TEXT),
                })
                .collect(),
        }
    }

    /// Characters of text this block carries (what counts toward `MAX_TOTAL_TEXT`).
    pub fn text_chars(&self) -> usize {
        match self {
            Block::Header { text } => text.chars(),
            Block::Section { text, fields } => {
                text.as_ref().map_or(0, Text::chars) + fields.iter().map(Text::chars).sum::<usize>()
            }
            Block::Divider => 0,
            Block::Context { elements } => elements.iter().map(Text::chars).sum(),
        }
    }
}

impl Message {
    pub fn text_chars(&self) -> usize {
        self.blocks.iter().map(Block::text_chars).sum()
    }
}
