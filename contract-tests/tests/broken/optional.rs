//! A broken store's optional capabilities: snapshots, deletion, checkpoints.

use std::time::Duration;

use es_core::{
    Checkpoint, CheckpointStore, Error, EventReader, ExpectedVersion, ReadStream, Result, Snapshot,
    SnapshotStore, StreamId, StreamLifecycle,
};

use super::{Broken, Flaw};

/// The key every stream's snapshot and every checkpoint shares under the "shared" flaws.
const SHARED: &str = "shared";

impl SnapshotStore for Broken {
    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        match self.flaw {
            Flaw::SnapshotsNeverKept => return Ok(()),
            Flaw::SnapshotsShared => {
                let mut shared = snapshot;
                shared.stream_id = StreamId::new(SHARED)?;
                return self.inner.save_snapshot(shared).await;
            }
            _ => {}
        }
        if self.flaw == Flaw::OlderSnapshotWins {
            self.snapshots
                .lock()
                .insert(snapshot.stream_id.clone(), snapshot);
            return Ok(());
        }
        self.inner.save_snapshot(snapshot).await
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        if self.flaw == Flaw::SnapshotsShared {
            let kept = self.inner.load_snapshot(&StreamId::new(SHARED)?).await?;
            return Ok(kept.map(|mut s| {
                s.stream_id = stream.clone();
                s
            }));
        }
        if self.flaw == Flaw::OlderSnapshotWins {
            return Ok(self.snapshots.lock().get(stream).cloned());
        }
        let kept = self.inner.load_snapshot(stream).await?;
        if self.flaw == Flaw::DeleteKeepsSnapshot && kept.is_none() {
            return Ok(self.snapshots.lock().get(stream).cloned());
        }
        if self.flaw == Flaw::SnapshotForgetsItsEvent
            && let Some(mut snapshot) = kept
        {
            {
                let now = self
                    .inner
                    .read_stream(
                        stream,
                        ReadStream::forward()
                            .from_version(snapshot.at.version)
                            .limit(1),
                    )
                    .await?;
                if let Some(event) = now.first() {
                    snapshot.at = event.event_ref();
                }
                return Ok(Some(snapshot));
            }
        }
        Ok(kept)
    }
}

impl Broken {
    /// Checks `expected` against the head, waits, then deletes whatever the stream holds.
    async fn unguarded_delete(
        &self,
        stream: &StreamId,
        expected: ExpectedVersion,
        hard: bool,
    ) -> Result<()> {
        let actual = self.inner.stream_head(stream).await?.map(|h| h.version);
        if !expected.accepts(actual) {
            return Err(Error::Conflict {
                stream: stream.clone(),
                expected,
                actual,
            });
        }
        // The window: an append that checked the same head commits here.
        tokio::time::sleep(Duration::from_micros(300)).await;
        if hard {
            self.inner
                .tombstone_stream(stream, ExpectedVersion::Any)
                .await
        } else {
            self.inner.delete_stream(stream, ExpectedVersion::Any).await
        }
    }
}

impl Broken {
    /// Under [`Flaw::DeleteKeepsSnapshot`], what `delete` removed of the stream's snapshot comes
    /// back: it is kept aside and loaded when the inner store has none.
    async fn keeping_snapshot(
        &self,
        stream: &StreamId,
        delete: impl Future<Output = Result<()>>,
    ) -> Result<()> {
        let before = self.inner.load_snapshot(stream).await?;
        delete.await?;
        if let Some(snapshot) = before {
            self.snapshots.lock().insert(stream.clone(), snapshot);
        }
        Ok(())
    }
}

impl StreamLifecycle for Broken {
    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        if self.flaw == Flaw::DeleteKeepsSnapshot {
            return self
                .keeping_snapshot(stream, self.inner.delete_stream(stream, expected))
                .await;
        }
        if self.flaw == Flaw::DeleteMissingConflicts
            && self.inner.stream_head(stream).await?.is_none()
        {
            return Err(Error::Conflict {
                stream: stream.clone(),
                expected,
                actual: None,
            });
        }
        if self.flaw == Flaw::DeleteFreesIds {
            let doomed = self
                .inner
                .read_stream(stream, ReadStream::forward())
                .await?;
            self.inner.delete_stream(stream, expected).await?;
            self.deleted_ids.lock().extend(doomed.iter().map(|e| e.id));
            return Ok(());
        }
        if self.flaw == Flaw::DeleteRacesAppends {
            return self.unguarded_delete(stream, expected, false).await;
        }
        if self.flaw == Flaw::OlderSnapshotWins {
            self.snapshots.lock().remove(stream);
        }
        if self.flaw == Flaw::DeleteRestartsNumbering {
            // Forget every version numbered so far: the next event is "version 1" again.
            let head = self.inner.stream_head(stream).await?;
            let expected = self.unshift(stream, expected);
            self.inner.delete_stream(stream, expected).await?;
            if let Some(head) = head {
                self.forgotten
                    .lock()
                    .insert(stream.clone(), head.version.get() as usize);
            }
            return Ok(());
        }
        self.inner.delete_stream(stream, expected).await
    }

    async fn tombstone_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
        if self.flaw == Flaw::DeleteRacesAppends {
            return self.unguarded_delete(stream, expected, true).await;
        }
        if self.flaw == Flaw::TombstoneIsSoft {
            return self.inner.delete_stream(stream, expected).await;
        }
        if self.flaw == Flaw::DeleteKeepsSnapshot {
            return self
                .keeping_snapshot(stream, self.inner.tombstone_stream(stream, expected))
                .await;
        }
        self.inner.tombstone_stream(stream, expected).await
    }
}

impl CheckpointStore for Broken {
    async fn load_checkpoint(&self, name: &str) -> Result<Option<Checkpoint>> {
        match self.flaw {
            Flaw::CheckpointBlindWrite => {
                es_core::provider::validate_checkpoint_name(name)?;
                Ok(self.checkpoints.lock().get(name).cloned())
            }
            Flaw::CheckpointNamesUnchecked => Ok(self.checkpoints.lock().get(name).cloned()),
            Flaw::CheckpointsShared => self.inner.load_checkpoint(SHARED).await,
            _ => self.inner.load_checkpoint(name).await,
        }
    }

    async fn save_checkpoint(
        &self,
        name: &str,
        expected: Option<&Checkpoint>,
        checkpoint: Checkpoint,
    ) -> Result<()> {
        match self.flaw {
            Flaw::CheckpointBlindWrite => {
                es_core::provider::validate_checkpoint_name(name)?;
                self.checkpoints.lock().insert(name.to_owned(), checkpoint);
                Ok(())
            }
            Flaw::CheckpointNamesUnchecked => {
                let mut kept = self.checkpoints.lock();
                if kept.get(name) != expected {
                    return Err(Error::CheckpointConflict {
                        name: name.to_owned(),
                        expected: expected.map(ToString::to_string),
                        actual: kept.get(name).map(ToString::to_string),
                    });
                }
                kept.insert(name.to_owned(), checkpoint);
                Ok(())
            }
            Flaw::CheckpointNeverMoves if expected.is_some() => {
                // Checked like a real move, acknowledged, and not moved.
                let saved = self.inner.load_checkpoint(name).await?;
                if saved.as_ref() != expected {
                    return self.inner.save_checkpoint(name, expected, checkpoint).await;
                }
                Ok(())
            }
            Flaw::CheckpointsShared => {
                self.inner
                    .save_checkpoint(SHARED, expected, checkpoint)
                    .await
            }
            _ => self.inner.save_checkpoint(name, expected, checkpoint).await,
        }
    }
}
