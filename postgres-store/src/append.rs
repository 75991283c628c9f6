//! Appending: one statement per call on the happy path; the failure path works out whether a
//! rejected append was a conflict, an idempotent re-send or a reused id.

use es_core::{
    AppendResult, Error, EventId, EventRef, ExpectedVersion, NewEvent, Result, StreamAppend,
    StreamId, Version,
};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::{
    error::{invariant, sql_state, store_error},
    rows::{self, to_i64},
    sql::{self, state},
};

/// The most events one call may carry: positions are `(xid << 20) + n` with `n` the event's
/// 1-based number in the statement, so `n` must stay below `2^20` (see `sql::POSITION_SHIFT`).
const MAX_EVENTS_PER_STATEMENT: usize = (1 << sql::POSITION_SHIFT) - 1;

/// How often an append whose expectation still holds is retried after losing a race (only
/// `Any` and `StreamExists` can lose a race and still hold; each retry sees the winner).
const MAX_RACE_RETRIES: usize = 1_000;

/// The expectation kinds as the SQL statements number them.
pub(crate) fn kind(expected: ExpectedVersion) -> (i32, i64) {
    match expected {
        ExpectedVersion::Any => (0, 0),
        ExpectedVersion::NoStream => (1, 0),
        ExpectedVersion::StreamExists => (2, 0),
        ExpectedVersion::Exact(v) => (3, to_i64(v.get())),
    }
}

/// The appends as column arrays, one entry per event: what `sql::APPEND` unnests.
#[derive(Default)]
pub(crate) struct Columns {
    streams: Vec<String>,
    offsets: Vec<i64>,
    kinds: Vec<i32>,
    exacts: Vec<i64>,
    ids: Vec<Uuid>,
    types: Vec<String>,
    payloads: Vec<String>,
    metadata: Vec<String>,
    calls: Vec<i32>,
}

impl Columns {
    fn of(appends: &[StreamAppend]) -> Result<Self> {
        Self::of_group(&[appends])
    }

    /// The columns of a coalesced group: each call's appends, numbered by call.
    pub(crate) fn of_group(calls: &[&[StreamAppend]]) -> Result<Self> {
        let total = calls
            .iter()
            .flat_map(|appends| appends.iter())
            .map(|a| a.events.len())
            .sum();
        let mut c = Columns {
            streams: Vec::with_capacity(total),
            offsets: Vec::with_capacity(total),
            kinds: Vec::with_capacity(total),
            exacts: Vec::with_capacity(total),
            ids: Vec::with_capacity(total),
            types: Vec::with_capacity(total),
            payloads: Vec::with_capacity(total),
            metadata: Vec::with_capacity(total),
            calls: Vec::with_capacity(total),
        };
        for (call, append) in (0_i32..)
            .zip(calls)
            .flat_map(|(call, appends)| appends.iter().map(move |a| (call, a)))
        {
            let (kind, exact) = kind(append.expected);
            for (offset, event) in (1_i64..).zip(&append.events) {
                c.streams.push(append.stream.as_str().to_owned());
                c.offsets.push(offset);
                c.kinds.push(kind);
                c.exacts.push(exact);
                c.ids.push(*event.id.as_uuid());
                c.types.push(event.event_type.as_str().to_owned());
                c.payloads.push(event.payload.as_str().to_owned());
                c.metadata.push(event.metadata.to_json()?);
                c.calls.push(call);
            }
        }
        Ok(c)
    }
}

