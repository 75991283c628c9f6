//! The writing workloads: single appends, batches, several streams at once, concurrent writers
//! on streams of their own, and writers contending for one stream through the executor.

use std::sync::atomic::{AtomicU64, Ordering};

use es_core::{Claims, testing::StoreFactory};

use super::{Bench, failed, rounds};
use crate::{
    Entry, Result, Retries,
    interleaved::{rate, rate_concurrent},
    report::thousands,
    workloads::{self, CONTENTION_ROUND},
};

/// Appends per call of the one-event workloads: few enough that a slow store still gets
/// several calls into a short round.
const CALLS: u64 = 10;

/// The concurrent writers on streams of their own.
const WRITERS: [usize; 4] = [1, 4, 16, 64];

/// The writers that contend for one stream.
const CONTENDERS: u64 = 8;

impl<F: StoreFactory> Bench<'_, F> {
    pub(super) async fn appends(&mut self) -> Result<()> {
        let plan = self.plan;

        let name = "append 1 event, new stream";
        let (fresh, _) = self.fresh(name).await?;
        let store = &fresh.store;
        let rates = rounds(plan, move |time| {
            rate(time, move || workloads::append_to_new_streams(store, CALLS))
        })
        .await
        .map_err(failed(name))?;
        self.measured(name, &rates);

        let name = "append 1 event, Exact on its stream";
        let (fresh, _) = self.fresh(name).await?;
        let store = &fresh.store;
        let rates = rounds(plan, move |time| {
            rate(time, move || workloads::append_batches(store, CALLS, 1))
        })
        .await
        .map_err(failed(name))?;
        self.measured(name, &rates);

        for batch in [10u64, 100, 1_000] {
            let name = format!("append batches of {}", thousands(batch));
            let (fresh, claims) = self.fresh(&name).await?;
            if let Some(reason) = refuses(&claims, batch, 1) {
                self.skip(&name, reason);
                continue;
            }
            let store = &fresh.store;
            // About 100 events per call, and at least one batch.
            let calls = (100 / batch).max(1);
            let rates = rounds(plan, move |time| {
                rate(time, move || workloads::append_batches(store, calls, batch))
            })
            .await
            .map_err(failed(&name))?;
            self.measured(&name, &rates);
        }

        for streams in [2u64, 5] {
            let name = format!("append 1 event to each of {streams} streams at once");
            let (fresh, claims) = self.fresh(&name).await?;
            if let Some(reason) = refuses(&claims, 1, streams) {
                self.skip(&name, reason);
                continue;
            }
            let store = &fresh.store;
            let rates = rounds(plan, move |time| {
                rate(time, move || workloads::append_multi(store, CALLS, streams))
            })
            .await
            .map_err(failed(&name))?;
            self.measured(&name, &rates);
        }
        Ok(())
    }

    pub(super) async fn concurrent_writers(&mut self) -> Result<()> {
        let plan = self.plan;
        for writers in WRITERS {
            let plural = if writers == 1 { "" } else { "s" };
            let name = format!("{writers} writer{plural}, 1 event per append to new streams");
            let (fresh, _) = self.fresh(&name).await?;
            let store = &fresh.store;
            let rates = rounds(plan, move |time| {
                rate_concurrent(writers, time, move |_| {
                    workloads::append_to_new_streams(store, 1)
                })
            })
            .await
            .map_err(failed(&name))?;
            self.measured(&name, &rates);
        }

        let name = format!("{CONTENDERS} writers on one stream, through the executor");
        let (fresh, _) = self.fresh(&name).await?;
        let store = &fresh.store;
        let (retries, commands) = (&AtomicU64::new(0), &AtomicU64::new(0));
        let rates = rounds(plan, move |time| {
            rate(time, move || async move {
                let run = workloads::contend(store.clone(), CONTENDERS, CONTENTION_ROUND).await?;
                retries.fetch_add(run.retries, Ordering::Relaxed);
                commands.fetch_add(run.events, Ordering::Relaxed);
                Ok(run.events)
            })
        })
        .await
        .map_err(failed(&name))?;
        let retries = Retries {
            retries: retries.load(Ordering::Relaxed),
            commands: commands.load(Ordering::Relaxed),
        };
        self.report
            .push(Entry::from_rates(&name, &rates).with_retries(retries));
        Ok(())
    }
}

/// Why the store's claims refuse `streams` streams of `per_stream` events in one call, if they
/// do.
fn refuses(claims: &Claims, per_stream: u64, streams: u64) -> Option<String> {
    let most = |limit: usize| u64::try_from(limit).unwrap_or(u64::MAX);
    if per_stream > most(claims.max_events_per_append) {
        return Some(format!(
            "the store claims at most {} events per append (Claims::max_events_per_append)",
            claims.max_events_per_append
        ));
    }
    if per_stream * streams > most(claims.max_events_per_call) {
        return Some(format!(
            "the store claims at most {} events per call (Claims::max_events_per_call)",
            claims.max_events_per_call
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_below_a_workload_refuse_it_with_the_claim() {
        let portable = Claims::portable();
        assert_eq!(refuses(&portable, 1_000, 1), None);
        let small = portable.with_append_limits(100, 1_000);
        let reason = refuses(&small, 1_000, 1).unwrap();
        assert!(reason.contains("max_events_per_append"), "{reason}");
        let narrow = portable.with_append_limits(1_000, 4);
        let reason = refuses(&narrow, 1, 5).unwrap();
        assert!(reason.contains("max_events_per_call"), "{reason}");
    }
}
