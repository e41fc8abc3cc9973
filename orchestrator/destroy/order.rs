//! Destroy runs deploy order backwards: the last wave first, and inside an account the last
//! layer first, so nothing is removed while something built on it still stands.

use crate::plan::Plan;

pub fn reverse(mut plan: Plan) -> Plan {
    plan.waves.reverse();
    for job in plan.waves.iter_mut().flat_map(|w| w.jobs.iter_mut()) {
        job.layers.reverse();
    }
    plan
}
