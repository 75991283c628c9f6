//! Controllable services for time- and id-dependent decisions: a clock you advance by hand and
//! an id source that counts. The traits they implement ([`Clock`], [`IdSource`]) live in
//! es-core, so production code never depends on the test kit.

use std::{
    fmt,
    sync::{
        Arc,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
};

use es_core::{
    Clock, IdSource,
    chrono::{DateTime, Duration, TimeZone, Utc},
    uuid::Uuid,
};

/// A clock that stands still until the test moves it.
///
/// Clones share the same time, so a test keeps one handle and gives another to the scenario's
/// services; [`advance`](TestClock::advance) on either moves both. It starts at
/// 2024-01-01T09:00:00Z, a fixed instant, so snapshots and messages are stable.
///
/// ```
/// use es_testkit::{Clock, TestClock};
/// use es_core::chrono::Duration;
///
/// let clock = TestClock::new();
/// let services_clock = clock.clone();
/// let start = services_clock.now();
/// clock.advance(Duration::hours(25));
/// assert_eq!(services_clock.now() - start, Duration::hours(25));
/// ```
#[derive(Clone)]
pub struct TestClock {
    // Microseconds since the epoch: one atomic so clones can be moved between threads and
    // read without locking.
    micros: Arc<AtomicI64>,
}

impl TestClock {
    /// A clock at [`TestClock::start`], 2024-01-01T09:00:00Z.
    pub fn new() -> Self {
        Self::at(Self::start())
    }

    /// Where every [`TestClock::new`] starts: 2024-01-01T09:00:00Z, so that expected events
    /// can name times.
    ///
    /// ```
    /// use es_testkit::{Clock, TestClock};
    ///
    /// assert_eq!(TestClock::new().now(), TestClock::start());
    /// assert_eq!(TestClock::start().to_rfc3339(), "2024-01-01T09:00:00+00:00");
    /// ```
    pub fn start() -> DateTime<Utc> {
        // A fixed, valid calendar date: `single()` is always `Some` here.
        Utc.with_ymd_and_hms(2024, 1, 1, 9, 0, 0)
            .single()
            .unwrap_or(DateTime::UNIX_EPOCH)
    }

    /// A clock at `now`.
    pub fn at(now: DateTime<Utc>) -> Self {
        Self {
            micros: Arc::new(AtomicI64::new(now.timestamp_micros())),
        }
    }

    /// Moves the time forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let by = by.num_microseconds().unwrap_or(i64::MAX);
        self.micros.fetch_add(by, Ordering::SeqCst);
    }

    /// Sets the time.
    pub fn set(&self, now: DateTime<Utc>) {
        self.micros.store(now.timestamp_micros(), Ordering::SeqCst);
    }
}

impl Default for TestClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        let micros = self.micros.load(Ordering::SeqCst);
        DateTime::from_timestamp_micros(micros).unwrap_or(DateTime::UNIX_EPOCH)
    }
}

impl fmt::Debug for TestClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TestClock({})", self.now().to_rfc3339())
    }
}

/// Ids that count up from 1 (`00000000-0000-0000-0000-000000000001`, ...), so expected events
/// can name them. Clones share the counter.
///
/// ```
/// use es_testkit::{IdSource, SequentialIds};
///
/// let ids = SequentialIds::new();
/// assert_eq!(ids.next_id(), SequentialIds::nth(1));
/// assert_eq!(ids.next_id().to_string(), "00000000-0000-0000-0000-000000000002");
/// ```
#[derive(Clone, Default)]
pub struct SequentialIds {
    issued: Arc<AtomicU64>,
}

impl SequentialIds {
    /// A source whose first id is [`SequentialIds::nth(1)`](SequentialIds::nth).
    pub fn new() -> Self {
        Self::default()
    }

    /// The `n`th id this source issues (counting from 1), to write expected events with.
    pub fn nth(n: u64) -> Uuid {
        Uuid::from_u128(u128::from(n))
    }
}

impl IdSource for SequentialIds {
    fn next_id(&self) -> Uuid {
        Self::nth(self.issued.fetch_add(1, Ordering::SeqCst) + 1)
    }
}

impl fmt::Debug for SequentialIds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SequentialIds(issued: {})",
            self.issued.load(Ordering::SeqCst)
        )
    }
}
