//! A rate limit for warnings that would otherwise repeat on every call.

use std::time::{Duration, Instant};

/// At most one occurrence per period: a warning that would otherwise repeat on every page.
pub(crate) struct Sparse {
    period: Duration,
    last: parking_lot::Mutex<Option<Instant>>,
}

impl Sparse {
    pub(crate) const fn every(period: Duration) -> Self {
        Self {
            period,
            last: parking_lot::Mutex::new(None),
        }
    }

    /// Whether one may happen at `now` (and if so, the period starts again).
    pub(crate) fn allows(&self, now: Instant) -> bool {
        let mut last = self.last.lock();
        if last.is_some_and(|at| now.saturating_duration_since(at) < self.period) {
            return false;
        }
        *last = Some(now);
        true
    }
}
