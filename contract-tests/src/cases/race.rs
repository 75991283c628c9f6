//! Forcing races: racing tasks meet at a start line and go together, every store call they make
//! is bounded, and a racer that fails stops the others.
//!
//! A case that needs a race makes it happen: its tasks wait at a [`StartLine`] (a
//! `tokio::sync::Barrier`) and are released at once, round after round, so their calls overlap
//! even on a store whose appends take a microsecond. Where a case checks "exactly one winner per
//! version", every racer reads the version it will expect *before* the line, so every racer
//! contends whatever the timing.

use std::{future::Future, panic, sync::Arc, time::Duration};

use es_core::Error;
use tokio::{sync::Barrier, task::JoinSet};

/// How long a racer waits at the start line for the others, and how long one store call may
/// take, before the case fails instead of hanging (a lock-order deadlock, a lost wake-up).
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// How often a call that failed with a retryable backend error (a deadlock victim, a
/// serialization failure: nothing was applied) is made again before the case gives up.
const RETRIES: usize = 100;

/// Where racing tasks meet: each waits in [`go`](StartLine::go) until all have arrived, then
/// all run at once. Reusable: call `go` once per round (twice to also wait until every racer
/// has finished the round).
#[derive(Clone, Debug)]
pub(crate) struct StartLine(Arc<Barrier>);

impl StartLine {
    /// A line for `places` tasks.
    pub(crate) fn new(places: usize) -> Self {
        Self(Arc::new(Barrier::new(places)))
    }

    /// Waits until every place is taken, then returns in all tasks together (bounded).
    pub(crate) async fn go(&self) {
        if tokio::time::timeout(PATIENCE, self.0.wait()).await.is_err() {
            panic!(
                "a racer waited {PATIENCE:?} at the start line for the others: another racer failed or hangs"
            );
        }
    }
}

/// Spawns `racers` tasks, `body(index, line)` each, on one start line of `racers` places, and
/// returns their outputs in index order. A racer's panic fails the case with its own message;
/// the other racers are stopped, so none outlives the case.
pub(crate) async fn race<T, Fut>(racers: usize, body: impl Fn(usize, StartLine) -> Fut) -> Vec<T>
where
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    race_on(StartLine::new(racers), racers, body).await
}

/// [`race`] on a line the caller made, with places for others too (a reader that starts with
/// the writers).
pub(crate) async fn race_on<T, Fut>(
    line: StartLine,
    racers: usize,
    body: impl Fn(usize, StartLine) -> Fut,
) -> Vec<T>
where
    T: Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let mut tasks = JoinSet::new();
    for index in 0..racers {
        let run = body(index, line.clone());
        tasks.spawn(async move { (index, run.await) });
    }
    let mut outputs: Vec<Option<T>> = (0..racers).map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        let (index, output) = joined_or_fail(joined);
        outputs[index] = Some(output);
    }
    outputs.into_iter().flatten().collect()
}

/// One task that is stopped when the case ends, however it ends.
#[derive(Debug)]
pub(crate) struct Guarded<T>(JoinSet<T>);

/// Spawns `task`; [`Guarded::join`] waits for it, and dropping the guard stops it.
pub(crate) fn spawn_guarded<T: Send + 'static>(
    task: impl Future<Output = T> + Send + 'static,
) -> Guarded<T> {
    let mut set = JoinSet::new();
    set.spawn(task);
    Guarded(set)
}

impl<T: 'static> Guarded<T> {
    /// The task's output; its panic fails the case with the task's own message.
    pub(crate) async fn join(mut self) -> T {
        match self.0.join_next().await {
            Some(joined) => joined_or_fail(joined),
            None => panic!("a guarded task vanished"),
        }
    }
}

fn joined_or_fail<T>(joined: Result<T, tokio::task::JoinError>) -> T {
    match joined {
        Ok(output) => output,
        Err(error) if error.is_panic() => panic::resume_unwind(error.into_panic()),
        Err(error) => panic!("a racing task was stopped: {error}"),
    }
}

/// `call`, failing the case (with `what`) if it takes longer than [`PATIENCE`].
pub(crate) async fn bounded<T>(what: &str, call: impl Future<Output = T>) -> T {
    match tokio::time::timeout(PATIENCE, call).await {
        Ok(output) => output,
        Err(_) => panic!(
            "{what} did not finish within {PATIENCE:?}: the store hangs (racing multi-stream appends that lock their streams in call order deadlock, for one)"
        ),
    }
}

/// Makes `call` (bounded) until it does not fail with a retryable backend error: a deadlock
/// victim or a serialization failure applied nothing, and a store may answer so under a race.
/// Conflicts, unavailability and every other answer are returned as they are.
pub(crate) async fn settled_call<T, Fut>(what: &str, call: impl Fn() -> Fut) -> es_core::Result<T>
where
    Fut: Future<Output = es_core::Result<T>>,
{
    for _ in 0..RETRIES {
        match bounded(what, call()).await {
            Err(Error::Backend {
                retryable: true, ..
            }) => tokio::task::yield_now().await,
            other => return other,
        }
    }
    panic!("{what} failed with a retryable backend error {RETRIES} times in a row")
}
