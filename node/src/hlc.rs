//! A hybrid logical clock (Kulkarni et al., 2014): wall-clock milliseconds
//! plus a counter, never going backwards, and always past every stamp
//! received. Sorting the nodes' trace lines by stamp therefore puts every
//! send before its delivery, whatever the clocks' skew.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// One reading of the clock.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Stamp {
    /// The largest wall-clock reading seen, in milliseconds since 1970.
    pub wall_ms: u64,
    /// Orders events within that millisecond.
    pub logical: u64,
}

/// A node's clock.
#[derive(Debug, Default)]
pub struct Hlc {
    last: Stamp,
}

fn wall_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

impl Hlc {
    /// A stamp for a local event or a send.
    pub fn now(&mut self) -> Stamp {
        self.advance(wall_ms(), Stamp::default())
    }

    /// A stamp for receiving a message stamped `remote`.
    pub fn receive(&mut self, remote: Stamp) -> Stamp {
        self.advance(wall_ms(), remote)
    }

    /// The clock rule, with the wall clock given (tests pass their own).
    pub fn advance(&mut self, wall: u64, remote: Stamp) -> Stamp {
        let top = wall.max(self.last.wall_ms).max(remote.wall_ms);
        let mut logical = 0;
        if top == self.last.wall_ms {
            logical = logical.max(self.last.logical + 1);
        }
        if top == remote.wall_ms {
            logical = logical.max(remote.logical + 1);
        }
        self.last = Stamp { wall_ms: top, logical };
        self.last
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_only_grow_and_pass_what_they_receive() {
        let mut a = Hlc::default();
        let s1 = a.advance(100, Stamp::default());
        let s2 = a.advance(90, Stamp::default()); // the wall clock stepped back
        assert!(s2 > s1);
        // A message from a node whose clock runs ahead.
        let remote = Stamp { wall_ms: 500, logical: 4 };
        let s3 = a.advance(101, remote);
        assert!(s3 > remote);
        assert_eq!(s3, Stamp { wall_ms: 500, logical: 5 });
        assert!(a.advance(101, Stamp::default()) > s3);
        assert_eq!(a.advance(600, Stamp::default()), Stamp { wall_ms: 600, logical: 0 });
    }
}