/// Appends every stream's events atomically; results in the order of `appends`. The appends
/// were validated by the caller.
pub(crate) async fn append(pool: &PgPool, appends: &[StreamAppend]) -> Result<Vec<AppendResult>> {
    check_total(appends.iter().map(|a| a.events.len()).sum())?;
    let mut shape = Shape::of(appends)?;
    for _ in 0..MAX_RACE_RETRIES {
        let outcome = match &shape {
            Shape::Known { head, columns } => insert_known(pool, &appends[0], *head, columns).await,
            Shape::General(columns) => insert(pool, columns, &[appends])
                .await
                .map(|mut calls| calls.pop().flatten()),
        };
        match outcome {
            Ok(Some(results)) => return Ok(results),
            // Nothing stored: the version the lean statement expects does not exist, or the
            // general statement found an expectation failing.
            Ok(None) => {}
            Err(error) if is_rejection(&error) => {}
            Err(error) => return Err(store_error(error)),
        }
        if let Some(answer) = resend(pool, appends).await? {
            return answer;
        }
        check_expectations(pool, appends).await?;
        if matches!(shape, Shape::Known { .. }) {
            // The expectation holds, yet the lean statement stored nothing: either a racing
            // writer committed since, or `NoStream` met a stream with a deleted history (its
            // version 1 exists). The general statement handles both.
            shape = Shape::General(Columns::of(appends)?);
            continue;
        }
        // The expectation holds now: we lost a race to a writer that has committed since. Go
        // again; the next attempt sees its events.
        tracing::debug!("append lost a race; retrying");
    }
    Err(Error::Backend {
        message: format!(
            "append kept losing races after {MAX_RACE_RETRIES} attempts; the stream is under extreme contention, retry later"
        ),
        retryable: true,
        source: None,
    })
}

/// Rejects a call with more events than one statement can number (`MAX_EVENTS_PER_STATEMENT`).
fn check_total(total: usize) -> Result<()> {
    if total > MAX_EVENTS_PER_STATEMENT {
        return Err(Error::InvalidMultiAppend {
            reason: format!(
                "it carries {total} events in all, over the limit of {MAX_EVENTS_PER_STATEMENT} per call; split it into several calls"
            ),
        });
    }
    Ok(())
}

/// A unique violation (a version or an id taken), the NULL version of a failed expectation,
/// or a deadlock/serialization abort (nothing stored; decided like a lost race).
pub(crate) fn is_rejection(error: &sqlx::Error) -> bool {
    matches!(
        sql_state(error).as_deref(),
        Some("23505" | "23502" | "40P01" | "40001")
    )
}

/// Which statement an append takes.
enum Shape {
    /// One stream whose head the caller states (`Exact(v)`: `head` v; `NoStream`: `head` 0):
    /// versions are computed here and the lean `sql::APPEND_ONE` / `sql::APPEND_BATCH` run.
    Known { head: i64, columns: EventColumns },
    /// Anything else: `sql::APPEND` computes versions from the heads it finds.
    General(Columns),
}

impl Shape {
    fn of(appends: &[StreamAppend]) -> Result<Self> {
        if let [append] = appends {
            let head = match append.expected {
                ExpectedVersion::NoStream => Some(0),
                ExpectedVersion::Exact(v) => Some(to_i64(v.get())),
                ExpectedVersion::Any | ExpectedVersion::StreamExists => None,
            };
            // A head so large that its versions would overflow `bigint` cannot exist; the
            // general statement reports the conflict without computing them.
            if let Some(head) = head.filter(|h| *h <= i64::MAX - MAX_EVENTS_PER_STATEMENT as i64) {
                return Ok(Shape::Known {
                    head,
                    columns: EventColumns::of(&append.events)?,
                });
            }
        }
        Ok(Shape::General(Columns::of(appends)?))
    }
}

/// One stream's events as column arrays: what `sql::APPEND_BATCH` unnests.
struct EventColumns {
    ids: Vec<Uuid>,
    types: Vec<String>,
    payloads: Vec<String>,
    metadata: Vec<String>,
}

impl EventColumns {
    fn of(events: &[NewEvent]) -> Result<Self> {
        let mut c = EventColumns {
            ids: Vec::with_capacity(events.len()),
            types: Vec::with_capacity(events.len()),
            payloads: Vec::with_capacity(events.len()),
            metadata: Vec::with_capacity(events.len()),
        };
        for event in events {
            c.ids.push(*event.id.as_uuid());
            c.types.push(event.event_type.as_str().to_owned());
            c.payloads.push(event.payload.as_str().to_owned());
            c.metadata.push(event.metadata.to_json()?);
        }
        Ok(c)
    }
}

