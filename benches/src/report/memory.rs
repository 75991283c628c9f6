//! The memory store on the same workloads: no raw limit to divide by, so its rows give events
//! per second and their spread over the rounds.

use std::{future::Future, time::Duration};

use es_core::Error;
use memory_store::MemoryStore;

use super::{Row, postgres::WRITERS};
use crate::{
    interleaved::{Plan, rate, rate_concurrent},
    workloads,
};

/// `plan.rounds` measurements of `measure`, each given `plan.per_side`.
async fn rounds<F, Fut>(plan: Plan, mut measure: F) -> Result<Vec<f64>, Error>
where
    F: FnMut(Duration) -> Fut,
    Fut: Future<Output = Result<f64, Error>>,
{
    let mut rates = Vec::with_capacity(plan.rounds);
    for _ in 0..plan.rounds {
        rates.push(measure(plan.per_side).await?);
    }
    Ok(rates)
}

/// Every workload on memory stores: a fresh one per round, so that no round pays for the
/// events of the rounds before it (a memory store only grows).
///
/// # Errors
///
/// The first error of a workload.
pub async fn measure(plan: Plan) -> Result<Vec<Row>, Error> {
    let mut rows = Vec::new();
    let rates = rounds(plan, |time| async move {
        let store = MemoryStore::new();
        rate(time, || workloads::append_to_new_streams(&store, 100)).await
    })
    .await?;
    rows.push(Row::alone("append 1 event, new stream", "memory", &rates));

    let rates = rounds(plan, |time| async move {
        let store = MemoryStore::new();
        rate(time, || workloads::append_batches(&store, 100, 1)).await
    })
    .await?;
    rows.push(Row::alone(
        "append 1 event, Exact on its stream",
        "memory",
        &rates,
    ));

    for batch in [10u64, 100, 1_000] {
        let calls = (1_000 / batch).max(1);
        let rates = rounds(plan, |time| async move {
            let store = MemoryStore::new();
            rate(time, || workloads::append_batches(&store, calls, batch)).await
        })
        .await?;
        rows.push(Row::alone(
            &format!("append batches of {batch}"),
            "memory",
            &rates,
        ));
    }

    for streams in [2u64, 5] {
        let rates = rounds(plan, |time| async move {
            let store = MemoryStore::new();
            rate(time, || workloads::append_multi(&store, 50, streams)).await
        })
        .await?;
        rows.push(Row::alone(
            &super::multi_workload(streams),
            "memory",
            &rates,
        ));
    }

    for writers in WRITERS {
        let rates = rounds(plan, |time| async move {
            let store = MemoryStore::new();
            rate_concurrent(writers, time, |_| {
                workloads::append_to_new_streams(&store, 1)
            })
            .await
        })
        .await?;
        let name = super::writers_workload(writers);
        rows.push(Row::alone(&name, "memory", &rates).with_writers(writers));
    }

    let store = MemoryStore::new();
    let stream = workloads::seed_stream(&store, 1_000).await?;
    let rates = rounds(plan, |time| {
        rate(time, || workloads::read_stream(&store, &stream))
    })
    .await?;
    rows.push(Row::alone("read a 1,000-event stream", "memory", &rates));
    Ok(rows)
}
