//! How a broken store writes.

use std::time::Duration;

use es_core::{
    AppendResult, Error, EventReader, EventWriter, EventWriterExt, ExpectedVersion, NewEvent,
    Result, StreamAppend, StreamId,
};

use super::{Broken, Flaw, GAP_STREAM};

impl EventWriter for Broken {
    async fn append(&self, append: StreamAppend) -> Result<AppendResult> {
        let mut append = append;
        append.events = self.mangle(append.events);
        if self.flaw == Flaw::AcceptsEmptyAppend && append.events.is_empty() {
            let at = es_core::EventRef::new(
                es_core::Version::FIRST,
                es_core::Position::new(1),
                es_core::EventId::new(),
            );
            return Ok(AppendResult::new(append.stream, at, at));
        }
        if self.flaw == Flaw::DeleteFreesIds {
            let freed = self.deleted_ids.lock().clone();
            if append.events.iter().any(|e| freed.contains(&e.id)) {
                // The ids are free again: the late re-send is stored as new events.
                for event in &mut append.events {
                    event.id = es_core::EventId::new();
                }
                append.expected = ExpectedVersion::Any;
            }
        }
        if self.flaw == Flaw::GapsDespiteDenseClaim {
            let gap = NewEvent::from_json("Gap", "{}")?;
            self.inner
                .append_events(&StreamId::new(GAP_STREAM)?, ExpectedVersion::Any, [gap])
                .await?;
        }
        let result = match self.flaw {
            Flaw::ResultsOffByOne => self.inner.append(append).await.map(|mut r| {
                r.first.version = r.first.version.next().unwrap_or(r.first.version);
                r.last.version = r.last.version.next().unwrap_or(r.last.version);
                r
            }),
            Flaw::ResendIgnoresContent => match self.inner.append(append.clone()).await {
                Err(Error::DuplicateEventId { id, stream }) if stream == append.stream => {
                    // The id is stored in this stream: "the same event", whatever it says.
                    let stored = self
                        .inner
                        .read_stream(&stream, es_core::ReadStream::forward())
                        .await?;
                    match stored.iter().find(|e| e.id == id) {
                        Some(event) => Ok(AppendResult::new(
                            stream,
                            event.event_ref(),
                            event.event_ref(),
                        )),
                        None => Err(Error::DuplicateEventId { id, stream }),
                    }
                }
                other => other,
            },
            Flaw::IdsUniquePerStream => match self.inner.append(append.clone()).await {
                Err(Error::DuplicateEventId { stream, .. }) if stream != append.stream => {
                    // Another stream holds the id: here it counts as new.
                    for event in &mut append.events {
                        event.id = es_core::EventId::new();
                    }
                    self.inner.append(append).await
                }
                other => other,
            },
            Flaw::IgnoresExpectedVersion => {
                append.expected = ExpectedVersion::Any;
                append.head = None;
                self.inner.append(append).await
            }
            Flaw::AcceptsWrongHeadHint => {
                append.head = None;
                self.inner.append(append).await
            }
            Flaw::LosesRacingAppends => self.lossy_append(append).await,
            Flaw::LocksStreamsInCallOrder => {
                self.locked(vec![append.stream.clone()], self.inner.append(append))
                    .await
            }
            Flaw::ConflictReservesIds => {
                self.refuse_reserved(std::slice::from_ref(&append))?;
                let general = matches!(
                    append.expected,
                    ExpectedVersion::Any | ExpectedVersion::StreamExists
                );
                let result = self.inner.append(append.clone()).await;
                if general {
                    self.reserve_on_conflict(&[append], &result);
                }
                result
            }
            Flaw::LeanPathPartialOnDuplicate
                if matches!(
                    append.expected,
                    ExpectedVersion::NoStream | ExpectedVersion::Exact(_)
                ) =>
            {
                let result = self.inner.append(append.clone()).await;
                if let Err(Error::DuplicateEventId { id, .. }) = &result
                    && let Some(at) = append.events.iter().position(|e| e.id == *id)
                    && at > 0
                {
                    let mut before = append;
                    before.events.truncate(at);
                    // The rows before the duplicate were inserted already and stay.
                    let _ = self.inner.append(before).await;
                }
                result
            }
            Flaw::IgnoresIdempotency => {
                let actual = self
                    .inner
                    .stream_head(&append.stream)
                    .await?
                    .map(|h| h.version);
                if !append.expected.accepts(actual) {
                    return Err(Error::Conflict {
                        stream: append.stream.clone(),
                        expected: append.expected,
                        actual,
                    });
                }
                self.inner.append(append).await
            }
            Flaw::WritesOneByOne if append.events.len() > 1 => {
                let mut events = append.events.into_iter();
                let first: Vec<_> = events.next().into_iter().collect();
                let mut result = self
                    .inner
                    .append(StreamAppend::new(
                        append.stream.clone(),
                        append.expected,
                        first,
                    ))
                    .await?;
                for event in events {
                    // One round trip per event, as a store without a transaction would make.
                    tokio::time::sleep(Duration::from_micros(300)).await;
                    let next = self
                        .inner
                        .append_events(&append.stream, ExpectedVersion::Any, [event])
                        .await?;
                    result.last = next.last;
                }
                Ok(result)
            }
            Flaw::ReadsPastUncommitted => {
                let result = self.inner.append(append).await?;
                self.commit_late(std::slice::from_ref(&result)).await;
                Ok(result)
            }
            Flaw::DeleteRestartsNumbering => {
                let stream = append.stream.clone();
                append.expected = self.unshift(&stream, append.expected);
                self.inner.append(append).await.map(|r| self.shift(r))
            }
            _ => self.inner.append(append).await,
        };
        if result.is_ok() {
            self.commits.notify();
        }
        result
    }

    async fn append_multi(&self, appends: Vec<StreamAppend>) -> Result<Vec<AppendResult>> {
        let appends: Vec<_> = appends
            .into_iter()
            .map(|mut a| {
                a.events = self.mangle(a.events);
                if self.flaw == Flaw::IgnoresExpectedVersion {
                    a.expected = ExpectedVersion::Any;
                }
                a
            })
            .collect();
        let results = match self.flaw {
            Flaw::PartialMultiAppend => {
                let mut results = Vec::new();
                for append in appends {
                    results.push(self.inner.append(append).await?);
                }
                Ok(results)
            }
            Flaw::ReadsPastUncommitted => {
                let results = self.inner.append_multi(appends).await?;
                self.commit_late(&results).await;
                Ok(results)
            }
            Flaw::LocksStreamsInCallOrder => {
                let streams = appends.iter().map(|a| a.stream.clone()).collect();
                self.locked(streams, self.inner.append_multi(appends)).await
            }
            Flaw::WritesOneByOne => {
                let mut results = Vec::new();
                for append in appends {
                    if !results.is_empty() {
                        // One round trip per stream, as a store without a transaction would make.
                        tokio::time::sleep(Duration::from_micros(300)).await;
                    }
                    results.push(self.inner.append(append).await?);
                }
                Ok(results)
            }
            Flaw::ConflictReservesIds => {
                self.refuse_reserved(&appends)?;
                let result = self.inner.append_multi(appends.clone()).await;
                self.reserve_on_conflict(&appends, &result);
                result
            }
            _ => self.inner.append_multi(appends).await,
        };
        if results.is_ok() {
            self.commits.notify();
        }
        results
    }
}
