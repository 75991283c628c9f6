//! Rounds of a workload that has no raw limit to alternate with (the memory store, the
//! executor under contention, pgbench): the same number of rounds as an interleaved workload,
//! each after the same hook, so that their spread reads the same way.
//!
//! ```
//! use std::time::Duration;
//!
//! use benches::{interleaved::Plan, report::repeat::rounds};
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let plan = Plan { rounds: 4, per_side: Duration::ZERO };
//! let rates = rounds(plan, || async { Ok(()) }, |_| async { Ok(10.0) }).await?;
//! assert_eq!(rates, [10.0; 4]);
//! # Ok::<(), es_core::Error>(())
//! # }).unwrap();
//! ```

use std::{future::Future, time::Duration};

use es_core::Error;

use crate::interleaved::Plan;

/// `plan.rounds` measurements of `measure`, each given `plan.per_side` and each after
/// `before` (a `CHECKPOINT` on PostgreSQL; nothing on memory).
///
/// # Errors
///
/// The first error of `before` or `measure`.
pub async fn rounds<B, BF, M, MF>(
    plan: Plan,
    mut before: B,
    mut measure: M,
) -> Result<Vec<f64>, Error>
where
    B: FnMut() -> BF,
    BF: Future<Output = Result<(), Error>>,
    M: FnMut(Duration) -> MF,
    MF: Future<Output = Result<f64, Error>>,
{
    let mut rates = Vec::with_capacity(plan.rounds);
    for _ in 0..plan.rounds {
        before().await?;
        rates.push(measure(plan.per_side).await?);
    }
    Ok(rates)
}

/// A hook that does nothing, for stores without dirty pages to write out.
///
/// # Errors
///
/// Never.
pub async fn nothing() -> Result<(), Error> {
    Ok(())
}
