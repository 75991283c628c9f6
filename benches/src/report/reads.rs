//! Whole-stream reads of a short, a middling and a long stream: what a load costs per event as
//! the stream grows, PostgreSQL next to a raw full-row `SELECT` of the same rows.

use es_core::Error;
use memory_store::MemoryStore;
use postgres_store::PgStore;

use super::{Row, repeat};
use crate::{
    interleaved::{Plan, interleave, rate},
    raw_sql::RawSql,
    workloads,
};

/// The stream lengths read, in events.
pub const STREAM_LENGTHS: [u64; 3] = [10, 1_000, 10_000];

/// The name of the read of a `events`-event stream.
///
/// ```
/// use benches::report::reads::read_workload;
///
/// assert_eq!(read_workload(10), "read a 10-event stream");
/// assert_eq!(read_workload(1_000), "read a 1,000-event stream");
/// assert_eq!(read_workload(10_000), "read a 10,000-event stream");
/// ```
pub fn read_workload(events: u64) -> String {
    format!("read a {}-event stream", thousands(events))
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Reads of a stream of each of `lengths` events on `store`, interleaved with the raw read of a
/// stream as long on `raw`; `before` runs before every measurement.
///
/// # Errors
///
/// The first error of the seeding or of a read.
pub async fn compare<B, BF>(
    plan: Plan,
    store: &PgStore,
    raw: &RawSql,
    lengths: &[u64],
    mut before: B,
) -> Result<Vec<Row>, Error>
where
    B: FnMut() -> BF,
    BF: Future<Output = Result<(), Error>>,
{
    let mut rows = Vec::with_capacity(lengths.len());
    for &events in lengths {
        let stream = workloads::seed_stream(store, events).await?;
        let raw_stream = raw.seed_stream(events).await?;
        let rounds = interleave(
            plan,
            &mut before,
            |time| rate(time, || workloads::read_stream(store, &stream)),
            |time| rate(time, || raw.read_stream(&raw_stream)),
        )
        .await?;
        rows.push(Row::from_rounds(
            &read_workload(events),
            "postgres",
            &rounds,
        ));
    }
    Ok(rows)
}

/// Reads of a stream of each of `lengths` events on a memory store (reads leave it as it was,
/// so one store serves every round).
///
/// # Errors
///
/// The first error of the seeding or of a read.
pub async fn memory(plan: Plan, lengths: &[u64]) -> Result<Vec<Row>, Error> {
    let store = MemoryStore::new();
    let mut rows = Vec::with_capacity(lengths.len());
    for &events in lengths {
        let stream = workloads::seed_stream(&store, events).await?;
        let rates = repeat::rounds(plan, repeat::nothing, |time| {
            rate(time, || workloads::read_stream(&store, &stream))
        })
        .await?;
        rows.push(Row::alone(&read_workload(events), "memory", &rates));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::thousands;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}
