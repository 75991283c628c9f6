//! What an aggregate's decisions may need from outside, as traits: the current time and fresh
//! ids. Production code uses [`SystemClock`] and [`RandomIds`]; tests use the controllable ones
//! in `es-testkit` (`TestClock`, `SequentialIds`).

use std::fmt;

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Where an aggregate's decisions get the current time from.
///
/// Put a `Arc<dyn Clock>` (or a generic `C: Clock`) in your aggregate's
/// [`Services`](crate::Aggregate::Services): production code uses [`SystemClock`], tests use
/// `es_testkit::TestClock` and move time forward between steps.
///
/// ```
/// use es_core::{Clock, SystemClock};
///
/// let before = es_core::chrono::Utc::now();
/// assert!(SystemClock.now() >= before);
/// ```
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The real wall clock.
///
/// ```
/// use es_core::{Clock, SystemClock};
/// let _now = SystemClock.now();
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// Where an aggregate's decisions get fresh ids from.
///
/// ```
/// use es_core::{IdSource, RandomIds};
/// assert_ne!(RandomIds.next_id(), RandomIds.next_id());
/// ```
pub trait IdSource: Send + Sync + fmt::Debug {
    /// A fresh id.
    fn next_id(&self) -> Uuid;
}

/// Random (UUID v7) ids, for production.
///
/// ```
/// use es_core::{IdSource, RandomIds};
/// assert_eq!(RandomIds.next_id().get_version_num(), 7);
/// ```
#[derive(Clone, Copy, Debug, Default)]
pub struct RandomIds;

impl IdSource for RandomIds {
    fn next_id(&self) -> Uuid {
        Uuid::now_v7()
    }
}