/// The lean path: `Ok(None)` when nothing was stored because version `head` does not exist.
async fn insert_known(
    pool: &PgPool,
    append: &StreamAppend,
    head: i64,
    c: &EventColumns,
) -> std::result::Result<Option<Vec<AppendResult>>, sqlx::Error> {
    let (first, last) = if let ([id], [event_type], [payload], [metadata]) = (
        c.ids.as_slice(),
        c.types.as_slice(),
        c.payloads.as_slice(),
        c.metadata.as_slice(),
    ) {
        let position: Option<i64> = sqlx::query_scalar(sql::APPEND_ONE)
            .bind(append.stream.as_str())
            .bind(head)
            .bind(id)
            .bind(event_type)
            .bind(payload)
            .bind(metadata)
            .fetch_optional(pool)
            .await?;
        let Some(position) = position else {
            return Ok(None);
        };
        (position, position)
    } else {
        let positions: Vec<i64> = sqlx::query_scalar(sql::APPEND_BATCH)
            .bind(append.stream.as_str())
            .bind(head)
            .bind(&c.ids)
            .bind(&c.types)
            .bind(&c.payloads)
            .bind(&c.metadata)
            .fetch_all(pool)
            .await?;
        if positions.is_empty() {
            return Ok(None);
        }
        if positions.len() != c.ids.len() {
            return Err(sqlx::Error::Protocol(
                "append stored a different number of rows than it sent".into(),
            ));
        }
        match (positions.iter().min(), positions.iter().max()) {
            (Some(first), Some(last)) => (*first, *last),
            _ => return Ok(None),
        }
    };
    let len = i64::try_from(c.ids.len()).unwrap_or(i64::MAX);
    let (Some(first_id), Some(last_id)) = (append.events.first(), append.events.last()) else {
        return Ok(None);
    };
    Ok(Some(vec![AppendResult::new(
        append.stream.clone(),
        EventRef::new(proto_version(head + 1)?, rows::position(first), first_id.id),
        EventRef::new(proto_version(head + len)?, rows::position(last), last_id.id),
    )]))
}

/// Runs `sql::APPEND` for `calls` (one call, or a coalesced group whose calls share no
/// stream): per call, its results in the order of its appends, or `None` when the call stored
/// nothing because one of its expectations failed. Rejections that abort the statement (a
/// version or an id taken meanwhile) are errors: then no call stored anything.
pub(crate) async fn insert(
    pool: &PgPool,
    c: &Columns,
    calls: &[&[StreamAppend]],
) -> std::result::Result<Vec<Option<Vec<AppendResult>>>, sqlx::Error> {
    let rows = sqlx::query(sql::APPEND)
        .bind(&c.streams)
        .bind(&c.offsets)
        .bind(&c.kinds)
        .bind(&c.exacts)
        .bind(&c.ids)
        .bind(&c.types)
        .bind(&c.payloads)
        .bind(&c.metadata)
        .bind(&c.calls)
        .fetch_all(pool)
        .await?;
    let row_of = |stream: &StreamId| {
        rows.iter()
            .find(|r| r.try_get::<&str, _>("stream_id").ok() == Some(stream.as_str()))
    };
    let mut outcomes = Vec::with_capacity(calls.len());
    for appends in calls {
        let stored = appends
            .iter()
            .filter(|a| row_of(&a.stream).is_some())
            .count();
        if stored == 0 {
            outcomes.push(None);
            continue;
        }
        if stored != appends.len() {
            return Err(sqlx::Error::Protocol(
                "append stored part of a call; the statement must store all of it or none".into(),
            ));
        }
        let mut results = Vec::with_capacity(appends.len());
        for append in appends.iter() {
            let row = row_of(&append.stream).ok_or_else(|| {
                sqlx::Error::Protocol("append returned no row for a stream".into())
            })?;
            let (Some(first), Some(last)) = (append.events.first(), append.events.last()) else {
                return Err(sqlx::Error::Protocol("an append part has no events".into()));
            };
            results.push(AppendResult::new(
                append.stream.clone(),
                EventRef::new(
                    proto_version(row.try_get("first_version")?)?,
                    rows::position(row.try_get("first_position")?),
                    first.id,
                ),
                EventRef::new(
                    proto_version(row.try_get("last_version")?)?,
                    rows::position(row.try_get("last_position")?),
                    last.id,
                ),
            ));
        }
        outcomes.push(Some(results));
    }
    Ok(outcomes)
}

