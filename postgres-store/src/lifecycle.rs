//! Soft deletes and tombstones, serialised with the appends of the same stream.
//!
//! A delete runs in its own transaction: it locks the stream's head row `FOR UPDATE`, which
//! waits for every append that holds that row `FOR SHARE` (every append that checks the
//! stream's head does) and makes every later such append wait for the delete and then see the
//! mark. Having the lock, it reads the head again with a fresh snapshot: if an append slipped
//! in while it waited, it locks the new head instead. Only then does it check the expectation
//! and mark the rows. A tombstone also inserts its marker at the version after the head, so a
//! racing append of that version and the tombstone meet on the unique index.

use es_core::{Error, EventId, ExpectedVersion, Result, StreamId};
use sqlx::{PgPool, Postgres, Row, Transaction};

use crate::{
    error::{sql_state, store_error},
    rows,
    sql::{self, state},
};

/// How often a delete goes again after losing a race to appends of its stream.
const MAX_ATTEMPTS: usize = 1_000;

/// Soft delete (`hard` false) or tombstone of `stream` if its version meets `expected`.
pub(crate) async fn delete(
    pool: &PgPool,
    stream: &StreamId,
    expected: ExpectedVersion,
    hard: bool,
) -> Result<()> {
    for _ in 0..MAX_ATTEMPTS {
        let mut tx = pool.begin().await.map_err(store_error)?;
        match attempt(&mut tx, stream, expected, hard).await {
            Ok(Done::Deleted) => return tx.commit().await.map_err(store_error),
            Ok(Done::Again) => {
                tx.rollback().await.map_err(store_error)?;
            }
            Err(error) => {
                // Dropping the transaction rolls it back.
                return Err(error);
            }
        }
    }
    Err(Error::Backend {
        message: format!(
            "deleting stream {stream} kept losing races with its writers after {MAX_ATTEMPTS} attempts; retry later"
        ),
        retryable: true,
        source: None,
    })
}

/// What one attempt came to.
enum Done {
    /// Marked (and the tombstone placed); commit.
    Deleted,
    /// A racing append took the tombstone's version; roll back and go again.
    Again,
}

async fn attempt(
    tx: &mut Transaction<'static, Postgres>,
    stream: &StreamId,
    expected: ExpectedVersion,
    hard: bool,
) -> Result<Done> {
    let head = loop {
        let locked = sqlx::query(sql::LOCK_HEAD)
            .bind(stream.as_str())
            .fetch_optional(&mut **tx)
            .await
            .map_err(store_error)?;
        let locked = match locked {
            Some(row) => Some((
                row.try_get::<i64, _>("version").map_err(store_error)?,
                row.try_get::<i16, _>("deleted").map_err(store_error)?,
            )),
            None => None,
        };
        let latest: Option<i64> = sqlx::query_scalar(sql::MAX_VERSION)
            .bind(stream.as_str())
            .fetch_one(&mut **tx)
            .await
            .map_err(store_error)?;
        if latest == locked.map(|(version, _)| version) {
            break locked;
        }
        // An append committed while we waited for the lock: lock the new head.
    };
    if head.is_some_and(|(_, marked)| marked == state::TOMBSTONE) {
        return Err(Error::StreamDeleted {
            stream: stream.clone(),
        });
    }
    let live = head
        .filter(|(_, marked)| *marked == state::LIVE)
        .map(|(version, _)| rows::version(version))
        .transpose()?;
    if !expected.accepts(live) {
        return Err(Error::Conflict {
            stream: stream.clone(),
            expected,
            actual: live,
        });
    }
    let mark = if hard {
        state::HARD_DELETED
    } else {
        state::SOFT_DELETED
    };
    sqlx::query(sql::MARK_DELETED)
        .bind(stream.as_str())
        .bind(mark)
        .execute(&mut **tx)
        .await
        .map_err(store_error)?;
    if hard {
        let next = head.map_or(0, |(version, _)| version) + 1;
        let placed = sqlx::query(sql::INSERT_TOMBSTONE)
            .bind(stream.as_str())
            .bind(next)
            .bind(EventId::new().as_uuid())
            .execute(&mut **tx)
            .await;
        match placed {
            Ok(_) => {}
            Err(error) if sql_state(&error).as_deref() == Some("23505") => return Ok(Done::Again),
            Err(error) => return Err(store_error(error)),
        }
    }
    sqlx::query(sql::DELETE_SNAPSHOT)
        .bind(stream.as_str())
        .execute(&mut **tx)
        .await
        .map_err(store_error)?;
    Ok(Done::Deleted)
}
