//! Runs one sequence of operations against a store and the reference, comparing every answer.

use std::collections::HashMap;

use es_core::{
    AppendResult, Category, EventFilter, EventId, EventStore, EventType, EventWriterExt,
    ExpectedVersion, NewEvent, PageState, Position, ReadAll, ReadStream, RecordedEvent,
    StreamAppend, StreamId, StreamLifecycle, Version,
};
use futures_util::future::BoxFuture;

use super::{
    answers::{abstract_error, events, stream},
    ops::{Op, ReadFilter},
    reference::{Answer, Reference},
};

/// Deletes streams for a model run whose store can (object-safe, so a run over any store can
/// take one or none).
pub trait Deleter: Send + Sync {
    /// `delete_stream` (soft) or `tombstone_stream` (`hard`).
    fn delete<'a>(
        &'a self,
        stream: &'a StreamId,
        expected: ExpectedVersion,
        hard: bool,
    ) -> BoxFuture<'a, es_core::Result<()>>;
}

impl<T: StreamLifecycle> Deleter for T {
    fn delete<'a>(
        &'a self,
        stream: &'a StreamId,
        expected: ExpectedVersion,
        hard: bool,
    ) -> BoxFuture<'a, es_core::Result<()>> {
        if hard {
            Box::pin(self.tombstone_stream(stream, expected))
        } else {
            Box::pin(self.delete_stream(stream, expected))
        }
    }
}

/// What one run remembers besides the reference: what was sent, and what the store said.
struct Run<'a, S> {
    store: &'a S,
    deleter: Option<&'a dyn Deleter>,
    reference: Reference,
    /// Every single-stream append sent so far, for re-sends and id reuse.
    sent: Vec<(StreamId, ExpectedVersion, Vec<NewEvent>)>,
    /// The store's answer to each fresh append, by its first event's id.
    results: HashMap<EventId, AppendResult>,
    /// Every position the store reported, by event id: it must never change.
    positions: HashMap<EventId, Position>,
    /// The highest position the store reported so far.
    high: Option<Position>,
}

