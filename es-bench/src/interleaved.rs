//! Measurement that holds on a noisy machine: a provider and the raw limit it is compared with
//! are measured in alternating rounds (provider first in even rounds, raw first in odd ones,
//! an even number of them, so that a drift inside a round favours each side equally often), on
//! the same server and table state, with a hook run
//! before every measurement (a `CHECKPOINT` on PostgreSQL, so that neither side pays for the
//! other's dirty pages). Every ratio therefore compares the same minutes, and it is reported
//! with its spread over the rounds.
//!
//! ```
//! use std::time::Duration;
//!
//! use es_bench::interleaved::{Plan, interleave, rate};
//! # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
//! let plan = Plan { rounds: 3, per_side: Duration::from_millis(5) };
//! let rounds = interleave(
//!     plan,
//!     || async { Ok(()) },
//!     |time| rate(time, || async { Ok(1) }), // "provider": one event per call
//!     |time| rate(time, || async { Ok(2) }), // "raw": two events per call
//! )
//! .await
//! .unwrap();
//! assert_eq!(rounds.len(), 3);
//! assert!(rounds.iter().all(|round| round.provider > 0.0 && round.raw > 0.0));
//! # });
//! ```

use std::{
    future::Future,
    time::{Duration, Instant},
};

use es_core::Error;

/// How long and how often to measure: for [`interleave`], rounds of (provider, raw) pairs;
/// for [`run`](crate::run), rounds of each workload alone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Rounds of (provider, raw) pairs, or of each workload.
    pub rounds: usize,
    /// How long each side (or workload) runs in a round (whole calls: at least this long).
    pub per_side: Duration,
}

impl Plan {
    /// A full run: 6 rounds of 1 s per side (an even number, so that as many rounds start
    /// with the provider as with the raw limit).
    pub const FULL: Self = Self {
        rounds: 6,
        per_side: Duration::from_secs(1),
    };
    /// A smoke run (`cargo bench -- --test`): 2 rounds of 20 ms per side, to show that
    /// everything runs, not what it costs.
    pub const SMOKE: Self = Self {
        rounds: 2,
        per_side: Duration::from_millis(20),
    };
}

/// One round: events per second of the provider and of the raw limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Round {
    /// The provider's events per second.
    pub provider: f64,
    /// The raw limit's events per second, measured next to it.
    pub raw: f64,
}

impl Round {
    /// Provider over raw: 1.0 is "as fast as the plain statements".
    pub fn ratio(&self) -> f64 {
        self.provider / self.raw
    }
}

/// Events per second of `run` (which returns how many events one call moved), called again
/// and again until `at_least` has passed.
///
/// # Errors
///
/// The first error of `run`.
pub async fn rate<F, Fut>(at_least: Duration, mut run: F) -> Result<f64, Error>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<u64, Error>>,
{
    let started = Instant::now();
    let mut events = 0u64;
    loop {
        events += run().await?;
        let elapsed = started.elapsed();
        if elapsed >= at_least {
            return Ok(events as f64 / elapsed.as_secs_f64());
        }
    }
}

/// Events per second of `writers` copies of `run` going at once (in one task, taking turns at
/// every await), each calling its own at least once and again until `at_least` has passed
/// (`run(i)` is writer `i`'s next call).
///
/// # Errors
///
/// The first error of any writer.
pub async fn rate_concurrent<F, Fut>(
    writers: usize,
    at_least: Duration,
    run: F,
) -> Result<f64, Error>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<u64, Error>>,
{
    let started = Instant::now();
    let run = &run;
    let each = (0..writers).map(|writer| async move {
        let mut events = 0u64;
        loop {
            events += run(writer).await?;
            // A store that never waits (memory) would otherwise let writer 0 run the whole
            // time while the others find it over.
            tokio::task::yield_now().await;
            if started.elapsed() >= at_least {
                return Ok::<u64, Error>(events);
            }
        }
    });
    let mut events = 0u64;
    for outcome in futures_util::future::join_all(each).await {
        events += outcome?;
    }
    Ok(events as f64 / started.elapsed().as_secs_f64())
}

