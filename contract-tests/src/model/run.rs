//! Runs one sequence of operations against a store and the reference, comparing every answer.

use std::collections::HashMap;

use es_core::{
    AppendResult, Capabilities, EventId, EventStore, ExpectedVersion, NewEvent, Payload, Position,
    ReadStream, RecordedEvent, Snapshot, StreamAppend, StreamId, Version,
};

use super::{
    answers::{abstract_error, events, stream},
    ops::{Op, ReadFrom},
    reference::{Answer, Reference},
};

/// What one run remembers besides the reference: what was sent, and what the store said.
struct Run<'a, S> {
    store: &'a S,
    caps: Capabilities,
    reference: Reference,
    /// Every single-stream append sent so far, for re-sends and id reuse.
    sent: Vec<(StreamId, ExpectedVersion, Vec<NewEvent>)>,
    /// The store's answer to each fresh append, by its first event's id.
    results: HashMap<EventId, AppendResult>,
    /// Every position the store reported, by event id: it must never change.
    positions: HashMap<EventId, Position>,
    /// The highest position the store reported so far.
    high: Position,
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
                            r.first_version.get(),
                            r.last_version.get(),
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
                    if result.first_position <= floor
                        || result.last_position < result.first_position
                    {
                        return Err(format!(
                            "positions {}..={} do not rise above {floor}",
                            result.first_position, result.last_position
                        ));
                    }
                    self.high = self.high.max(result.last_position);
                    self.know(batch[0].id, result.first_position)?;
                    self.know(batch[batch.len() - 1].id, result.last_position)?;
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
        let got = got.map_err(|e| format!("{what}: the store failed: {e}"))?;
        let Answer::Events(wanted) = wanted else {
            return Err(format!("{what}: the reference answered {wanted:?}"));
        };
        let ids: Vec<_> = got.iter().map(|e| e.id).collect();
        if ids != wanted {
            return Err(format!(
                "{what}: read {} events {ids:?}, the reference has {} {wanted:?}",
                ids.len(),
                wanted.len()
            ));
        }
        for event in &got {
            let Some(stored) = self.reference.get(&event.id) else {
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
                    .append(&s, expected, batch.clone())
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
                    .append(&s, expected, batch.clone())
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
                    .append(&s, ExpectedVersion::Any, batch.clone())
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
            Op::ReadAll { from, limit } => {
                // Learn every position first (which checks the whole log), then resolve `from`.
                let live: Vec<_> = self.reference.live().iter().map(|e| e.new.id).collect();
                let whole = crate::cases::read_all_pages(self.store, Position::START, 7).await;
                let whole = whole?;
                if whole.windows(2).any(|w| w[0].position >= w[1].position) {
                    return Err("read_all positions do not strictly increase".to_owned());
                }
                self.read(
                    Ok(whole),
                    Answer::Events(live.clone()),
                    "read_all from the start in pages of 7",
                )?;
                let position = |n: usize| self.positions.get(&live[n]).copied().unwrap_or_default();
                let (start, skip) = match from {
                    ReadFrom::Start => (Position::START, 0),
                    _ if live.is_empty() => (self.high.next(), 0),
                    ReadFrom::At(i) => {
                        let n = i % live.len();
                        (position(n), n)
                    }
                    ReadFrom::After(i) => {
                        let n = i % live.len();
                        (position(n).next(), n + 1)
                    }
                    ReadFrom::PastEnd => (position(live.len() - 1).next(), live.len()),
                };
                let wanted: Vec<_> = live.iter().skip(skip).take(*limit).copied().collect();
                let got = self.store.read_all(start, *limit).await;
                self.read(
                    got,
                    Answer::Events(wanted),
                    &format!("read_all({start}, {limit})"),
                )
            }
            Op::StreamVersion { stream: s } => {
                let s = stream(*s);
                let got = self
                    .store
                    .stream_version(&s)
                    .await
                    .map_err(|e| format!("stream_version failed: {e}"))?;
                let got = Answer::Version(got.map(Version::get));
                let wanted = self.reference.stream_version(&s);
                if got == wanted {
                    Ok(())
                } else {
                    Err(format!(
                        "stream_version({s}) is {got:?}, the reference has {wanted:?}"
                    ))
                }
            }
            Op::SaveSnapshot { stream: s, version } => {
                if !self.caps.snapshots {
                    return Ok(());
                }
                let (s, state) = (
                    stream(*s),
                    Payload::from_json(format!(r#"{{"step":{index}}}"#))
                        .map_err(|e| e.to_string())?,
                );
                self.reference.save_snapshot(&s, *version, state.clone());
                let snapshot = Snapshot {
                    stream_id: s,
                    version: Version::new(*version).unwrap_or(Version::FIRST),
                    state,
                };
                self.store
                    .save_snapshot(snapshot)
                    .await
                    .map_err(|e| format!("save_snapshot failed: {e}"))
            }
            Op::LoadSnapshot { stream: s } => {
                if !self.caps.snapshots {
                    return Ok(());
                }
                let s = stream(*s);
                let got = self
                    .store
                    .load_snapshot(&s)
                    .await
                    .map_err(|e| format!("load_snapshot failed: {e}"))?;
                let wanted = self.reference.load_snapshot(&s);
                let same = match (&got, &wanted) {
                    (None, Answer::Snapshot(None)) => true,
                    (Some(got), Answer::Snapshot(Some((version, state)))) => {
                        got.version.get() == *version
                            && got.state.json_eq(state)
                            && got.stream_id == s
                    }
                    _ => false,
                };
                if same {
                    Ok(())
                } else {
                    Err(format!(
                        "load_snapshot({s}) is {got:?}, the reference has {wanted:?}"
                    ))
                }
            }
            Op::Delete { stream: s, expect } => {
                if !self.caps.delete_stream {
                    return Ok(());
                }
                let (s, expected) = (stream(*s), expect.to_expected());
                let doomed = self.reference.read_stream(&s, ReadStream::forward());
                let wanted = self.reference.delete_stream(&s, expected);
                if let (Answer::Done, Answer::Events(ids)) = (&wanted, doomed) {
                    // Deleted events may come back with the same ids at new positions.
                    for id in ids {
                        self.positions.remove(&id);
                    }
                }
                let got = match self.store.delete_stream(&s, expected).await {
                    Ok(()) => Answer::Done,
                    Err(error) => abstract_error(&error),
                };
                if got == wanted {
                    Ok(())
                } else {
                    Err(format!(
                        "delete_stream({s}, {expected}) answered {got:?}, the reference {wanted:?}"
                    ))
                }
            }
        }
    }
}

/// Runs `ops` against `store` (fresh and empty) and the reference in the same order; the first
/// answer that differs is the error, naming the step.
pub async fn run_ops<S: EventStore>(store: &S, ops: &[Op]) -> Result<(), String> {
    let mut run = Run {
        store,
        caps: store.capabilities(),
        reference: Reference::default(),
        sent: Vec::new(),
        results: HashMap::new(),
        positions: HashMap::new(),
        high: Position::START,
    };
    for (index, op) in ops.iter().enumerate() {
        run.step(index, op)
            .await
            .map_err(|why| format!("step {index} {op:?}: {why}"))?;
    }
    Ok(())
}
