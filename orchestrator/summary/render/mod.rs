//! Markdown for a [`Summary`](crate::summary::Summary): the comment at a level of detail,
//! and shortening it to fit a limit.

mod comment;
mod detail;
mod fit;
mod markdown;
mod words;

pub use comment::{render, MARKER};
pub use detail::{Destroys, Detail, Rows};
pub use fit::{fit, Fitted, FullVersion, Limit, TooLong};
pub use markdown::{byte_length, comment_length};
