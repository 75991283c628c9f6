//! The command executor: load, decide, append with `Exact(version)`, retry on conflict.

use std::time::Duration;

use tracing::Instrument;

use crate::{
    Aggregate, AppendResult, DomainEvent, Error, EventStore, ExpectedVersion, Metadata, NewEvent,
    Repository, StreamId,
};

/// How the executor retries: conflicts (decide again on fresh state) and unavailable stores
/// (re-send the very same events, which the store stores at most once).
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
    /// The store failed (see the inner error for what to do).
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
pub struct Executed<A: Aggregate> {
    /// The events the command caused (empty when it caused none).
    pub events: Vec<A::Event>,
    /// The state after them.
    pub state: A,
    /// Where they were stored (`None` when there were none).
    pub appended: Option<AppendResult>,
    /// How many attempts it took (1 without retries).
    pub attempts: u32,
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
        self.execute_with_metadata(id, command, services, &Metadata::default())
            .await
    }

    /// [`execute`](Repository::execute), stamping every event with `metadata` (correlation
    /// and causation ids, user keys).
    pub async fn execute_with_metadata(
        &self,
        id: &StreamId,
        command: &A::Command,
        services: &A::Services,
        metadata: &Metadata,
    ) -> Result<Executed<A>, ExecuteError<A::Error>> {
        let span = tracing::info_span!("execute", stream = %id, aggregate = A::NAME,
            attempts = tracing::field::Empty, events = tracing::field::Empty);
        async {
            let max_attempts = self.retry.max_attempts.max(1);
            let mut attempt = 0;
            'decide: while attempt < max_attempts {
                attempt += 1;
                let loaded = self.load(id).await?;
                let events = loaded
                    .state
                    .handle(command, services)
                    .map_err(ExecuteError::Rejected)?;
                if events.is_empty() {
                    return Ok(Executed { events, state: loaded.state, appended: None, attempts: attempt });
                }
                let batch = events
                    .iter()
                    .map(|event| event.to_new_event(metadata.clone()))
                    .collect::<Result<Vec<NewEvent>, Error>>()?;
                let expected = ExpectedVersion::from_current(loaded.version);
                loop {
                    match self.store.append(id, expected, batch.clone()).await {
                        Ok(appended) => {
                            let mut state = loaded.state;
                            for event in &events {
                                state.apply(event);
                            }
                            self.maybe_snapshot(id, &state, loaded.version, appended.last_version)
                                .await;
                            let span = tracing::Span::current();
                            span.record("attempts", attempt);
                            span.record("events", events.len());
                            return Ok(Executed { events, state, appended: Some(appended), attempts: attempt });
                        }
                        Err(Error::Conflict { .. }) if attempt < max_attempts => {
                            tracing::debug!(attempt, "conflict; deciding again");
                            tokio::time::sleep(self.retry.delay(attempt)).await;
                            continue 'decide;
                        }
                        Err(Error::Conflict { .. }) => break 'decide,
                        Err(Error::Unavailable { message, .. }) if attempt < max_attempts => {
                            tracing::debug!(attempt, %message, "store unavailable; re-sending the same events");
                            tokio::time::sleep(self.retry.delay(attempt)).await;
                            attempt += 1;
                        }
                        Err(error) => return Err(error.into()),
                    }
                }
            }
            Err(ExecuteError::TooManyConflicts { stream: id.clone(), attempts: attempt })
        }
        .instrument(span)
        .await
    }
}
