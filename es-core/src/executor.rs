//! The command executor: load, decide, append with `Exact(version)`, retry what can be retried.

use std::time::Duration;

use tracing::Instrument;

use crate::{
    Aggregate, AppendResult, CommandEnvelope, DomainEvent, Error, EventStore, ExpectedVersion,
    Metadata, NewEvent, Repository, StreamAppend, StreamId, repository::Found,
};

/// How the executor retries: conflicts (decide again on fresh state), unavailable stores and
/// retryable backend failures (re-send the very same events, which the store stores at most
/// once).
///
/// Delays grow exponentially from `base_delay` up to `max_delay`, each drawn uniformly from
/// zero to that bound ("full jitter"), so racing writers spread out.
///
/// ```
/// use es_core::RetryPolicy;
/// use std::time::Duration;
///
/// let patient = RetryPolicy { max_attempts: 20, ..RetryPolicy::default() };
/// assert!(patient.delay(3) <= Duration::from_millis(200));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (at least 1).
    pub max_attempts: u32,
    /// The delay bound before the second attempt.
    pub base_delay: Duration,
    /// The largest delay bound.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 10,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(200),
        }
    }
}

impl RetryPolicy {
    /// No retries: one attempt.
    pub const NEVER: Self = Self {
        max_attempts: 1,
        base_delay: Duration::ZERO,
        max_delay: Duration::ZERO,
    };

    /// The jittered delay before retry number `retry` (1 for the first retry).
    pub fn delay(&self, retry: u32) -> Duration {
        let bound = self
            .base_delay
            .saturating_mul(1u32 << retry.saturating_sub(1).min(20))
            .min(self.max_delay);
        let nanos = u64::try_from(bound.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(fastrand::u64(0..=nanos))
    }
}

/// Why a command was not executed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecuteError<E: std::error::Error + 'static> {
    /// The aggregate refused the command. Nothing was stored.
    #[error("command rejected: {0}")]
    Rejected(#[source] E),
    /// The store failed (see the inner error's kind for what to do).
    #[error(transparent)]
    Store(#[from] Error),
    /// Every attempt met a concurrent writer. Nothing of this command was stored.
    #[error(
        "stream {stream} kept changing under the command: {attempts} attempts all conflicted; retry later or raise RetryPolicy::max_attempts"
    )]
    TooManyConflicts {
        /// The contended stream.
        stream: StreamId,
        /// How many attempts were made.
        attempts: u32,
    },
}

/// What an executed command did.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Executed<A: Aggregate> {
    /// The events the command caused (empty when it caused none). For a redelivery, the
    /// events the first delivery stored, when the load saw them.
    pub events: Vec<A::Event>,
    /// The state after them.
    pub state: A,
    /// Where they were stored (`None` when there were none, or for a redelivery whose first
    /// delivery lies before the snapshot).
    pub appended: Option<AppendResult>,
    /// How many attempts it took (1 without retries).
    pub attempts: u32,
    /// The command's idempotency key had been executed on this stream before: nothing new was
    /// stored.
    pub redelivered: bool,
}

/// One command of a unit of work, borrowed for the attempts.
struct Part<'a, C> {
    stream: &'a StreamId,
    command: &'a C,
    metadata: &'a Metadata,
    key: Option<uuid::Uuid>,
}

/// One attempt's decision for one stream.
struct Decided<A: Aggregate> {
    found: Found<A>,
    events: Vec<A::Event>,
    batch: Vec<NewEvent>,
}

impl<A: Aggregate, S: EventStore> Repository<A, S> {
    /// Loads stream `id`, lets the aggregate decide on `command`, and appends the events with
    /// the version it decided on. On a conflict it loads and decides again; when the store is
    /// unavailable it re-sends the same events (same ids), so a lost acknowledgement never
    /// stores them twice. Retries follow the [`RetryPolicy`].
    pub async fn execute(
        &self,
        id: &StreamId,
        command: &A::Command,
        services: &A::Services,
    ) -> Result<Executed<A>, ExecuteError<A::Error>> {
        let metadata = Metadata::default();
        let part = Part {
            stream: id,
            command,
            metadata: &metadata,
            key: None,
        };
        self.execute_part(part, services).await
    }

    /// [`execute`](Self::execute) for a command in an envelope: its metadata goes on every
    /// event, and with an idempotency key a second delivery stores nothing (it returns the
    /// first delivery's events with [`Executed::redelivered`] set).
    pub async fn execute_envelope(
        &self,
        id: &StreamId,
        envelope: &CommandEnvelope<A::Command>,
        services: &A::Services,
    ) -> Result<Executed<A>, ExecuteError<A::Error>> {
        let part = Part {
            stream: id,
            command: &envelope.command,
            metadata: &envelope.metadata,
            key: envelope.idempotency_key,
        };
        self.execute_part(part, services).await
    }

