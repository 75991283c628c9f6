//! Reading a stream, its head, and the global order in pages.

use std::time::{Duration, Instant};

use es_core::{
    Checkpoint, Direction, Error, EventFilter, EventRef, Page, PageState, Position, ReadAll,
    ReadStream, RecordedEvent, Result, Start, StreamId,
};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::{
    error::store_error,
    rows::{self, to_i64},
    sql::{self, state},
};

pub(crate) async fn read_stream(
    pool: &PgPool,
    stream: &StreamId,
    read: ReadStream,
) -> Result<Vec<RecordedEvent>> {
    let (statement, from) = match read.direction {
        Direction::Forward => (sql::READ_FORWARD, read.from.map_or(1, |v| to_i64(v.get()))),
        Direction::Backward => (
            sql::READ_BACKWARD,
            read.from.map_or(i64::MAX, |v| to_i64(v.get())),
        ),
    };
    let rows = sqlx::query(statement)
        .bind(stream.as_str())
        .bind(from)
        .bind(to_i64(read.limit as u64))
        .fetch_all(pool)
        .await
        .map_err(store_error)?;
    let mut events = Vec::with_capacity(rows.len());
    for row in &rows {
        if rows::has_event(row)? {
            events.push(rows::decode(row)?);
        } else if row.try_get::<bool, _>("tombstoned").map_err(store_error)? {
            return Err(Error::StreamDeleted {
                stream: stream.clone(),
            });
        }
    }
    Ok(events)
}

pub(crate) async fn stream_head(pool: &PgPool, stream: &StreamId) -> Result<Option<EventRef>> {
    let row = sqlx::query(sql::STREAM_HEAD)
        .bind(stream.as_str())
        .fetch_optional(pool)
        .await
        .map_err(store_error)?;
    let Some(row) = row else { return Ok(None) };
    match row.try_get::<i16, _>("deleted").map_err(store_error)? {
        state::LIVE => {
            let version: i64 = row.try_get("version").map_err(store_error)?;
            let position: i64 = row.try_get("position").map_err(store_error)?;
            let id: Uuid = row.try_get("event_id").map_err(store_error)?;
            Ok(Some(EventRef::new(
                rows::version(version)?,
                rows::position(position),
                es_core::EventId::from_uuid(id),
            )))
        }
        state::TOMBSTONE => Err(Error::StreamDeleted {
            stream: stream.clone(),
        }),
        _ => Ok(None),
    }
}

/// The filter's event types and categories as the statements bind them (`None`: any).
fn filter_columns(filter: &EventFilter) -> (Option<Vec<&str>>, Option<Vec<&str>>) {
    (
        filter
            .event_types
            .as_ref()
            .map(|types| types.iter().map(|t| t.as_str()).collect()),
        filter
            .categories
            .as_ref()
            .map(|categories| categories.iter().map(|c| c.as_str()).collect()),
    )
}

/// One page of the global order up to the safe bound (see `sql::POSITION_SHIFT`).
///
/// When in-flight transactions hold the cluster-wide bound back, it reads again with the
/// per-database bound (`sql::READ_ALL_LOCAL`), and then for up to `settle` so that a reader
/// right after a commit sees it even while unrelated transactions run; after that it returns
/// what is safe with [`PageState::HeldBack`], never as if it were the end.
pub(crate) async fn read_all(pool: &PgPool, request: ReadAll, settle: Duration) -> Result<Page> {
    let after = match &request.start {
        Start::Beginning => 0,
        Start::After(checkpoint) => checkpoint.to_position_number()?,
        Start::Head => return head(pool).await,
    };
    // A page of 0 still looks one event ahead, to tell "more" from "caught up".
    let fetch = request.limit.max(1);
    let (types, categories) = filter_columns(&request.filter);
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    // The cheap cluster-wide bound first; the per-database bound only when it held rows back.
    let mut statement = sql::READ_ALL;
    loop {
        let rows = sqlx::query(statement)
            .bind(to_i64(after))
            .bind(to_i64(fetch as u64))
            .bind(&types)
            .bind(&categories)
            .fetch_all(pool)
            .await
            .map_err(store_error)?;
        let mut events = Vec::with_capacity(rows.len());
        let (mut held_back, mut behind) = (false, false);
        let mut bound = 0i64;
        for row in &rows {
            held_back |= row.try_get::<bool, _>("held_back").map_err(store_error)?;
            behind |= row.try_get::<bool, _>("behind").map_err(store_error)?;
            bound = row.try_get("bound").map_err(store_error)?;
            if rows::has_event(row)? {
                events.push(rows::decode(row)?);
            }
        }
        // The statement orders the page; keep that guarantee independent of the plan's shape
        // (a no-op on sorted input).
        events.sort_by_key(|e| e.position);
        if events.len() >= fetch {
            if request.limit == 0 {
                return Ok(Page::new(Vec::new(), at(after), PageState::More));
            }
            let last = events.last().map_or(after, |e| e.position.get());
            return Ok(Page::new(events, at(last), PageState::More));
        }
        if behind && statement == sql::READ_ALL {
            // Events lie past the cluster-wide bound: the per-database bound may let the page,
            // or at least its checkpoint, go further (also past events a filter skips).
            statement = sql::READ_ALL_LOCAL;
            continue;
        }
        // Everything below the bound was read: the safe place is just below it.
        let safe = after.max(bound.unsigned_abs().saturating_sub(1));
        if !held_back {
            return Ok(Page::new(events, at(safe), PageState::CaughtUp));
        }
        if started.elapsed() >= settle {
            tracing::debug!(
                returned = events.len(),
                "read_all held back by in-flight transactions"
            );
            return Ok(Page::new(events, at(safe), PageState::HeldBack));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

/// An empty page at the head: its checkpoint is just below the per-database safe bound, so a
/// reader from there gets every event committed later and none committed before.
async fn head(pool: &PgPool) -> Result<Page> {
    let bound: i64 = sqlx::query_scalar(sql::HEAD_BOUND)
        .fetch_one(pool)
        .await
        .map_err(store_error)?;
    let safe = bound.unsigned_abs().saturating_sub(1);
    Ok(Page::new(Vec::new(), at(safe), PageState::CaughtUp))
}

fn at(position: u64) -> Checkpoint {
    Checkpoint::after(Position::new(position))
}
