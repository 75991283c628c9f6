//! Whether the sections listed for a suite cover every optional capability the store implements.
//!
//! A store promises a capability by implementing its trait. The suite runs a section only when it
//! is listed, so a store that implements [`SnapshotStore`] but is run without `snapshots` would
//! pass while its snapshots go unchecked. The macros probe the store's type for each trait (with
//! autoref specialization: the `Has*` traits apply to [`Probe`] when the store implements the
//! capability, the `Lacks*` fallbacks to `&Probe` always) and fail naming what was left out.

use std::{any::type_name, marker::PhantomData};

use es_core::{CheckpointStore, SnapshotStore, StreamLifecycle};

use crate::{CASES, StoreFactory};

/// Stands for the type of the store a factory makes, without making one.
pub struct Probe<S>(PhantomData<fn() -> S>);

impl<S> std::fmt::Debug for Probe<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Probe").field(&self.store_name()).finish()
    }
}

impl<S> Probe<S> {
    /// The probe for the stores `factory` makes.
    pub fn of<F: StoreFactory<Store = S>>(_factory: &F) -> Self {
        Self(PhantomData)
    }

    /// The store type's name, for messages.
    pub fn store_name(&self) -> &'static str {
        type_name::<S>()
    }
}

macro_rules! probe_traits {
    ($($has:ident / $lacks:ident: $method:ident for $capability:ident),* $(,)?) => {$(
        #[doc = concat!("Picked for `(&probe).", stringify!($method), "()` when the store implements [`", stringify!($capability), "`].")]
        pub trait $has {
            #[doc = concat!("True: the store implements [`", stringify!($capability), "`].")]
            fn $method(&self) -> bool {
                true
            }
        }
        impl<S: $capability> $has for Probe<S> {}

        #[doc = concat!("The fallback for `(&probe).", stringify!($method), "()`: the store does not implement [`", stringify!($capability), "`].")]
        pub trait $lacks {
            #[doc = concat!("False: the store does not implement [`", stringify!($capability), "`].")]
            fn $method(&self) -> bool {
                false
            }
        }
        impl<S> $lacks for &Probe<S> {}
    )*};
}

probe_traits! {
    HasSnapshots / LacksSnapshots: snapshots for SnapshotStore,
    HasLifecycle / LacksLifecycle: lifecycle for StreamLifecycle,
    HasCheckpoints / LacksCheckpoints: checkpoints for CheckpointStore,
}

/// Which optional capabilities the store under test implements, as probed from its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Implemented {
    /// The store implements [`SnapshotStore`].
    pub snapshots: bool,
    /// The store implements [`StreamLifecycle`].
    pub lifecycle: bool,
    /// The store implements [`CheckpointStore`].
    pub checkpoints: bool,
}

impl Implemented {
    /// Each optional section with its trait's name, and whether the store implements it.
    fn sections(self) -> [(&'static str, &'static str, bool); 3] {
        [
            ("snapshots", "SnapshotStore", self.snapshots),
            ("lifecycle", "StreamLifecycle", self.lifecycle),
            ("checkpoints", "CheckpointStore", self.checkpoints),
        ]
    }
}

/// Checks that every section whose trait the store implements is in `listed`; the error says
/// which were left out, how many cases that skipped, and the list to write instead.
///
/// ```
/// use contract_tests::__private::{Implemented, listed_cover_implemented};
///
/// let implemented = Implemented { snapshots: true, lifecycle: true, checkpoints: false };
/// assert!(listed_cover_implemented("MyStore", implemented, &["snapshots", "lifecycle"]).is_ok());
/// let left_out = listed_cover_implemented("MyStore", implemented, &["lifecycle"]).unwrap_err();
/// assert!(left_out.contains("MyStore implements SnapshotStore"), "{left_out}");
/// assert!(left_out.contains("[snapshots, lifecycle]"), "{left_out}");
/// ```
pub fn listed_cover_implemented(
    store: &str,
    implemented: Implemented,
    listed: &[&str],
) -> Result<(), String> {
    let sections = implemented.sections();
    let left_out: Vec<(&str, &str)> = sections
        .iter()
        .filter(|(section, _, has)| *has && !listed.contains(section))
        .map(|(section, name, _)| (*section, *name))
        .collect();
    if left_out.is_empty() {
        return Ok(());
    }
    let skipped = |section: &str| {
        left_out.iter().any(|(out, _)| *out == section)
            || (section == "snapshots_and_lifecycle"
                && left_out
                    .iter()
                    .any(|(out, _)| *out == "snapshots" || *out == "lifecycle"))
    };
    let unchecked = CASES.iter().filter(|case| skipped(case.section)).count();
    let traits: Vec<&str> = left_out.iter().map(|(_, name)| *name).collect();
    let names: Vec<String> = left_out
        .iter()
        .map(|(section, _)| format!("`{section}`"))
        .collect();
    let should_list: Vec<&str> = sections
        .iter()
        .filter(|(_, _, has)| *has)
        .map(|(section, _, _)| *section)
        .collect();
    Err(format!(
        "{store} implements {} but the suite's list leaves out {}, so {unchecked} cases of \
         promises the store makes did not run. List every capability the store implements: \
         event_store_suite!(factory, [{}])",
        traits.join(" and "),
        names.join(", "),
        should_list.join(", ")
    ))
}