/// A version the statement returned (never 0), as the driver's error type.
fn proto_version(v: i64) -> std::result::Result<Version, sqlx::Error> {
    Version::new(v.unsigned_abs())
        .ok_or_else(|| sqlx::Error::Protocol("a stored version is 0".into()))
}

/// What a rejected append's ids say about it.
enum Repeat {
    /// None of its ids is stored.
    Fresh,
    /// It is an exact re-send of stored events; this was their result.
    Of(AppendResult),
}

/// `Some(answer)` when some of the ids are stored: the original results for an exact re-send,
/// or `DuplicateEventId`. `None` when no id is stored (the rejection was about versions).
async fn resend(
    pool: &PgPool,
    appends: &[StreamAppend],
) -> Result<Option<Result<Vec<AppendResult>>>> {
    let ids: Vec<Uuid> = appends
        .iter()
        .flat_map(|a| a.events.iter().map(|e| *e.id.as_uuid()))
        .collect();
    let stored: Vec<(EventId, StreamId, Version)> = sqlx::query(sql::STORED_IDS)
        .bind(&ids)
        .fetch_all(pool)
        .await
        .map_err(store_error)?
        .iter()
        .map(|row| {
            let id: Uuid = row.try_get("event_id").map_err(store_error)?;
            let stream: String = row.try_get("stream_id").map_err(store_error)?;
            let v: i64 = row.try_get("version").map_err(store_error)?;
            Ok((
                EventId::from_uuid(id),
                StreamId::new(stream)?,
                rows::version(v)?,
            ))
        })
        .collect::<Result<_>>()?;
    if stored.is_empty() {
        return Ok(None);
    }
    let mut repeats = Vec::with_capacity(appends.len());
    for append in appends {
        match repeat(pool, append, &stored).await? {
            Ok(repeat) => repeats.push(repeat),
            Err(duplicate) => return Ok(Some(Err(duplicate))),
        }
    }
    let repeated = repeats
        .iter()
        .filter(|r| matches!(r, Repeat::Of(_)))
        .count();
    if repeated == appends.len() {
        let results = repeats
            .into_iter()
            .filter_map(|r| match r {
                Repeat::Of(result) => Some(result),
                Repeat::Fresh => None,
            })
            .collect();
        return Ok(Some(Ok(results)));
    }
    if repeated > 0 {
        // Part of this call is stored and part is not: it is not a re-send of one call.
        let (append, _) = appends
            .iter()
            .zip(&repeats)
            .find(|(_, r)| matches!(r, Repeat::Of(_)))
            .ok_or_else(|| invariant("a repeated append vanished"))?;
        return Ok(Some(Err(duplicate(append.events[0].id, &stored))));
    }
    // Ids were stored a moment ago but none of these appends repeats them: they are gone
    // again (a deleted stream). Treat the rejection as being about versions.
    Ok(None)
}

/// Classifies one stream's part: fresh, an exact re-send, or (as the inner `Err`) a reuse.
async fn repeat(
    pool: &PgPool,
    append: &StreamAppend,
    stored: &[(EventId, StreamId, Version)],
) -> Result<std::result::Result<Repeat, Error>> {
    let lookup = |id: EventId| stored.iter().find(|(s, _, _)| *s == id);
    let Some((first_id, first_stream, first_version)) =
        append.events.iter().find_map(|e| lookup(e.id))
    else {
        return Ok(Ok(Repeat::Fresh));
    };
    let run = if *first_stream == append.stream && *first_id == append.events[0].id {
        whole_batch(pool, &append.stream, *first_version, append.events.len()).await?
    } else {
        None
    };
    let run = run.unwrap_or_default();
    let same_run = run.len() == append.events.len()
        && run
            .iter()
            .zip(&append.events)
            .all(|(old, new): (_, &NewEvent)| old.matches(new));
    if !same_run {
        let reused = append
            .events
            .iter()
            .find(|e| lookup(e.id).is_some())
            .map_or(*first_id, |e| e.id);
        return Ok(Err(duplicate(reused, stored)));
    }
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return Err(invariant("a matched run is empty"));
    };
    Ok(Ok(Repeat::Of(AppendResult::new(
        append.stream.clone(),
        first.event_ref(),
        last.event_ref(),
    ))))
}

