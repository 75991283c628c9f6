//! The checks every provider makes before it writes anything, with its own limits.

use crate::{Claims, Error, ExpectedVersion, NewEvent, Result, StreamAppend, StreamId};

/// Checks one stream's append against `claims` before anything is written: not empty
/// ([`Error::EmptyAppend`]), at most `max_events_per_append` (and `max_events_per_call`) events
/// ([`Error::BatchTooLarge`]), payloads of at most `max_payload_bytes`
/// ([`Error::PayloadTooLarge`]), metadata that can be read back ([`Error::InvalidPayload`]), no
/// id twice ([`Error::RepeatedEventId`]), and a head hint only beside `Exact` of the same
/// version ([`Error::InvalidAppend`]).
///
/// ```
/// use es_core::{provider::validate_batch, Claims, Error, ExpectedVersion, StreamAppend, StreamId};
///
/// let empty = StreamAppend::new(StreamId::new("s")?, ExpectedVersion::Any, []);
/// assert!(matches!(validate_batch(&empty, &Claims::portable()), Err(Error::EmptyAppend { .. })));
/// # Ok::<(), es_core::Error>(())
/// ```
pub fn validate_batch(append: &StreamAppend, claims: &Claims) -> Result<()> {
    let max = claims.max_events_per_append.min(claims.max_events_per_call);
    check_events(&append.stream, &append.events, max, claims)?;
    check_head(append)?;
    if append.events.len() > 1 {
        check_unique_ids(append.events.iter())?;
    }
    Ok(())
}

/// Checks a multi-stream append as a whole: at least one stream, no stream twice, every part
/// valid by [`validate_batch`], at most `max_events_per_call` events in all, and no id twice
/// across all of them.
pub fn validate_multi(appends: &[StreamAppend], claims: &Claims) -> Result<()> {
    if appends.is_empty() {
        return Err(Error::InvalidMultiAppend {
            reason: "it names no stream; pass at least one StreamAppend".to_owned(),
        });
    }
    for (index, append) in appends.iter().enumerate() {
        if appends[..index].iter().any(|a| a.stream == append.stream) {
            return Err(Error::InvalidMultiAppend {
                reason: format!(
                    "stream {} appears twice; put all its events in one StreamAppend",
                    append.stream
                ),
            });
        }
        check_events(
            &append.stream,
            &append.events,
            claims.max_events_per_append,
            claims,
        )?;
        check_head(append)?;
    }
    let total: usize = appends.iter().map(|a| a.events.len()).sum();
    if total > claims.max_events_per_call {
        return Err(Error::InvalidMultiAppend {
            reason: format!(
                "it carries {total} events in all, over this store's limit of {} per call; split it into several calls",
                claims.max_events_per_call
            ),
        });
    }
    check_unique_ids(appends.iter().flat_map(|a| &a.events))
}

/// Checks a checkpoint name: the rules of stream ids ([`Error::InvalidStreamId`] otherwise).
pub fn validate_checkpoint_name(name: &str) -> Result<()> {
    StreamId::new(name).map(|_| ())
}

fn check_events(stream: &StreamId, events: &[NewEvent], max: usize, claims: &Claims) -> Result<()> {
    if events.is_empty() {
        return Err(Error::EmptyAppend {
            stream: stream.clone(),
        });
    }
    if events.len() > max {
        return Err(Error::BatchTooLarge {
            stream: stream.clone(),
            len: events.len(),
            max,
        });
    }
    for event in events {
        if event.payload.len() > claims.max_payload_bytes {
            return Err(Error::PayloadTooLarge {
                id: event.id,
                size: event.payload.len(),
                max: claims.max_payload_bytes,
            });
        }
        if !event.metadata.user.is_empty() {
            event.metadata.check()?;
        }
    }
    Ok(())
}

fn check_head(append: &StreamAppend) -> Result<()> {
    match (append.head, append.expected) {
        (None, _) => Ok(()),
        (Some(head), ExpectedVersion::Exact(version)) if head.version == version => Ok(()),
        (Some(head), expected) => Err(Error::InvalidAppend {
            stream: append.stream.clone(),
            reason: format!(
                "the head hint is at version {} but the append expects {expected}",
                head.version
            ),
        }),
    }
}

fn check_unique_ids<'a>(events: impl Iterator<Item = &'a NewEvent>) -> Result<()> {
    // Batches are small (bounded by the claims): a sort beats hashing.
    let mut ids: Vec<_> = events.map(|e| e.id).collect();
    ids.sort_unstable();
    match ids.windows(2).find(|pair| pair[0] == pair[1]) {
        Some(pair) => Err(Error::RepeatedEventId { id: pair[0] }),
        None => Ok(()),
    }
}
