//! Racing commands on one stream through the executor: concurrency handled end to end.

use std::fmt;

use es_core::{Aggregate, EventStore, ExecuteError};

use super::{StoreScenario, decode, gapless};
use crate::{checks, report};

/// One raced command and what became of it: its events, or why it was not executed.
pub type RaceOutcome<A> = (
    <A as Aggregate>::Command,
    Result<Vec<<A as Aggregate>::Event>, ExecuteError<<A as Aggregate>::Error>>,
);

/// The outcome of commands raced on one stream by
/// [`StoreScenario::when_racing`]: which were accepted, and the state the stream ended in.
///
/// Built-in checks, made before it is returned: versions are gapless; every accepted command's
/// events are stored exactly once, at the versions its append reported; rejected and failed
/// commands stored nothing; a reload equals a replay of everything stored.
///
/// ```
/// # use es_testkit::example::{Account, Command::*, Event::*};
/// # tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap().block_on(async {
/// es_testkit::StoreScenario::<Account>::new()
///     .given([Deposited { amount: 10 }])
///     .when_racing([Withdraw { amount: 6 }, Withdraw { amount: 6 }]).await
///     .then_accepted(1)
///     .then_state_matches(|account| account.balance == 4);
/// # });
/// ```
pub struct StoreRace<A: Aggregate> {
    history: Vec<A::Event>,
    outcomes: Vec<RaceOutcome<A>>,
    state: A,
}

impl<A: Aggregate, S: EventStore + Clone + 'static, P> StoreScenario<A, S, P> {
    /// Executes all `commands` at once on the stream (one task each, retrying conflicts per
    /// the retry policy) and checks that the store kept every accepted command's events exactly
    /// once.
    ///
    /// # Panics
    ///
    /// When a built-in check fails, or a task panics.
    pub async fn when_racing(
        mut self,
        commands: impl IntoIterator<Item = A::Command>,
    ) -> StoreRace<A>
    where
        A: PartialEq,
        A::Event: PartialEq,
        A::Command: 'static,
        A::Services: Clone + 'static,
    {
        let history = self.prepare().await;
        let tasks: Vec<_> = commands
            .into_iter()
            .map(|command| {
                let repository = self.repository();
                let services = self.services.clone();
                let stream = self.stream.clone();
                tokio::spawn(async move {
                    let outcome = repository.execute(&stream, &command, &services).await;
                    (command, outcome)
                })
            })
            .collect();
        let mut outcomes = Vec::with_capacity(tasks.len());
        let mut appended = Vec::new();
        for task in tasks {
            match task.await {
                Ok((command, Ok(executed))) => {
                    if let Some(result) = executed.appended {
                        appended.push((result.first.version, outcomes.len()));
                    }
                    outcomes.push((command, Ok(executed.events)));
                }
                Ok((command, Err(error))) => outcomes.push((command, Err(error))),
                Err(join) => panic!("when_racing failed: a command task panicked: {join}"),
            }
        }
        let recorded = self.read_back().await;
        let fail = |check: &str, why: String| -> ! {
            panic!(
                "built-in check `{check}` failed while racing {} commands\n\ngiven ({}):\n{}{why}",
                outcomes.len(),
                report::count(history.len()),
                listed(&history)
            )
        };
        if let Err(why) = gapless(&recorded) {
            fail("versions are gapless", why);
        }
        let stored = decode::<A>(&self.upcasters, &recorded)
            .unwrap_or_else(|why| fail("stored events read back", why));
        let emitted = |at: usize| match &outcomes[at].1 {
            Ok(events) => events.as_slice(),
            Err(_) => &[],
        };
        let accepted_events: usize = appended.iter().map(|(_, at)| emitted(*at).len()).sum();
        if stored.len() != history.len() + accepted_events {
            fail(
                "every accepted event is stored once",
                format!(
                    "the stream holds {} after {} of history and {} accepted",
                    report::count(stored.len()),
                    report::count(history.len()),
                    report::count(accepted_events)
                ),
            );
        }
        for (first, at) in &appended {
            let events = emitted(*at);
            let start = usize::try_from(first.get().saturating_sub(1)).unwrap_or(usize::MAX);
            let stored_at = stored.get(start..start.saturating_add(events.len()));
            if stored_at != Some(events) {
                fail(
                    "every accepted event is stored once",
                    format!(
                        "the events stored from version {first} are not the ones the command emitted: {events:?}"
                    ),
                );
            }
        }
        let repository = self.repository();
        let loaded = match repository.load(&self.stream).await {
            Ok(loaded) => loaded,
            Err(error) => fail("the stream reloads", error.to_string()),
        };
        if let Err(why) = checks::deterministic(&loaded.state, &stored, &[]) {
            fail("replay is deterministic", why);
        }
        StoreRace {
            history,
            outcomes,
            state: loaded.state,
        }
    }
}

impl<A: Aggregate> StoreRace<A> {
    /// Asserts how many of the raced commands were executed.
    #[track_caller]
    pub fn then_accepted(self, expected: usize) -> Self {
        let accepted = self.accepted();
        if accepted != expected {
            let mut outcomes = String::new();
            for (command, outcome) in &self.outcomes {
                let shown = match outcome {
                    Ok(events) => format!("accepted: {events:?}"),
                    Err(error) => format!("not executed: {error}"),
                };
                outcomes.push_str(&format!("  {command:?} -> {shown}\n"));
            }
            panic!(
                "then_accepted failed: {accepted} of {} raced commands were executed, expected {expected}\n\ngiven ({}):\n{}raced:\n{outcomes}",
                self.outcomes.len(),
                report::count(self.history.len()),
                listed(&self.history)
            );
        }
        self
    }

    /// Asserts the state the stream ended in satisfies `predicate`.
    #[track_caller]
    pub fn then_state_matches(self, predicate: impl FnOnce(&A) -> bool) -> Self {
        if !predicate(&self.state) {
            panic!(
                "then_state_matches failed after racing {} commands: the state does not satisfy the predicate\nstate:\n{:#?}",
                self.outcomes.len(),
                self.state
            );
        }
        self
    }

    /// How many raced commands were executed.
    pub fn accepted(&self) -> usize {
        self.outcomes.iter().filter(|(_, o)| o.is_ok()).count()
    }

    /// Each raced command with what became of it, in the order given.
    pub fn outcomes(&self) -> &[RaceOutcome<A>] {
        &self.outcomes
    }

    /// The state reloaded after the race.
    pub fn state(&self) -> &A {
        &self.state
    }
}

fn listed<E: fmt::Debug>(events: &[E]) -> String {
    let mut out = String::new();
    report::list(&mut out, events);
    out
}

impl<A: Aggregate> fmt::Debug for StoreRace<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreRace")
            .field("outcomes", &self.outcomes)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}
