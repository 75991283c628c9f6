//! Snapshots, and checkpoints of the read side: small keyed records beside the events.

use es_core::{
    Checkpoint, Error, EventId, EventRef, Payload, Result, Snapshot, StreamId, provider,
};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use crate::{
    error::store_error,
    rows::{self, to_i64},
    sql,
};

pub(crate) async fn save_snapshot(pool: &PgPool, snapshot: &Snapshot) -> Result<()> {
    sqlx::query(sql::SAVE_SNAPSHOT)
        .bind(snapshot.stream_id.as_str())
        .bind(to_i64(snapshot.at.version.get()))
        .bind(snapshot.at.id.as_uuid())
        .bind(to_i64(snapshot.at.position.get()))
        .bind(snapshot.state.as_str())
        .execute(pool)
        .await
        .map_err(store_error)?;
    Ok(())
}

pub(crate) async fn load_snapshot(pool: &PgPool, stream: &StreamId) -> Result<Option<Snapshot>> {
    let row = sqlx::query(sql::LOAD_SNAPSHOT)
        .bind(stream.as_str())
        .fetch_optional(pool)
        .await
        .map_err(store_error)?;
    let Some(row) = row else { return Ok(None) };
    let version: i64 = row.try_get("version").map_err(store_error)?;
    let id: Uuid = row.try_get("event_id").map_err(store_error)?;
    let position: i64 = row.try_get("position").map_err(store_error)?;
    let state: String = row.try_get("state").map_err(store_error)?;
    let at = EventRef::new(
        rows::version(version)?,
        rows::position(position),
        EventId::from_uuid(id),
    );
    Ok(Some(Snapshot::new(
        stream.clone(),
        at,
        Payload::from_json(state)?,
    )))
}

pub(crate) async fn load_checkpoint(pool: &PgPool, name: &str) -> Result<Option<Checkpoint>> {
    provider::validate_checkpoint_name(name)?;
    let text: Option<String> = sqlx::query_scalar(sql::LOAD_CHECKPOINT)
        .bind(name)
        .fetch_optional(pool)
        .await
        .map_err(store_error)?;
    text.map(|text| Checkpoint::parse(&text)).transpose()
}

/// Compare-and-set in one statement: insert when nothing is expected, move when the saved text
/// is the expected one; no row back means someone else got there first.
pub(crate) async fn save_checkpoint(
    pool: &PgPool,
    name: &str,
    expected: Option<&Checkpoint>,
    checkpoint: &Checkpoint,
) -> Result<()> {
    provider::validate_checkpoint_name(name)?;
    let moved: Option<i32> = match expected {
        None => {
            sqlx::query_scalar(sql::INSERT_CHECKPOINT)
                .bind(name)
                .bind(checkpoint.to_string())
                .fetch_optional(pool)
                .await
        }
        Some(expected) => {
            sqlx::query_scalar(sql::MOVE_CHECKPOINT)
                .bind(name)
                .bind(expected.to_string())
                .bind(checkpoint.to_string())
                .fetch_optional(pool)
                .await
        }
    }
    .map_err(store_error)?;
    if moved.is_some() {
        return Ok(());
    }
    let actual = load_checkpoint(pool, name).await?;
    Err(Error::CheckpointConflict {
        name: name.to_owned(),
        expected: expected.map(ToString::to_string),
        actual: actual.map(|c| c.to_string()),
    })
}
