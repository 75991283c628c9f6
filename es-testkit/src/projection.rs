//! Projection scenarios: given events, a read model, then its expected state.

use std::fmt::{self, Debug, Write as _};

use crate::report;

/// A given-then test of a projection: events go into a read model through your projection
/// function, and the model's state is compared at the end (and in between, if you like).
///
/// Every assertion also checks that projecting the same events again into a fresh model gives
/// the same state, so a projection that depends on anything but its events (a clock, a global
/// counter) is caught.
///
/// ```
/// use es_testkit::example::Event::{self, *};
/// use es_testkit::ProjectionScenario;
///
/// #[derive(Debug, Default, PartialEq)]
/// struct Totals { deposited: u64, withdrawals: u32 }
///
/// fn project(totals: &mut Totals, event: &Event) {
///     match event {
///         Deposited { amount } => totals.deposited += amount,
///         Withdrawn { .. } => totals.withdrawals += 1,
///     }
/// }
///
/// ProjectionScenario::new(project)
///     .given([Deposited { amount: 5 }, Withdrawn { amount: 2 }, Deposited { amount: 1 }])
///     .then_state(Totals { deposited: 6, withdrawals: 1 });
/// ```
pub struct ProjectionScenario<R, E, F> {
    model: R,
    project: F,
    given: Vec<E>,
}

impl<R, E, F> ProjectionScenario<R, E, F>
where
    R: Default + Debug + PartialEq,
    E: Debug,
    F: FnMut(&mut R, &E),
{
    /// A scenario of the read model `R` (starting from `R::default()`) fed by `project`.
    #[must_use = "a projection scenario asserts nothing until a `then_*` step"]
    pub fn new(project: F) -> Self {
        Self {
            model: R::default(),
            project,
            given: Vec::new(),
        }
    }

    /// Projects `events`, in order; may be called again between assertions.
    ///
    /// ```
    /// # use es_testkit::example::Event::{self, *};
    /// es_testkit::ProjectionScenario::new(|n: &mut u32, _: &Event| *n += 1)
    ///     .given([Deposited { amount: 5 }])
    ///     .then_state(1)
    ///     .given([Withdrawn { amount: 5 }])
    ///     .then_state(2);
    /// ```
    #[must_use = "a projection scenario asserts nothing until a `then_*` step"]
    pub fn given(mut self, events: impl IntoIterator<Item = E>) -> Self {
        for event in events {
            (self.project)(&mut self.model, &event);
            self.given.push(event);
        }
        self
    }

    /// Asserts the read model equals `expected`.
    ///
    /// # Panics
    ///
    /// With the events and a diff of the models when they differ, or when projecting the same
    /// events again gives a different model.
    #[track_caller]
    pub fn then_state(mut self, expected: R) -> Self {
        self.check_rebuild();
        if self.model != expected {
            panic!(
                "then_state failed: the read model differs\n\n{}{}",
                self.situation(),
                report::diff(&expected, &self.model)
            );
        }
        self
    }

    /// Asserts the read model satisfies `predicate`.
    ///
    /// ```
    /// # use es_testkit::example::Event::{self, *};
    /// es_testkit::ProjectionScenario::new(|n: &mut u64, e: &Event| {
    ///     if let Deposited { amount } = e { *n += amount }
    /// })
    /// .given([Deposited { amount: 5 }])
    /// .then_state_matches(|total| *total == 5);
    /// ```
    #[track_caller]
    pub fn then_state_matches(mut self, predicate: impl FnOnce(&R) -> bool) -> Self {
        self.check_rebuild();
        if !predicate(&self.model) {
            panic!(
                "then_state_matches failed: the read model does not satisfy the predicate\n\n{}read model:\n{:#?}\n",
                self.situation(),
                self.model
            );
        }
        self
    }

    /// The read model as the events left it.
    pub fn state(&self) -> &R {
        &self.model
    }

    #[track_caller]
    fn check_rebuild(&mut self) {
        let mut rebuilt = R::default();
        for event in &self.given {
            (self.project)(&mut rebuilt, event);
        }
        if rebuilt != self.model {
            panic!(
                "built-in check `a rebuilt projection is the same` failed: projecting the same events into a fresh model gives a different model; the projection must depend only on its events\n\n{}{}",
                self.situation(),
                report::diff(&self.model, &rebuilt).replace("-expected +actual", "-first +rebuilt")
            );
        }
    }

    fn situation(&self) -> String {
        let mut out = String::new();
        if self.given.is_empty() {
            out.push_str("given: no events\n");
        } else {
            let _ = writeln!(out, "given ({}):", report::count(self.given.len()));
            report::list(&mut out, &self.given);
        }
        out
    }
}

impl<R: Debug, E: Debug, F> fmt::Debug for ProjectionScenario<R, E, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProjectionScenario")
            .field("model", &self.model)
            .field("given", &self.given)
            .finish_non_exhaustive()
    }
}
