//! terraform's plugin cache (`TF_PLUGIN_CACHE_DIR`) is not safe for concurrent `init`: two
//! inits installing the same provider corrupt each other (hashicorp/terraform#31964). So the
//! first `init` of each layer runs alone and fills the cache; once it succeeded, the other
//! accounts' inits of that layer only read the cache and may run side by side, which keeps
//! a hundred parallel jobs from queueing behind one lock.

use std::collections::HashSet;

use tokio::sync::{Mutex, MutexGuard};

#[derive(Debug, Default)]
pub(super) struct InitGate {
    warmed: Mutex<HashSet<String>>,
}

/// Held while a layer's first `init` runs; [`Warming::done`] opens the layer to everyone.
pub(super) struct Warming<'a> {
    layer: String,
    guard: MutexGuard<'a, HashSet<String>>,
}

impl InitGate {
    /// `None` when the layer's providers are already in the cache: init freely.
    pub(super) async fn enter(&self, layer: &str) -> Option<Warming<'_>> {
        let guard = self.warmed.lock().await;
        (!guard.contains(layer)).then(|| Warming {
            layer: layer.to_string(),
            guard,
        })
    }
}

impl Warming<'_> {
    pub(super) fn done(mut self) {
        self.guard.insert(self.layer.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_first_init_of_a_layer_runs_alone_then_the_layer_is_open() {
        let gate = InitGate::default();
        let first = gate
            .enter("platform")
            .await
            .expect("nobody warmed platform yet");
        // While it runs, nobody else gets in (not even another layer).
        assert!(
            tokio::time::timeout(std::time::Duration::from_secs(3600), gate.enter("static"))
                .await
                .is_err()
        );
        first.done();
        assert!(gate.enter("platform").await.is_none(), "platform is warm");
        let failed = gate.enter("static").await.expect("static is not warm");
        drop(failed);
        assert!(
            gate.enter("static").await.is_some(),
            "a failed init warms nothing"
        );
    }
}
