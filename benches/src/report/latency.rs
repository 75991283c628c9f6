//! Subscription delivery latency: from an append acknowledged to its event delivered, under a
//! steady write load, at the 50th and 99th percentile.

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use es_core::{
    Error, EventId, EventReader, EventWriter, EventWriterExt, ExpectedVersion, Subscribe,
};
use parking_lot::Mutex;

use crate::fixtures::{deposit, fresh_stream};

/// What [`measure`] found.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Latency {
    /// Median delivery latency.
    pub p50: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// How many timed events were delivered (all that were appended).
    pub delivered: usize,
    /// How many of them were delivered before their append returned (counted as 0: a store
    /// that wakes its own subscriptions at commit can deliver before it replies).
    pub before_ack: usize,
    /// The background load the writers reached, in events per second (below the pace they were
    /// given when the store could not keep it).
    pub load_per_s: f64,
}

/// Appends one timed event every `every` for `time` to `writer` while `background` other
/// writers each append one event every `load_every` to streams of their own (a steady load; a
/// writer that cannot keep its pace goes as fast as it can), and a subscription on `reader`
/// (from the head) takes every event; returns the latencies of the timed events.
///
/// The load is paced, not flat out: a subscriber that shares two cores with writers going flat
/// out falls further behind the longer the run, and its "latency" grows with the run's length
/// (it measures the shortfall of its throughput, not the delay of a delivery).
///
/// # Errors
///
/// The first error of an append or of the subscription, or a timed event that was not
/// delivered within ten seconds of the end.
pub async fn measure<W, R>(
    writer: &W,
    reader: &R,
    every: Duration,
    time: Duration,
    background: usize,
    load_every: Duration,
) -> Result<Latency, Error>
where
    W: EventWriter + Clone + Send + Sync + 'static,
    R: EventReader,
{
    let mut subscription = reader.subscribe(Subscribe::from_head()).await?;
    let acked: Arc<Mutex<HashMap<EventId, Instant>>> = Arc::default();
    let stop = Instant::now() + time;
    let load: Vec<_> = (0..background)
        .map(|_| {
            let writer = writer.clone();
            tokio::spawn(async move {
                let stream = fresh_stream("latency-load")?;
                let mut tick = tokio::time::interval(load_every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                let mut appended = 0u64;
                while Instant::now() < stop {
                    tick.tick().await;
                    writer
                        .append_events(&stream, ExpectedVersion::Any, [deposit(1)?])
                        .await?;
                    appended += 1;
                }
                Ok::<u64, Error>(appended)
            })
        })
        .collect();
    let mut timed = {
        let (writer, acked) = (writer.clone(), acked.clone());
        let task = tokio::spawn(async move {
            let stream = fresh_stream("latency-timed")?;
            let mut tick = tokio::time::interval(every);
            // After a slow append, go on at the pace, rather than catching up in a burst.
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut sent = 0usize;
            while Instant::now() < stop {
                tick.tick().await;
                let event = deposit(1)?;
                let id = event.id;
                writer
                    .append_events(&stream, ExpectedVersion::Any, [event])
                    .await?;
                acked.lock().insert(id, Instant::now());
                sent += 1;
            }
            Ok::<usize, Error>(sent)
        });
        Some(task)
    };
    let mut delivered: HashMap<EventId, Instant> = HashMap::new();
    let deadline = stop + Duration::from_secs(10);
    let mut sent = None;
    loop {
        if let Some(sent) = sent
            && delivered.len() >= sent
        {
            break;
        }
        if let Some(done) = timed.take_if(|task| task.is_finished()) {
            sent = Some(done.await.map_err(Error::backend)??);
            continue;
        }
        let next =
            tokio::time::timeout(Duration::from_millis(100), subscription.next_event()).await;
        let Ok(next) = next else {
            if Instant::now() > deadline {
                return Err(Error::backend(std::io::Error::other(
                    "a timed event was not delivered within ten seconds",
                )));
            }
            continue;
        };
        let Some(event) = next else {
            return Err(Error::backend(std::io::Error::other(
                "the subscription ended",
            )));
        };
        let event = event?;
        if event.stream_id.as_str().starts_with("latency-timed") {
            delivered.insert(event.id, Instant::now());
        }
    }
    let mut load_events = 0u64;
    for task in load {
        load_events += task.await.map_err(Error::backend)??;
    }
    let acked = acked.lock();
    let mut before_ack = 0;
    let mut latencies: Vec<Duration> = delivered
        .iter()
        .filter_map(|(id, at)| {
            let ack = acked.get(id)?;
            before_ack += usize::from(at < ack);
            Some(at.saturating_duration_since(*ack))
        })
        .collect();
    latencies.sort_unstable();
    let at = |q: f64| {
        let index = ((latencies.len() as f64 - 1.0) * q).round() as usize;
        latencies.get(index).copied().unwrap_or_default()
    };
    Ok(Latency {
        p50: at(0.50),
        p99: at(0.99),
        delivered: latencies.len(),
        before_ack,
        load_per_s: load_events as f64 / time.as_secs_f64(),
    })
}
