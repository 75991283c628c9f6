//! Reading a stream, its head, and the global order in pages.

use std::time::{Duration, Instant};

use es_core::chrono::{DateTime, Utc};
use es_core::{
    Checkpoint, Direction, Error, EventFilter, EventRef, Page, PageState, Position, ReadAll,
    ReadStream, RecordedEvent, Result, Start, StreamId,
};
use sqlx::{PgPool, Row, postgres::PgRow};
use uuid::Uuid;

use crate::{
    error::store_error,
    rows::{self, to_i64},
    sql::{self, state},
};

#[tracing::instrument(level = "debug", skip(pool, read), fields(stream = %stream, limit = read.limit))]
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
    let mut decoder = rows::Decoder::of_stream(stream);
    for row in &rows {
        if rows::has_event(row)? {
            events.push(decoder.decode(row)?);
        } else if row.try_get::<bool, _>("tombstoned").map_err(store_error)? {
            return Err(Error::StreamDeleted {
                stream: stream.clone(),
            });
        }
    }
    Ok(events)
}

#[tracing::instrument(level = "debug", skip(pool), fields(stream = %stream))]
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
/// The cheap cluster-wide bound first (one statement). When events lie past it, the precise
/// bound (see `sql::READ_ALL_PRECISE`): only transactions that may still write events hold the
/// page back, and it is read again for up to `settle` so that a reader right after a commit sees
/// it; after that it returns what is safe as [`PageState::HeldBack`], naming what holds it back,
/// never as if it were the end.
#[tracing::instrument(level = "debug", skip(pool, request, settle), fields(start = ?request.start, limit = request.limit))]
pub(crate) async fn read_all(pool: &PgPool, request: ReadAll, settle: Duration) -> Result<Page> {
    let after = match &request.start {
        Start::Beginning => 0,
        Start::After(checkpoint) => checkpoint.to_position_number()?,
        Start::Head => return head(pool, settle).await,
    };
    // A page of 0 still looks one event ahead, to tell "more" from "caught up".
    let fetch = request.limit.max(1);
    let (types, categories) = filter_columns(&request.filter);
    let query = Query {
        after,
        limit: request.limit,
        fetch,
        types: &types,
        categories: &categories,
    };
    let rows = sqlx::query(sql::READ_ALL)
        .bind(to_i64(after))
        .bind(to_i64(fetch as u64))
        .bind(&types)
        .bind(&categories)
        .fetch_all(pool)
        .await
        .map_err(store_error)?;
    let first = query.page(&rows)?;
    if !first.behind {
        return Ok(first.finish(&query));
    }
    Ok(settled(pool, &query, settle).await?.finish(&query))
}

/// The precise read, again for up to `settle` while it is held back and empty (so a reader right
/// after a commit sees it); still held back after that, it traces who holds it.
async fn settled(pool: &PgPool, query: &Query<'_>, settle: Duration) -> Result<Read> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        let read = precise(pool, query).await?;
        // A page with events goes out at once, held back or not: waiting would only delay
        // them, and a held-back page says it is not the end. Only an empty held-back page (and
        // the head, which asks for none) is worth reading again: a reader right after a
        // commit should see it.
        let has_events = query.limit > 0 && !read.events.is_empty();
        if !read.held_back || has_events || started.elapsed() >= settle {
            if read.held_back {
                warn_held_back(read.blocker.as_deref());
            }
            return Ok(read);
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_millis(10));
    }
}

/// What one page read asks.
struct Query<'a> {
    after: u64,
    limit: usize,
    fetch: usize,
    types: &'a Option<Vec<&'a str>>,
    categories: &'a Option<Vec<&'a str>>,
}

/// What one page read found.
struct Read {
    events: Vec<RecordedEvent>,
    bound: u64,
    held_back: bool,
    behind: bool,
    blocker: Option<String>,
}

impl Query<'_> {
    fn page(&self, rows: &[PgRow]) -> Result<Read> {
        let mut read = Read {
            events: Vec::with_capacity(rows.len()),
            bound: 0,
            held_back: false,
            behind: false,
            blocker: None,
        };
        let mut decoder = rows::Decoder::default();
        for row in rows {
            read.held_back |= row.try_get::<bool, _>("held_back").map_err(store_error)?;
            read.behind |= row.try_get::<bool, _>("behind").map_err(store_error)?;
            read.bound = row
                .try_get::<i64, _>("bound")
                .map_err(store_error)?
                .unsigned_abs();
            if rows::has_event(row)? {
                read.events.push(decoder.decode(row)?);
            }
        }
        // The statement orders the page; keep that guarantee independent of the plan's shape
        // (a no-op on sorted input).
        read.events.sort_by_key(|e| e.position);
        Ok(read)
    }
}

