//! Feeds the runner's events to the run report and the display until the runner is done.

use std::time::Duration;

use super::reporter::Reporter;
use crate::events::EventReceiver;
use crate::report::ReportBuilder;

/// How often running jobs' elapsed times are redrawn.
const TICK: Duration = Duration::from_millis(200);

/// Returns when every sender is gone (the runner finished or was dropped).
pub async fn drive(
    mut events: EventReceiver,
    report: &mut ReportBuilder,
    display: &mut dyn Reporter,
) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => {
                    report.apply(&event);
                    display.event(&event);
                }
                None => break,
            },
            _ = tick.tick() => display.tick(),
        }
    }
    display.finish();
}
