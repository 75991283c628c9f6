//! How a broken store reads.

use std::time::Duration;

use es_core::{
    Checkpoint, Claims, EventReader, EventRef, Page, PageState, ReadAll, ReadStream, RecordedEvent,
    Result, Start, StreamId, Subscribe, Subscription, SubscriptionItem, Version, provider::CatchUp,
};

use super::{Broken, Flaw, GAP_STREAM};

impl EventReader for Broken {
    fn claims(&self) -> Claims {
        match self.flaw {
            Flaw::ClaimsBelowFloor => self.inner.claims().with_max_payload_bytes(1_000),
            Flaw::IgnoresCallLimit => self.inner.claims().with_append_limits(1_000, 2_000),
            _ => self.inner.claims(),
        }
    }

    async fn read_stream(&self, stream: &StreamId, read: ReadStream) -> Result<Vec<RecordedEvent>> {
        let mut read = read;
        match self.flaw {
            Flaw::ReversesStreams if read.direction == es_core::Direction::Forward => {
                let mut events = self.inner.read_stream(stream, read).await?;
                events.reverse();
                return Ok(events);
            }
            Flaw::ReadVersionsShifted => {
                let events = self.inner.read_stream(stream, read).await?;
                return Ok(events
                    .into_iter()
                    .map(|mut e| {
                        e.version = e.version.next().unwrap_or(e.version);
                        e
                    })
                    .collect());
            }
            Flaw::MissingStreamIsError if self.inner.stream_head(stream).await?.is_none() => {
                return Err(es_core::Error::Backend {
                    message: format!("no stream {stream}"),
                    retryable: false,
                    source: None,
                });
            }
            Flaw::IgnoresZeroLimit if read.limit == 0 => read.limit = usize::MAX,
            Flaw::LimitOffByOne if read.limit > 0 => read.limit = read.limit.saturating_add(1),
            Flaw::PastEndRepeatsLast if read.direction == es_core::Direction::Forward => {
                let events = self.inner.read_stream(stream, read).await?;
                if events.is_empty() && read.from.is_some() {
                    return self
                        .inner
                        .read_stream(stream, ReadStream::backward().limit(1))
                        .await;
                }
                return Ok(events);
            }
            _ => {}
        }
        if self.flaw == Flaw::BackwardIgnoresFrom && read.direction == es_core::Direction::Backward
        {
            read.from = None;
        }
        if self.flaw == Flaw::DeleteRestartsNumbering {
            let hidden = self.hidden(stream) as u64;
            if let Some(from) = read.from {
                read.from = Version::new(from.get() + hidden);
            }
            let events = self.inner.read_stream(stream, read).await?;
            return Ok(events
                .into_iter()
                .filter_map(|e| self.shift_event(e))
                .collect());
        }
        self.inner.read_stream(stream, read).await
    }

    async fn stream_head(&self, stream: &StreamId) -> Result<Option<EventRef>> {
        match self.flaw {
            Flaw::HeadIsFirstEvent => Ok(self
                .inner
                .read_stream(stream, ReadStream::forward().limit(1))
                .await?
                .first()
                .map(RecordedEvent::event_ref)),
            Flaw::DeleteRestartsNumbering => {
                let last = self
                    .read_stream(stream, ReadStream::backward().limit(1))
                    .await?;
                Ok(last.first().map(RecordedEvent::event_ref))
            }
            _ => self.inner.stream_head(stream).await,
        }
    }

