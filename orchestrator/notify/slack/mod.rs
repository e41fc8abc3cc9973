//! Slack: a Block Kit message from a run report, routed to the platform's and each team's
//! incoming webhook, delivered with retries.

mod audience;
pub mod blocks;
mod composer;
pub mod delivery;
pub mod grouping;
pub mod message;
pub mod mrkdwn;
mod recovery;
pub mod routing;
mod sections;
pub mod trigger;
pub mod webhook;

pub use blocks::{Block, Message, Text};
pub use delivery::{deliver, DeliveryError, DeliveryPolicy};
pub use message::{build, Audience, Kind};
pub use routing::{route, Target, PLATFORM_WEBHOOK_VAR};
pub use trigger::{decide, When};
pub use webhook::{Webhook, WebhookError};
