//! A broken store's optional capabilities: snapshots, deletion, checkpoints.

use std::time::Duration;

use es_core::{
    Checkpoint, CheckpointStore, Error, EventReader, ExpectedVersion, ReadStream, Result, Snapshot,
    SnapshotStore, StreamId, StreamLifecycle,
};

use super::{Broken, Flaw};

impl SnapshotStore for Broken {
    async fn save_snapshot(&self, snapshot: Snapshot) -> Result<()> {
        if self.flaw == Flaw::OlderSnapshotWins {
            self.snapshots
                .lock()
                .insert(snapshot.stream_id.clone(), snapshot);
            return Ok(());
        }
        self.inner.save_snapshot(snapshot).await
    }

    async fn load_snapshot(&self, stream: &StreamId) -> Result<Option<Snapshot>> {
        if self.flaw == Flaw::OlderSnapshotWins {
            return Ok(self.snapshots.lock().get(stream).cloned());
        }
        let kept = self.inner.load_snapshot(stream).await?;
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

impl StreamLifecycle for Broken {
    async fn delete_stream(&self, stream: &StreamId, expected: ExpectedVersion) -> Result<()> {
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
        self.inner.tombstone_stream(stream, expected).await
    }
}

impl CheckpointStore for Broken {
    async fn load_checkpoint(&self, name: &str) -> Result<Option<Checkpoint>> {
        if self.flaw == Flaw::CheckpointBlindWrite {
            es_core::provider::validate_checkpoint_name(name)?;
            return Ok(self.checkpoints.lock().get(name).cloned());
        }
        self.inner.load_checkpoint(name).await
    }

    async fn save_checkpoint(
        &self,
        name: &str,
        expected: Option<&Checkpoint>,
        checkpoint: Checkpoint,
    ) -> Result<()> {
        if self.flaw == Flaw::CheckpointBlindWrite {
            es_core::provider::validate_checkpoint_name(name)?;
            self.checkpoints.lock().insert(name.to_owned(), checkpoint);
            return Ok(());
        }
        self.inner.save_checkpoint(name, expected, checkpoint).await
    }
}
