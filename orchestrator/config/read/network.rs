//! `defaults.network`: the pool account CIDRs are allocated from, and the layer that gets them.

use super::super::cidr::Cidr;
use super::super::fields::{self, Fields, Problems};
use super::super::model::NetworkPool;
use super::super::yaml::Node;
use super::keys::NETWORK_POOL;

pub(super) fn read_network_pool(
    problems: &mut Problems,
    node: &Node,
    layers: &[String],
) -> Option<NetworkPool> {
    let f = Fields::read(problems, node, "defaults.network", NETWORK_POOL)?;
    let pool = f.get("pool").and_then(|n| {
        let text = fields::string(problems, n, "network.pool")?;
        match Cidr::parse(&text) {
            Some(c) if c.to_string() == text => Some((text, c, n.pos)),
            Some(c) => {
                problems.add(
                    n.pos,
                    format!("network.pool `{text}` has host bits set"),
                    format!("write the network address: {c}"),
                );
                None
            }
            None => {
                problems.add(
                    n.pos,
                    format!("network.pool `{text}` is not an IPv4 CIDR"),
                    "write it like 10.0.0.0/8",
                );
                None
            }
        }
    });
    let prefix = match f.get("prefix") {
        Some(n) => match fields::integer(problems, n, "network.prefix") {
            Some(p) if (8..=28).contains(&p) => u8::try_from(p).unwrap_or(24),
            Some(_) => {
                problems.add(
                    n.pos,
                    "network.prefix must be between 8 and 28",
                    "a /16 per account is usual",
                );
                16
            }
            None => 16,
        },
        None => 16,
    };
    let layer = match f.get("layer") {
        Some(n) => fields::string(problems, n, "network.layer").filter(|l| {
            let known = layers.contains(l);
            if !known {
                problems.add(
                    n.pos,
                    format!("network.layer `{l}` is not one of the layers"),
                    format!("use one of: {}", layers.join(", ")),
                );
            }
            known
        })?,
        None => "platform".to_string(),
    };
    if let Some((text, cidr, pos)) = &pool {
        if cidr.prefix > prefix {
            problems.add(
                *pos,
                format!("network.pool {text} is smaller than one /{prefix} account block"),
                "use a larger pool or a larger network.prefix",
            );
        }
    }
    Some(NetworkPool {
        pool: pool.map(|(text, _, _)| text),
        prefix,
        layer,
    })
}