    async fn execute_part(
        &self,
        part: Part<'_, A::Command>,
        services: &A::Services,
    ) -> Result<Executed<A>, ExecuteError<A::Error>> {
        let span = tracing::info_span!("execute", stream = %part.stream, aggregate = A::NAME,
            attempts = tracing::field::Empty, events = tracing::field::Empty);
        async {
            let mut executed = self.run(std::slice::from_ref(&part), services).await?;
            let executed = executed.pop().ok_or_else(|| Error::Backend {
                message: "the executor lost its one result; please report this bug".into(),
                retryable: false,
                source: None,
            })?;
            let span = tracing::Span::current();
            span.record("attempts", executed.attempts);
            span.record("events", executed.events.len());
            Ok(executed)
        }
        .instrument(span)
        .await
    }

    /// A unit of work over several aggregates of this kind: loads each stream, lets each decide
    /// on its command, and appends every stream's events in one
    /// [`append_multi`](crate::EventWriter::append_multi) with every stream's `Exact`
    /// expectation, so all are stored or none (a money transfer debits and credits, or neither).
    /// If any aggregate refuses, nothing is stored; on a conflict on any stream all decide
    /// again. Results come in the order of `commands`.
    pub async fn execute_together(
        &self,
        commands: &[(StreamId, CommandEnvelope<A::Command>)],
        services: &A::Services,
    ) -> Result<Vec<Executed<A>>, ExecuteError<A::Error>> {
        let span = tracing::info_span!(
            "execute_together",
            aggregate = A::NAME,
            streams = commands.len(),
            attempts = tracing::field::Empty
        );
        let parts: Vec<_> = commands
            .iter()
            .map(|(stream, envelope)| Part {
                stream,
                command: &envelope.command,
                metadata: &envelope.metadata,
                key: envelope.idempotency_key,
            })
            .collect();
        async {
            let executed = self.run(&parts, services).await?;
            if let Some(first) = executed.first() {
                tracing::Span::current().record("attempts", first.attempts);
            }
            Ok(executed)
        }
        .instrument(span)
        .await
    }

    async fn run(
        &self,
        parts: &[Part<'_, A::Command>],
        services: &A::Services,
    ) -> Result<Vec<Executed<A>>, ExecuteError<A::Error>> {
        let max_attempts = self.retry.max_attempts.max(1);
        let mut attempt = 0;
        let mut contended = parts.first().map(|p| p.stream.clone());
        'decide: while attempt < max_attempts {
            attempt += 1;
            let mut decided = Vec::with_capacity(parts.len());
            for part in parts {
                decided.push(self.decide(part, services).await?);
            }
            if decided.iter().any(|d| !d.found.earlier.is_empty()) {
                return Ok(decided
                    .into_iter()
                    .map(|d| redelivered(d.found, attempt))
                    .collect());
            }
            if decided.iter().all(|d| d.batch.is_empty()) {
                return Ok(decided
                    .into_iter()
                    .map(|d| Executed {
                        events: d.events,
                        state: d.found.loaded.state,
                        appended: None,
                        attempts: attempt,
                        redelivered: false,
                    })
                    .collect());
            }
            let appends: Vec<StreamAppend> = parts
                .iter()
                .zip(&decided)
                .filter(|(_, d)| !d.batch.is_empty())
                .map(|(part, d)| {
                    StreamAppend::new(
                        part.stream.clone(),
                        ExpectedVersion::from_current(d.found.loaded.version()),
                        d.batch.clone(),
                    )
                    .with_head(d.found.loaded.head)
                })
                .collect();
            loop {
                let written = if let [append] = appends.as_slice() {
                    self.store.append(append.clone()).await.map(|r| vec![r])
                } else {
                    self.store.append_multi(appends.clone()).await
                };
                match written {
                    Ok(results) if resent_earlier(parts, &decided, &results) => {
                        // The store recognised an exact re-send of events an earlier delivery
                        // stored before what this attempt loaded (behind the snapshot): they are
                        // the events decided now, already in the loaded state, stored where the
                        // store says.
                        let mut results = results.into_iter();
                        return Ok(decided
                            .into_iter()
                            .map(|d| {
                                let appended = if d.batch.is_empty() {
                                    None
                                } else {
                                    results.next()
                                };
                                Executed {
                                    events: d.events,
                                    state: d.found.loaded.state,
                                    appended,
                                    attempts: attempt,
                                    redelivered: true,
                                }
                            })
                            .collect());
                    }
                    Ok(results) => return Ok(self.commit(parts, decided, results, attempt).await),
                    Err(Error::Conflict { stream, .. }) => {
                        contended = Some(stream);
                        if attempt >= max_attempts {
                            break 'decide;
                        }
                        tracing::debug!(attempt, "conflict; deciding again");
                        tokio::time::sleep(self.retry.delay(attempt)).await;
                        continue 'decide;
                    }
                    Err(Error::DuplicateEventId { id, .. })
                        if parts.iter().any(|p| p.key.is_some())
                            && appends.iter().any(|a| a.events.iter().any(|e| e.id == id)) =>
                    {
                        // Ids derived from the key are taken: an earlier delivery stored this
                        // command (before the snapshot the load started from).
                        return Ok(decided
                            .into_iter()
                            .map(|d| redelivered(d.found, attempt))
                            .collect());
                    }
                    Err(error) if error.is_retryable() && attempt < max_attempts => {
                        tracing::debug!(attempt, %error, "store failed; re-sending the same events");
                        tokio::time::sleep(self.retry.delay(attempt)).await;
                        attempt += 1;
                    }
                    Err(error) => return Err(error.into()),
                }
            }
        }
        Err(ExecuteError::TooManyConflicts {
            stream: contended.unwrap_or_else(|| parts[0].stream.clone()),
            attempts: attempt,
        })
    }

