//! The reading workloads: streams of three lengths, the global order in pages, a subscription
//! catching up, and rehydrating an aggregate with and without a snapshot. Each seeds its store
//! first, outside the measurement.

use es_core::{Repository, SnapshotStore, testing::StoreFactory};

use super::{Bench, failed, rounds, seed_batch, visible};
use crate::{Entry, Result, domain::Account, interleaved::rate, report::thousands, workloads};

/// The stream lengths read.
const STREAM_LENGTHS: [u64; 3] = [10, 1_000, 10_000];

/// What the global-order workloads read: this many streams of [`PER_STREAM`] events.
const STREAMS: u64 = 10;
/// Events per stream of the global-order workloads.
const PER_STREAM: u64 = 1_000;
/// The page size of reading everything.
const PAGE: usize = 500;

/// The aggregate's history when rehydrated.
const HISTORY: u64 = 1_000;
/// The events after the snapshot.
const TAIL: u64 = 10;

/// How the rehydrating rows count, so the two compare: loads per second times the history.
fn history_note() -> String {
    format!(
        "events of history per second: loads/s × {}",
        thousands(HISTORY)
    )
}

/// The names of the snapshot workloads.
fn snapshot_workloads() -> [String; 1] {
    [format!(
        "rehydrate a {}-event account from a snapshot + {TAIL} events",
        thousands(HISTORY)
    )]
}

impl<F: StoreFactory> Bench<'_, F> {
    pub(super) async fn reads(&mut self) -> Result<()> {
        let plan = self.plan;
        for events in STREAM_LENGTHS {
            let name = format!("read a {}-event stream", thousands(events));
            let (fresh, claims) = self.fresh(&name).await?;
            let stream =
                workloads::seed_stream_in_batches(&fresh.store, events, seed_batch(&claims))
                    .await
                    .map_err(failed(&name))?;
            visible(&fresh.reader, &claims, &name, &stream, events).await?;
            let (reader, stream) = (&fresh.reader, &stream);
            let rates = rounds(plan, move |time| {
                rate(time, move || workloads::read_stream(reader, stream))
            })
            .await
            .map_err(failed(&name))?;
            self.measured(&name, &rates);
        }

        let total = STREAMS * PER_STREAM;
        let name = format!("read all {} events in pages of {PAGE}", thousands(total));
        let fresh = self.seeded_streams(&name).await?;
        let reader = &fresh.reader;
        let rates = rounds(plan, move |time| {
            rate(time, move || workloads::read_all(reader, PAGE))
        })
        .await
        .map_err(failed(&name))?;
        self.measured(&name, &rates);

        let name = format!("catch up a subscription over {} events", thousands(total));
        let fresh = self.seeded_streams(&name).await?;
        let reader = &fresh.reader;
        let rates = rounds(plan, move |time| {
            rate(time, move || workloads::catch_up(reader, total))
        })
        .await
        .map_err(failed(&name))?;
        self.measured(&name, &rates);
        Ok(())
    }

    /// A fresh store holding [`STREAMS`] streams of [`PER_STREAM`] events, all visible to its
    /// reader.
    async fn seeded_streams(
        &self,
        name: &str,
    ) -> Result<es_core::testing::FreshStore<F::Store, F::Reader>> {
        let (fresh, claims) = self.fresh(name).await?;
        for _ in 0..STREAMS {
            let stream =
                workloads::seed_stream_in_batches(&fresh.store, PER_STREAM, seed_batch(&claims))
                    .await
                    .map_err(failed(name))?;
            visible(&fresh.reader, &claims, name, &stream, PER_STREAM).await?;
        }
        Ok(fresh)
    }

    /// Rehydrating through the repository, which needs the full store (the writer handle).
    pub(super) async fn rehydrate(&mut self) -> Result<()> {
        let name = format!("rehydrate a {}-event account", thousands(HISTORY));
        let (fresh, claims) = self.fresh(&name).await?;
        let stream = workloads::seed_stream_in_batches(&fresh.store, HISTORY, seed_batch(&claims))
            .await
            .map_err(failed(&name))?;
        let repository = &Repository::<Account, _>::new(fresh.store.clone());
        let stream = &stream;
        let rates = rounds(self.plan, move |time| {
            rate(time, move || workloads::rehydrate(repository, stream))
        })
        .await
        .map_err(failed(&name))?;
        self.report
            .push(Entry::from_rates(&name, &rates).with_note(history_note()));
        Ok(())
    }

    pub(super) fn skip_snapshots(&mut self, reason: &str) {
        for name in snapshot_workloads() {
            self.skip(&name, reason);
        }
    }
}

impl<F> Bench<'_, F>
where
    F: StoreFactory,
    F::Store: SnapshotStore,
{
    /// Rehydrating from a snapshot [`TAIL`] events before the end. Counted as the aggregate's
    /// whole history per load, like rehydrating without one, so the two rows compare.
    pub(super) async fn snapshots(&mut self) -> Result<()> {
        let [name] = snapshot_workloads();
        let (fresh, claims) = self.fresh(&name).await?;
        let stream = workloads::seed_stream_in_batches(&fresh.store, HISTORY, seed_batch(&claims))
            .await
            .map_err(failed(&name))?;
        workloads::snapshot_before_tail(&fresh.store, &stream, TAIL)
            .await
            .map_err(failed(&name))?;
        // u64::MAX: nothing here executes a command, and no load saves a snapshot, so every load
        // starts from the one taken above.
        let repository =
            &Repository::<Account, _>::new(fresh.store.clone()).with_snapshots(u64::MAX);
        let stream = &stream;
        let rates = rounds(self.plan, move |time| {
            rate(time, move || workloads::rehydrate(repository, stream))
        })
        .await
        .map_err(failed(&name))?;
        self.report
            .push(Entry::from_rates(&name, &rates).with_note(history_note()));
        Ok(())
    }
}