impl<S: EventStore> Run<'_, S> {
    /// Compares an append's answers; on a fresh write also checks positions rise.
    fn appended(
        &mut self,
        store: es_core::Result<Vec<AppendResult>>,
        model: Answer,
        batches: &[&[NewEvent]],
    ) -> Result<(), String> {
        match (store, model) {
            (Ok(results), Answer::Appended(wanted)) => {
                let got: Vec<_> = results
                    .iter()
                    .map(|r| {
                        (
                            r.stream_id.clone(),
                            r.first.version.get(),
                            r.last.version.get(),
                        )
                    })
                    .collect();
                if got != wanted {
                    return Err(format!(
                        "appended {got:?}, the reference appended {wanted:?}"
                    ));
                }
                let floor = self.high;
                for (result, batch) in results.into_iter().zip(batches) {
                    if floor.is_some_and(|floor| result.first.position <= floor)
                        || result.last.position < result.first.position
                    {
                        return Err(format!(
                            "positions {}..={} do not rise above {floor:?}",
                            result.first.position, result.last.position
                        ));
                    }
                    if result.first.id != batch[0].id || result.last.id != batch[batch.len() - 1].id
                    {
                        return Err(format!(
                            "the result {result:?} does not name the batch's first and last ids"
                        ));
                    }
                    self.high = self.high.max(Some(result.last.position));
                    self.know(batch[0].id, result.first.position)?;
                    self.know(batch[batch.len() - 1].id, result.last.position)?;
                    self.results.insert(batch[0].id, result);
                }
                Ok(())
            }
            (Ok(results), Answer::Resent(firsts)) => {
                let wanted: Vec<_> = firsts
                    .iter()
                    .map(|id| self.results.get(id).cloned())
                    .collect();
                let got: Vec<_> = results.into_iter().map(Some).collect();
                if got == wanted {
                    Ok(())
                } else {
                    Err(format!(
                        "a re-send answered {got:?}, the original answer was {wanted:?}"
                    ))
                }
            }
            (Ok(results), model) => Err(format!(
                "the store appended {results:?}; the reference answered {model:?}"
            )),
            (Err(error), model) => {
                let got = abstract_error(&error);
                if got == model {
                    Ok(())
                } else {
                    Err(format!(
                        "the store answered {error} ({got:?}); the reference answered {model:?}"
                    ))
                }
            }
        }
    }

    fn know(&mut self, id: EventId, position: Position) -> Result<(), String> {
        match self.positions.insert(id, position) {
            Some(before) if before != position => Err(format!(
                "event {id} moved from position {before} to {position}"
            )),
            _ => Ok(()),
        }
    }

    /// Compares events read with the reference's ids, content and known positions.
    fn read(
        &mut self,
        got: es_core::Result<Vec<RecordedEvent>>,
        wanted: Answer,
        what: &str,
    ) -> Result<(), String> {
        let got = match (got, wanted) {
            (Ok(got), Answer::Events(wanted)) => (got, wanted),
            (Err(error), wanted) if abstract_error(&error) == wanted => return Ok(()),
            (Err(error), wanted) => {
                return Err(format!(
                    "{what}: the store answered {error}; the reference {wanted:?}"
                ));
            }
            (Ok(got), wanted) => {
                return Err(format!(
                    "{what}: the store read {} events; the reference answered {wanted:?}",
                    got.len()
                ));
            }
        };
        let (got, wanted) = got;
        let ids: Vec<_> = got.iter().map(|e| e.id).collect();
        if ids != wanted {
            let expected: Option<Vec<_>> = wanted
                .iter()
                .map(|id| self.reference.get(id).map(|stored| stored.new.clone()))
                .collect();
            return Err(
                match expected.and_then(|e| crate::cases::mismatch(&got, &e)) {
                    Some(why) => format!("{what}: {why}"),
                    None => format!(
                        "{what}: read {} events {ids:?}, the reference has {} {wanted:?}",
                        ids.len(),
                        wanted.len()
                    ),
                },
            );
        }
        for event in &got {
            let Some(stored) = self.reference.get(&event.id).filter(|s| s.live) else {
                return Err(format!(
                    "{what}: event {} is not in the reference",
                    event.id
                ));
            };
            if !event.matches(&stored.new)
                || event.stream_id != stored.stream
                || event.version.get() != stored.version
            {
                return Err(format!(
                    "{what}: event {} came back as {event:?}, the reference has {stored:?}",
                    event.id
                ));
            }
            self.know(event.id, event.position)?;
        }
        Ok(())
    }

    /// Everything in pages of 7 against the reference's live events, then a first page of
    /// `first` and the page of `then` after its checkpoint, filtered.
    async fn read_all(
        &mut self,
        first: usize,
        then: usize,
        filter: ReadFilter,
    ) -> Result<(), String> {
        let live: Vec<_> = self.reference.live().iter().map(|e| e.new.id).collect();
        let (whole, _) =
            crate::cases::read_all_pages(self.store, ReadAll::from_beginning().limit(7)).await?;
        self.read(
            Ok(whole),
            Answer::Events(live),
            "read_all from the beginning in pages of 7",
        )?;
        let (store_filter, keep): (EventFilter, fn(&super::reference::Stored) -> bool) =
            match filter {
                ReadFilter::All => (EventFilter::all(), |_| true),
                ReadFilter::EvenType => (
                    EventFilter::all().with_event_types(EventType::new("Even")),
                    |e| e.new.event_type.as_str() == "Even",
                ),
                ReadFilter::ModelCategory => (
                    EventFilter::all().with_categories(Category::new("model")),
                    |e| e.stream.as_str().starts_with("model-"),
                ),
            };
        let wanted: Vec<_> = self
            .reference
            .live()
            .into_iter()
            .filter(|e| keep(e))
            .map(|e| e.new.id)
            .collect();
        let page = self
            .page(
                ReadAll::from_beginning()
                    .limit(first)
                    .filter(store_filter.clone()),
            )
            .await?;
        let head: Vec<_> = wanted.iter().take(first).copied().collect();
        let what = format!("read_all {filter:?} first page of {first}");
        if page.events.len() < first && page.state != PageState::CaughtUp {
            return Err(format!(
                "{what}: a short page said {:?}, not CaughtUp",
                page.state
            ));
        }
        self.read(Ok(page.events), Answer::Events(head), &what)?;
        let next = self
            .page(
                ReadAll::after(page.checkpoint)
                    .limit(then)
                    .filter(store_filter),
            )
            .await?;
        let tail: Vec<_> = wanted.iter().skip(first).take(then).copied().collect();
        self.read(
            Ok(next.events),
            Answer::Events(tail),
            &format!("read_all {filter:?} page of {then} after the first page's checkpoint"),
        )
    }

    /// One page, read again while it is held back (nothing else writes during a model run).
    async fn page(&self, request: ReadAll) -> Result<es_core::Page, String> {
        for _ in 0..1_000 {
            let page = self
                .store
                .read_all(request.clone())
                .await
                .map_err(|e| format!("read_all({:?}) failed: {e}", request.start))?;
            if page.state != PageState::HeldBack {
                return Ok(page);
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        Err(format!(
            "read_all({:?}) stayed held back with nothing else writing",
            request.start
        ))
    }

    async fn step(&mut self, index: usize, op: &Op) -> Result<(), String> {
        match op {
            Op::Append {
                stream: s,
                expect,
                count,
                repeat_id,
            } => {
                let (s, expected) = (stream(*s), expect.to_expected());
                let mut batch = events(index, 0, *count);
                if *repeat_id && batch.len() >= 2 {
                    batch[1].id = batch[0].id;
                }
                self.sent.push((s.clone(), expected, batch.clone()));
                let model = self.reference.append(&s, expected, &batch);
                let got = self
                    .store
                    .append_events(&s, expected, batch.clone())
                    .await
                    .map(|r| vec![r]);
                self.appended(got, model, &[&batch])
            }
            Op::AppendMulti { parts } => {
                let parts: Vec<_> = parts
                    .iter()
                    .enumerate()
                    .map(|(n, (s, e, c))| (stream(*s), e.to_expected(), events(index, n, *c)))
                    .collect();
                let model = self.reference.append_multi(&parts);
                let appends = parts
                    .iter()
                    .map(|(s, e, ev)| StreamAppend::new(s.clone(), *e, ev.clone()))
                    .collect();
                let got = self.store.append_multi(appends).await;
                let batches: Vec<&[NewEvent]> = parts.iter().map(|p| p.2.as_slice()).collect();
                self.appended(got, model, &batches)
            }
            Op::Resend { which } => {
                if self.sent.is_empty() {
                    return Ok(());
                }
                let (s, expected, batch) = self.sent[which % self.sent.len()].clone();
                let model = self.reference.append(&s, expected, &batch);
                let got = self
                    .store
                    .append_events(&s, expected, batch.clone())
                    .await
                    .map(|r| vec![r]);
                self.appended(got, model, &[&batch])
            }
            Op::ReuseId { which, stream: s } => {
                let Some(first) = self
                    .sent
                    .iter()
                    .filter_map(|(_, _, b)| b.first())
                    .nth(which % self.sent.len().max(1))
                else {
                    return Ok(());
                };
                let s = stream(*s);
                let batch = vec![events(index, 9, 1)[0].clone().with_id(first.id)];
                self.sent
                    .push((s.clone(), ExpectedVersion::Any, batch.clone()));
                let model = self.reference.append(&s, ExpectedVersion::Any, &batch);
                let got = self
                    .store
                    .append_events(&s, ExpectedVersion::Any, batch.clone())
                    .await
                    .map(|r| vec![r]);
                self.appended(got, model, &[&batch])
            }
            Op::ReadStream {
                stream: s,
                backward,
                from,
                limit,
            } => {
                let mut read = if *backward {
                    ReadStream::backward()
                } else {
                    ReadStream::forward()
                };
                if let Some(from) = from.and_then(Version::new) {
                    read = read.from_version(from);
                }
                if let Some(limit) = limit {
                    read = read.limit(*limit);
                }
                let s = stream(*s);
                let wanted = self.reference.read_stream(&s, read);
                let got = self.store.read_stream(&s, read).await;
                self.read(got, wanted, &format!("read_stream({s}, {read:?})"))
            }
            Op::ReadAll {
                first,
                then,
                filter,
            } => self.read_all(*first, *then, *filter).await,
            Op::StreamHead { stream: s } => {
                let s = stream(*s);
                let got = match self.store.stream_head(&s).await {
                    Ok(head) => {
                        if let Some(head) = head {
                            self.know(head.id, head.position)?;
                        }
                        Answer::Head(head.map(|h| (h.version.get(), h.id)))
                    }
                    Err(error) => abstract_error(&error),
                };
                let wanted = self.reference.stream_head(&s);
                if got == wanted {
                    Ok(())
                } else {
                    Err(format!(
                        "stream_head({s}) is {got:?}, the reference has {wanted:?}"
                    ))
                }
            }
            Op::Delete {
                stream: s,
                expect,
                hard,
            } => {
                let Some(deleter) = self.deleter else {
                    return Ok(());
                };
                let (s, expected) = (stream(*s), expect.to_expected());
                let wanted = self.reference.delete_stream(&s, expected, *hard);
                let got = match deleter.delete(&s, expected, *hard).await {
                    Ok(()) => Answer::Done,
                    Err(error) => abstract_error(&error),
                };
                if got == wanted {
                    Ok(())
                } else {
                    Err(format!(
                        "deleting {s} ({expected}, hard: {hard}) answered {got:?}, the reference {wanted:?}"
                    ))
                }
            }
        }
    }
}

/// Runs `ops` against `store` (fresh and empty) and the reference in the same order, deleting
/// through `deleter` when given (deletions are skipped otherwise); the first answer that differs
/// is the error, naming the step.
pub async fn run_ops<S: EventStore>(
    store: &S,
    deleter: Option<&dyn Deleter>,
    ops: &[Op],
) -> Result<(), String> {
    let mut run = Run {
        store,
        deleter,
        reference: Reference::default(),
        sent: Vec::new(),
        results: HashMap::new(),
        positions: HashMap::new(),
        high: None,
    };
    for (index, op) in ops.iter().enumerate() {
        run.step(index, op)
            .await
            .map_err(|why| format!("step {index} {op:?}: {why}"))?;
    }
    Ok(())
}