    async fn decide(
        &self,
        part: &Part<'_, A::Command>,
        services: &A::Services,
    ) -> Result<Decided<A>, ExecuteError<A::Error>> {
        let found = self.load_watching(part.stream, part.key).await?;
        if !found.earlier.is_empty() {
            return Ok(Decided {
                found,
                events: Vec::new(),
                batch: Vec::new(),
            });
        }
        let events = found
            .loaded
            .state
            .handle(part.command, services)
            .map_err(ExecuteError::Rejected)?;
        let batch = events
            .iter()
            .enumerate()
            .map(|(index, event)| {
                Ok(event
                    .to_new_event(part.metadata.clone())?
                    .with_id(crate::envelope::event_id(part.key, part.stream, index)))
            })
            .collect::<Result<Vec<NewEvent>, Error>>()?;
        Ok(Decided {
            found,
            events,
            batch,
        })
    }

    async fn commit(
        &self,
        parts: &[Part<'_, A::Command>],
        decided: Vec<Decided<A>>,
        results: Vec<AppendResult>,
        attempt: u32,
    ) -> Vec<Executed<A>> {
        let mut results = results.into_iter();
        let mut executed = Vec::with_capacity(decided.len());
        for (part, d) in parts.iter().zip(decided) {
            let before = d.found.loaded.version();
            let mut state = d.found.loaded.state;
            let appended = if d.batch.is_empty() {
                None
            } else {
                results.next()
            };
            for event in &d.events {
                state.apply(event);
            }
            if let Some(appended) = &appended {
                self.maybe_snapshot(part.stream, &state, before, appended.last)
                    .await;
            }
            executed.push(Executed {
                events: d.events,
                state,
                appended,
                attempts: attempt,
                redelivered: false,
            });
        }
        executed
    }
}

/// Whether the store answered a keyed part with the result of an earlier append: events at or
/// before the version the part decided on, which a fresh append can never have.
fn resent_earlier<A: Aggregate, C>(
    parts: &[Part<'_, C>],
    decided: &[Decided<A>],
    results: &[AppendResult],
) -> bool {
    let written = parts
        .iter()
        .zip(decided)
        .filter(|(_, d)| !d.batch.is_empty());
    written.zip(results).any(|((part, d), result)| {
        part.key.is_some() && Some(result.last.version) <= d.found.loaded.version()
    })
}

/// The result of a command whose events an earlier delivery stored.
fn redelivered<A: Aggregate>(found: Found<A>, attempts: u32) -> Executed<A> {
    let appended = match (found.earlier.first(), found.earlier.last()) {
        (Some(first), Some(last)) => Some(AppendResult::new(
            first.stream_id.clone(),
            first.event_ref(),
            last.event_ref(),
        )),
        _ => None,
    };
    let events = found
        .earlier
        .iter()
        .filter_map(|recorded| A::Event::from_recorded(recorded).ok())
        .collect();
    Executed {
        events,
        state: found.loaded.state,
        appended,
        attempts,
        redelivered: true,
    }
}
