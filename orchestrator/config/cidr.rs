//! IPv4 CIDR blocks: account networks must not overlap, and `domain add` allocates the next
//! free block from the configured pool.

use std::fmt;
use std::net::Ipv4Addr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Cidr {
    pub base: u32,
    pub prefix: u8,
}

impl Cidr {
    /// Parses `a.b.c.d/n`; host bits are cleared (the caller compares to spot them).
    pub fn parse(text: &str) -> Option<Self> {
        let (addr, prefix) = text.split_once('/')?;
        let addr: Ipv4Addr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
        Some(Self {
            base: u32::from(addr) & mask(prefix),
            prefix,
        })
    }

    pub fn size(&self) -> u64 {
        1u64 << (32 - self.prefix)
    }

    pub fn last(&self) -> u32 {
        // A block never reaches past 255.255.255.255: base is aligned to its size.
        u32::try_from(u64::from(self.base) + self.size() - 1).unwrap_or(u32::MAX)
    }

    pub fn overlaps(&self, other: &Cidr) -> bool {
        self.base <= other.last() && other.base <= self.last()
    }

    /// The first block of `prefix` inside `self` that overlaps none of `taken`.
    pub fn first_free(&self, prefix: u8, taken: &[Cidr]) -> Option<Cidr> {
        if prefix < self.prefix {
            return None;
        }
        let step = 1u64 << (32 - prefix);
        let mut base = u64::from(self.base);
        while base + step <= u64::from(self.base) + self.size() {
            let candidate = Cidr {
                base: u32::try_from(base).ok()?,
                prefix,
            };
            match taken
                .iter()
                .filter(|t| t.overlaps(&candidate))
                .map(|t| t.last() as u64 + 1)
                .max()
            {
                None => return Some(candidate),
                // Jump past the block in the way, realigned to `prefix`.
                Some(next) => base = next.div_ceil(step) * step,
            }
        }
        None
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", Ipv4Addr::from(self.base), self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_and_allocation() {
        let a = Cidr::parse("10.0.0.0/16").unwrap();
        let b = Cidr::parse("10.0.128.0/17").unwrap();
        let c = Cidr::parse("10.1.0.0/16").unwrap();
        assert!(a.overlaps(&b));
        assert!(!a.overlaps(&c));
        let pool = Cidr::parse("10.0.0.0/8").unwrap();
        assert_eq!(
            pool.first_free(16, &[a, c]).unwrap().to_string(),
            "10.2.0.0/16"
        );
        assert_eq!(
            pool.first_free(16, &[b]).unwrap().to_string(),
            "10.1.0.0/16"
        );
        let tiny = Cidr::parse("10.0.0.0/16").unwrap();
        assert_eq!(tiny.first_free(16, &[a]), None);
    }
}