/// The `count` events of `stream` from version `from` (deleted ones included) when they are
/// one whole stored batch: written by one statement (positions share the writing transaction's
/// id, see `sql::POSITION_SHIFT`), with no event of that statement just before or just after.
/// A coalesced statement writes several calls, but never two to one stream, so within a stream
/// one statement's events are one call's.
/// `None` when they are only part of a batch, or several.
async fn whole_batch(
    pool: &PgPool,
    stream: &StreamId,
    from: Version,
    count: usize,
) -> Result<Option<Vec<es_core::RecordedEvent>>> {
    // One event before and one after, to see where the batch begins and ends.
    let start = from.get().saturating_sub(1).max(1);
    let rows = sqlx::query(sql::READ_RUN)
        .bind(stream.as_str())
        .bind(to_i64(start))
        .bind(to_i64(count as u64 + 2))
        .fetch_all(pool)
        .await
        .map_err(store_error)?;
    let mut decoder = rows::Decoder::of_stream(stream);
    let events = rows
        .iter()
        .map(|row| decoder.decode(row))
        .collect::<Result<Vec<_>>>()?;
    let statement = |e: &es_core::RecordedEvent| e.position.get() >> sql::POSITION_SHIFT;
    let skip = usize::from(start < from.get());
    let Some(run) = events.get(skip..skip + count) else {
        return Ok(None);
    };
    let Some(own) = run.first().map(statement) else {
        return Ok(None);
    };
    let before = skip == 1 && events.first().is_some_and(|e| statement(e) == own);
    let after = events
        .get(skip + count)
        .is_some_and(|e| statement(e) == own);
    let one = run.iter().all(|e| statement(e) == own);
    Ok((one && !before && !after).then(|| run.to_vec()))
}

fn duplicate(id: EventId, stored: &[(EventId, StreamId, Version)]) -> Error {
    match stored.iter().find(|(s, _, _)| *s == id) {
        Some((_, stream, _)) => Error::DuplicateEventId {
            id,
            stream: stream.clone(),
        },
        None => invariant("a duplicate id is not stored"),
    }
}

/// The first part, in order, that cannot be appended to: `Err(StreamDeleted)` when its stream
/// is tombstoned, `Err(Conflict)` when its expectation fails against the committed head.
async fn check_expectations(pool: &PgPool, appends: &[StreamAppend]) -> Result<()> {
    let streams: Vec<&str> = appends.iter().map(|a| a.stream.as_str()).collect();
    let rows = sqlx::query(sql::HEADS)
        .bind(&streams)
        .fetch_all(pool)
        .await
        .map_err(store_error)?;
    for append in appends {
        let row = rows
            .iter()
            .find(|r| r.try_get::<&str, _>("stream_id").ok() == Some(append.stream.as_str()))
            .ok_or_else(|| invariant("no head row for a stream"))?;
        let head: Option<i64> = row.try_get("head").map_err(store_error)?;
        let marked: Option<i16> = row.try_get("state").map_err(store_error)?;
        if marked == Some(state::TOMBSTONE) {
            return Err(Error::StreamDeleted {
                stream: append.stream.clone(),
            });
        }
        let live = marked == Some(state::LIVE);
        let actual = head.filter(|_| live).map(rows::version).transpose()?;
        if !append.expected.accepts(actual) {
            return Err(Error::Conflict {
                stream: append.stream.clone(),
                expected: append.expected,
                actual,
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_must_fit_the_position_numbering() {
        assert_eq!(MAX_EVENTS_PER_STATEMENT, 1_048_575);
        assert!(check_total(MAX_EVENTS_PER_STATEMENT).is_ok());
        assert!(matches!(
            check_total(MAX_EVENTS_PER_STATEMENT + 1),
            Err(Error::InvalidMultiAppend { .. })
        ));
    }

    #[test]
    fn every_statement_shifts_xids_by_the_same_amount() {
        let shift = format!("<< {}", sql::POSITION_SHIFT);
        for statement in [
            sql::APPEND_ONE,
            sql::APPEND_BATCH,
            sql::APPEND,
            sql::READ_ALL,
            sql::READ_ALL_PRECISE,
        ] {
            assert!(statement.contains(&shift), "{statement}");
        }
        assert!(include_str!("../migrations/0001_events.sql").contains(&shift));
    }
}