/// `plan.rounds` rounds of the provider and the raw limit, alternating which goes first;
/// `before` runs before every measurement, and each side is a measurement that runs for the
/// time it is given and returns events per second (see [`rate`] and [`rate_concurrent`]).
///
/// # Errors
///
/// The first error of `before`, `provider` or `raw`.
pub async fn interleave<B, BF, P, PF, R, RF>(
    plan: Plan,
    mut before: B,
    mut provider: P,
    mut raw: R,
) -> Result<Vec<Round>, Error>
where
    B: FnMut() -> BF,
    BF: Future<Output = Result<(), Error>>,
    P: FnMut(Duration) -> PF,
    PF: Future<Output = Result<f64, Error>>,
    R: FnMut(Duration) -> RF,
    RF: Future<Output = Result<f64, Error>>,
{
    let mut rounds = Vec::with_capacity(plan.rounds);
    for round in 0..plan.rounds {
        let (p, r) = if round % 2 == 0 {
            before().await?;
            let p = provider(plan.per_side).await?;
            before().await?;
            (p, raw(plan.per_side).await?)
        } else {
            before().await?;
            let r = raw(plan.per_side).await?;
            before().await?;
            (provider(plan.per_side).await?, r)
        };
        rounds.push(Round {
            provider: p,
            raw: r,
        });
    }
    Ok(rounds)
}

/// The median of `values` (the mean of the middle two for an even count); `None` when empty.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 1 => Some(sorted[mid]),
        _ => Some((sorted[mid - 1] + sorted[mid]) / 2.0),
    }
}

/// How far the values stray from their median, as a fraction of it: half the range over the
/// median (`0.05` reads "±5 %"). 0 for fewer than two values.
pub fn spread(values: &[f64]) -> f64 {
    let Some(mid) = median(values) else {
        return 0.0;
    };
    let (lo, hi) = values
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    if values.len() < 2 || mid == 0.0 {
        0.0
    } else {
        (hi - lo) / 2.0 / mid
    }
}

/// Above this spread a figure is reported as unstable rather than as if it held.
pub const UNSTABLE_SPREAD: f64 = 0.10;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_median_takes_the_middle() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }

    #[test]
    fn the_spread_is_half_the_range_over_the_median() {
        assert_eq!(spread(&[1.0]), 0.0);
        let s = spread(&[0.9, 1.0, 1.1]);
        assert!((s - 0.1).abs() < 1e-9, "{s}");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn rounds_alternate_which_side_goes_first() {
        use std::{cell::RefCell, rc::Rc};
        let order = Rc::new(RefCell::new(Vec::new()));
        let (p, r) = (order.clone(), order.clone());
        let plan = Plan {
            rounds: 2,
            per_side: Duration::ZERO,
        };
        interleave(
            plan,
            || async { Ok(()) },
            move |_| {
                p.borrow_mut().push('p');
                async { Ok(1.0) }
            },
            move |_| {
                r.borrow_mut().push('r');
                async { Ok(1.0) }
            },
        )
        .await
        .unwrap();
        assert_eq!(*order.borrow(), vec!['p', 'r', 'r', 'p']);
    }
}

#[cfg(test)]
mod concurrent_tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn every_writer_gets_its_turn_even_when_calls_never_wait() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let calls: Vec<AtomicU64> = (0..4).map(|_| AtomicU64::new(0)).collect();
        // A call that completes at once, like a memory store's append, and no time at all:
        // each writer still makes its one call.
        let rate = rate_concurrent(4, Duration::ZERO, |writer| {
            calls[writer].fetch_add(1, Ordering::Relaxed);
            async { Ok(1) }
        })
        .await
        .unwrap();
        let made: Vec<u64> = calls.iter().map(|c| c.load(Ordering::Relaxed)).collect();
        assert_eq!(made, vec![1, 1, 1, 1]);
        assert!(rate > 0.0);
    }
}