impl Read {
    fn finish(self, query: &Query<'_>) -> Page {
        if self.events.len() >= query.fetch {
            if query.limit == 0 {
                return Page::new(Vec::new(), at(query.after), PageState::More);
            }
            let last = self.events.last().map_or(query.after, |e| e.position.get());
            return Page::new(self.events, at(last), PageState::More);
        }
        // Everything below the bound was read: the safe place is just below it.
        let safe = at(query.after.max(self.bound.saturating_sub(1)));
        if self.held_back {
            Page::held_back(self.events, safe, self.blocker)
        } else {
            Page::new(self.events, safe, PageState::CaughtUp)
        }
    }
}

/// The precise path: one REPEATABLE READ transaction whose snapshot is taken before the lock
/// table is read, then the activity of the backends and the page with the bound they allow.
async fn precise(pool: &PgPool, query: &Query<'_>) -> Result<Read> {
    let mut tx = pool
        .begin_with(sql::BEGIN_PRECISE)
        .await
        .map_err(store_error)?;
    let cleared: Vec<i64> = sqlx::query_scalar(sql::CLEARED_XIDS)
        .fetch_one(&mut *tx)
        .await
        .map_err(store_error)?;
    let rows = sqlx::query(sql::READ_ALL_PRECISE)
        .bind(to_i64(query.after))
        .bind(to_i64(query.fetch as u64))
        .bind(query.types)
        .bind(query.categories)
        .bind(&cleared)
        .fetch_all(&mut *tx)
        .await
        .map_err(store_error)?;
    tx.commit().await.map_err(store_error)?;
    let mut read = query.page(&rows)?;
    if read.held_back {
        read.blocker = rows.first().map(blocker).transpose()?;
    }
    Ok(read)
}

/// Who holds a page back, in words.
fn blocker(row: &PgRow) -> Result<String> {
    if row.try_get::<bool, _>("standby").map_err(store_error)? {
        return Ok(
            "transactions still in flight on the primary (this reader is on a standby)".to_owned(),
        );
    }
    let pid: Option<i32> = row.try_get("blocker_pid").map_err(store_error)?;
    let xid: Option<i64> = row.try_get("blocker_xid").map_err(store_error)?;
    let started: Option<DateTime<Utc>> = row.try_get("blocker_start").map_err(store_error)?;
    let state: Option<String> = row.try_get("blocker_state").map_err(store_error)?;
    let what: Option<String> = row.try_get("blocker_query").map_err(store_error)?;
    let xid = xid.map_or_else(|| "?".to_owned(), |x| x.to_string());
    Ok(match pid {
        Some(pid) => {
            let open = started.map_or_else(String::new, |at| {
                let seconds = (Utc::now() - at).num_milliseconds().max(0) as f64 / 1000.0;
                format!(", open for {seconds:.1} s")
            });
            format!(
                "backend {pid} (transaction {xid}{open}, {}: {:?}), which holds a write lock on the events table; \
                 end that transaction to let readers go on",
                state.unwrap_or_else(|| "unknown state".to_owned()),
                what.unwrap_or_default()
            )
        }
        None => format!(
            "transaction {xid}, which this reader cannot attribute to a backend of another database or to one that cannot write events"
        ),
    })
}

/// Traces a warning naming what holds readers back, at most every ten seconds per process.
fn warn_held_back(blocker: Option<&str>) {
    use crate::sparse::Sparse;
    static WARNED: Sparse = Sparse::every(Duration::from_secs(10));
    if WARNED.allows(Instant::now()) {
        tracing::warn!(
            blocker = blocker.unwrap_or("unknown"),
            "read_all is held back: a transaction that may still write events is open, so readers of the global order wait for it"
        );
    }
}

/// An empty page at the head: its checkpoint is just below the precise safe bound, so a reader
/// from there gets every event committed later and none committed before.
///
/// That holds only while no committed event lies at or past the bound. One does when a
/// transaction with a smaller xid is still running (or the reader cannot attribute it, e.g. it
/// ended between the snapshot and the activity read): then the head is read again for up to
/// `settle`, and if it is still held back the page says so ([`PageState::HeldBack`], naming
/// what holds it) instead of passing off as the head a checkpoint from which earlier events
/// would be read again.
async fn head(pool: &PgPool, settle: Duration) -> Result<Page> {
    let none = None;
    let query = Query {
        after: 0,
        limit: 0,
        fetch: 1,
        types: &none,
        categories: &none,
    };
    let read = settled(pool, &query, settle).await?;
    let safe = at(read.bound.saturating_sub(1));
    Ok(if read.held_back {
        Page::held_back(Vec::new(), safe, read.blocker)
    } else {
        Page::new(Vec::new(), safe, PageState::CaughtUp)
    })
}

fn at(position: u64) -> Checkpoint {
    Checkpoint::after(Position::new(position))
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::sparse::Sparse;

    #[test]
    fn a_held_back_warning_is_traced_once_per_period() {
        let sparse = Sparse::every(Duration::from_secs(10));
        let start = Instant::now();
        let at = |seconds| start + Duration::from_secs(seconds);
        let allowed: Vec<bool> = [0, 1, 9, 10, 15, 21]
            .into_iter()
            .map(|s| sparse.allows(at(s)))
            .collect();
        assert_eq!(allowed, [true, false, false, true, false, true]);
    }
}
