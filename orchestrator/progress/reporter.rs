//! What every consumer of the runner's events implements.

use crate::events::Event;

pub trait Reporter: Send {
    fn event(&mut self, event: &Event);

    /// Called a few times a second, for displays that show elapsed time.
    fn tick(&mut self) {}

    /// Called once after the last event.
    fn finish(&mut self) {}
}

/// Several reporters fed the same events.
pub struct Reporters(pub Vec<Box<dyn Reporter>>);

impl Reporter for Reporters {
    fn event(&mut self, event: &Event) {
        for r in &mut self.0 {
            r.event(event);
        }
    }

    fn tick(&mut self) {
        for r in &mut self.0 {
            r.tick();
        }
    }

    fn finish(&mut self) {
        for r in &mut self.0 {
            r.finish();
        }
    }
}