    async fn read_all(&self, request: ReadAll) -> Result<Page> {
        match self.flaw {
            Flaw::EmptyPageNotCaughtUp => {
                let mut page = self.inner.read_all(request).await?;
                if page.events.is_empty() {
                    page.state = es_core::PageState::More;
                }
                Ok(page)
            }
            Flaw::NotFresh => {
                let start = request.start.clone();
                let mut page = self.inner.read_all(request).await?;
                if start == es_core::Start::Beginning {
                    page.events.insert(0, leftover());
                }
                Ok(page)
            }
            Flaw::CheckpointFallsBackToHead => {
                let mut page = self.inner.read_all(request).await?;
                if page.state == es_core::PageState::CaughtUp {
                    page.checkpoint = self.inner.read_all(ReadAll::from_head()).await?.checkpoint;
                }
                Ok(page)
            }
            Flaw::ReordersReadAll => {
                let mut page = self.inner.read_all(request).await?;
                page.events
                    .sort_by(|a, b| (&a.stream_id, a.version).cmp(&(&b.stream_id, b.version)));
                Ok(page)
            }
            Flaw::ResumeSkipsOne => {
                let mut request = request;
                if let Start::After(checkpoint) = &request.start {
                    let skip = self
                        .inner
                        .read_all(ReadAll::after(checkpoint.clone()).limit(1))
                        .await?;
                    request.start = Start::After(skip.checkpoint);
                }
                self.inner.read_all(request).await
            }
            Flaw::ReadsPastUncommitted => {
                let limit = request.limit;
                let everything = self.inner.read_all(request.limit(usize::MAX)).await?;
                let pending = self.pending.lock();
                let visible: Vec<_> = everything
                    .events
                    .into_iter()
                    .filter(|e| !pending.contains(&e.position))
                    .collect();
                if visible.len() > limit {
                    let page: Vec<_> = visible.into_iter().take(limit).collect();
                    let checkpoint = page
                        .last()
                        .map_or(Checkpoint::beginning(), |e| Checkpoint::after(e.position));
                    return Ok(Page::new(page, checkpoint, PageState::More));
                }
                Ok(Page::new(
                    visible,
                    everything.checkpoint,
                    PageState::CaughtUp,
                ))
            }
            Flaw::IgnoresFilter => {
                let mut request = request;
                request.filter = es_core::EventFilter::all();
                self.inner.read_all(request).await
            }
            Flaw::FilteredCheckpointStuck => {
                let start = request.start.clone();
                let mut page = self.inner.read_all(request).await?;
                if page.events.is_empty() {
                    if let Start::After(checkpoint) = start {
                        page.checkpoint = checkpoint;
                    } else {
                        page.checkpoint = Checkpoint::beginning();
                    }
                }
                Ok(page)
            }
            Flaw::DeleteRestartsNumbering => {
                let mut page = self.inner.read_all(request).await?;
                page.events = page
                    .events
                    .into_iter()
                    .filter_map(|e| self.shift_event(e))
                    .collect();
                Ok(page)
            }
            Flaw::GapsDespiteDenseClaim => {
                let mut page = self.inner.read_all(request).await?;
                page.events.retain(|e| e.stream_id.as_str() != GAP_STREAM);
                Ok(page)
            }
            _ => self.inner.read_all(request).await,
        }
    }

    async fn subscribe(&self, request: Subscribe) -> Result<Subscription> {
        match self.flaw {
            Flaw::SubscribeSkipsOne => {
                let mut request = request;
                if let Start::After(checkpoint) = &request.start {
                    let skip = self
                        .inner
                        .read_all(ReadAll::after(checkpoint.clone()).limit(1))
                        .await?;
                    request.start = Start::After(skip.checkpoint);
                }
                self.inner.subscribe(request).await
            }
            Flaw::NeverCaughtUp => {
                let mut inner = self.inner.subscribe(request).await?;
                Ok(Subscription::from_stream(async_stream(
                    move |tx| async move {
                        while let Some(item) = inner.next().await {
                            if matches!(item, Ok(SubscriptionItem::CaughtUp(_))) {
                                continue;
                            }
                            if tx.send(item).await.is_err() {
                                return;
                            }
                        }
                    },
                )))
            }
            Flaw::ReadsPastUncommitted
            | Flaw::ReordersReadAll
            | Flaw::ResumeSkipsOne
            | Flaw::IgnoresFilter
            | Flaw::FilteredCheckpointStuck
            | Flaw::DeleteRestartsNumbering => {
                CatchUp::new(self.clone(), request)
                    .page_size(64)
                    .wake_on(self.commits.listen())
                    .poll_every(Duration::from_millis(5))
                    .begin()
                    .await
            }
            _ => self.inner.subscribe(request).await,
        }
    }
}

/// A stream fed by a task: `body` sends items into the channel it is given.
fn async_stream<F, Fut>(
    body: F,
) -> impl futures_core::Stream<Item = Result<SubscriptionItem>> + Send + 'static
where
    F: FnOnce(tokio::sync::mpsc::Sender<Result<SubscriptionItem>>) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel(64);
    tokio::spawn(body(tx));
    futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    })
}

/// The event a store that is not fresh still holds from an earlier run.
fn leftover() -> RecordedEvent {
    let event = es_core::NewEvent::from_json("Leftover", "{}");
    let stream = StreamId::new("leftover-1");
    match (event, stream) {
        (Ok(event), Ok(stream)) => RecordedEvent::new(
            event,
            stream,
            Version::FIRST,
            es_core::Position::new(0),
            es_core::chrono::Utc::now(),
        ),
        _ => unreachable!("the leftover event is valid"),
    }
}
