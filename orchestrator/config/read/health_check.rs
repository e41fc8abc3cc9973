//! `defaults.health_check`: a layer output polled after the layer applies.

use std::time::Duration;

use super::super::fields::{self, Fields, Problems};
use super::super::model::HealthCheck;
use super::super::yaml::{Node, NodeKind};
use super::keys::HEALTH_CHECK;

pub(super) fn read_health_checks(
    problems: &mut Problems,
    node: &Node,
    layers: &[String],
) -> Vec<HealthCheck> {
    let items: Vec<&Node> = match &node.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![node],
    };
    items
        .into_iter()
        .filter_map(|n| {
            let f = Fields::read(problems, n, "health_check", HEALTH_CHECK)?;
            let layer_node = f.required(problems, "layer", "dynamic")?;
            let layer = fields::string(problems, layer_node, "health_check.layer")?;
            if !layers.contains(&layer) {
                problems.add(
                    layer_node.pos,
                    format!("health_check.layer `{layer}` is not one of the layers"),
                    format!("use one of: {}", layers.join(", ")),
                );
                return None;
            }
            let output = f
                .required(problems, "output", "health_url")
                .and_then(|n| fields::string(problems, n, "health_check.output"))?;
            let expect_status = match f.get("expect_status") {
                Some(n) => match fields::integer(problems, n, "health_check.expect_status") {
                    Some(s) if (100..=599).contains(&s) => u16::try_from(s).unwrap_or(200),
                    Some(_) => {
                        problems.add(
                            n.pos,
                            "expect_status must be an HTTP status",
                            "write a status such as 200",
                        );
                        return None;
                    }
                    None => return None,
                },
                None => 200,
            };
            let timeout = f
                .get("timeout")
                .and_then(|n| fields::duration(problems, n, "health_check.timeout"))
                .unwrap_or(Duration::from_secs(60));
            Some(HealthCheck {
                layer,
                output,
                expect_status,
                timeout,
            })
        })
        .collect()
}
