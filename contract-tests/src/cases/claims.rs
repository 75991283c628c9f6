//! What a store claims ([`Claims`](es_core::Claims)): never less than the portable floor, and
//! kept: the call limit is enforced, and positions are as dense as claimed.

use es_core::{
    EventReader, EventWriter, EventWriterExt, ExpectedVersion, PositionDensity, StreamAppend,
    limits,
};

use super::support::{OrFail, batch, everything, fresh, stream};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "a store claims at least the portable floor and keeps what it claims: call limits enforced, positions as dense as claimed.";

/// Every limit the store claims is at least the portable floor, so a batch that one provider
/// takes, every provider takes.
pub async fn claims_meet_the_portable_floor<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    for (what, claims) in [
        ("the store", fresh.store.claims()),
        ("the reader", fresh.reader.claims()),
    ] {
        assert!(
            claims.max_events_per_append >= limits::MAX_EVENTS_PER_APPEND,
            "{what} claims {} events per append, below the floor of {}",
            claims.max_events_per_append,
            limits::MAX_EVENTS_PER_APPEND
        );
        assert!(
            claims.max_events_per_call >= limits::MAX_EVENTS_PER_CALL,
            "{what} claims {} events per call, below the floor of {}",
            claims.max_events_per_call,
            limits::MAX_EVENTS_PER_CALL
        );
        assert!(
            claims.max_payload_bytes >= limits::MAX_PAYLOAD_BYTES,
            "{what} claims payloads of {} bytes, below the floor of {}",
            claims.max_payload_bytes,
            limits::MAX_PAYLOAD_BYTES
        );
    }
    Outcome::Passed
}

/// The largest call limit the case probes exactly. A store claiming more is checked with a call
/// of this many events, which its claim promises to store whole; the call one over its limit is
/// not built.
const PROBE_LIMIT: usize = 100_000;

/// A multi-stream append of exactly the claimed events per call is stored whole; one more event
/// is `InvalidMultiAppend` and stores nothing. (For a claim above 100,000 events: a call of
/// 100,000 events is stored whole.)
pub async fn multi_append_over_call_limit_rejected<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let claims = fresh.store.claims();
    let (per_call, per_append) = (claims.max_events_per_call, claims.max_events_per_append);
    let parts = |total: usize, tag: &str| {
        let mut parts = Vec::new();
        let mut left = total;
        while left > 0 {
            let size = left.min(per_append);
            let name = format!("claims-{tag}-{}", parts.len());
            parts.push(StreamAppend::new(
                stream(&name),
                ExpectedVersion::NoStream,
                batch(tag, size),
            ));
            left -= size;
        }
        parts
    };
    if per_call <= PROBE_LIMIT {
        let over = fresh.store.append_multi(parts(per_call + 1, "over")).await;
        assert!(
            matches!(over, Err(es_core::Error::InvalidMultiAppend { .. })),
            "a call of {} events (the claim is {per_call}) must be InvalidMultiAppend, got {:?}",
            per_call + 1,
            over.map(|r| r.len())
        );
        assert!(
            everything(&fresh.store, "read_all").await.is_empty(),
            "a call over the limit stored events"
        );
    }
    let probed = per_call.min(PROBE_LIMIT);
    let at = fresh
        .store
        .append_multi(parts(probed, "at"))
        .await
        .or_fail(&format!(
            "a call of {probed} events (the claim is {per_call})"
        ));
    assert_eq!(total_events(&at), probed);
    Outcome::Passed
}

/// How many events a multi-stream append of new streams stored.
fn total_events(results: &[es_core::AppendResult]) -> usize {
    results.iter().map(|r| r.last.version.get() as usize).sum()
}

/// Positions are as dense as the store claims, across appends and streams: a store claiming
/// dense positions gives every event the previous position plus one; one claiming gaps still
/// gives every event a higher position than the one before.
pub async fn positions_keep_the_claimed_density<F: StoreFactory>(factory: &F) -> Outcome {
    let fresh = fresh(factory).await;
    let density = fresh.store.claims().positions;
    for (n, name) in ["dense-a", "dense-b", "dense-a"].into_iter().enumerate() {
        fresh
            .store
            .append_events(
                &stream(name),
                ExpectedVersion::Any,
                batch(&format!("{n}"), 3),
            )
            .await
            .or_fail("appending");
    }
    let all = everything(super::support::settled(&fresh).await, "read_all").await;
    assert_eq!(all.len(), 9, "read_all after three appends of three events");
    for pair in all.windows(2) {
        let (before, after) = (pair[0].position.get(), pair[1].position.get());
        let kept = match density {
            PositionDensity::Dense => after == before + 1,
            _ => after > before,
        };
        assert!(
            kept,
            "the store claims {density:?} positions, but {} follows {}",
            super::support::describe(&pair[1]),
            super::support::describe(&pair[0])
        );
    }
    Outcome::Passed
}
