//! One idea of "a fresh store" for the contract suite, the test kit and the benchmarks
//! (feature `testing`).

use std::future::Future;

use crate::{EventReader, EventStore};

/// Why a factory could not make a store (no database reachable, a migration failed).
pub type FactoryError = Box<dyn std::error::Error + Send + Sync>;

/// A fresh store from a [`StoreFactory`]: the handle that writes, and a handle that reads.
///
/// The reader sees the same events through another way in: another connection pool, a hot
/// standby, or simply a clone of the writer. Tests that check what readers see use it, so a
/// store whose readers only work through the writer's own handle is caught.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FreshStore<S, R = S> {
    /// The handle that writes (and reads).
    pub store: S,
    /// Another handle onto the same events, for readers.
    pub reader: R,
}

impl<S: Clone> FreshStore<S, S> {
    /// A store whose reader is a clone of itself.
    pub fn single(store: S) -> Self {
        Self {
            reader: store.clone(),
            store,
        }
    }
}

impl<S, R> FreshStore<S, R> {
    /// A store with a reader of its own.
    pub fn with_reader(store: S, reader: R) -> Self {
        Self { store, reader }
    }
}

/// Makes a fresh, empty store (and a reader onto it) for each test, benchmark or case.
///
/// Any `Fn() -> impl Future<Output = S>` closure is a factory whose reader is a clone of the
/// store, so most providers write `|| async { MyStore::connect(..).await.unwrap() }`. A factory
/// with a separate reader (a second pool, a replica) implements the trait itself. Every call
/// must return a store that holds no events: callers assert on the global order.
///
/// ```
/// use es_core::testing::StoreFactory;
/// use memory_store::MemoryStore;
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let factory = || async { MemoryStore::new() };
/// let fresh = factory.create().await.unwrap();
/// # let _ = fresh.reader;
/// # });
/// ```
pub trait StoreFactory: Send + Sync + 'static {
    /// The store under test; clones share the same events.
    type Store: EventStore + Clone + 'static;
    /// A reader onto the same events; clones share them.
    type Reader: EventReader + Clone + 'static;

    /// A fresh, empty store and a reader onto it.
    fn create(
        &self,
    ) -> impl Future<Output = Result<FreshStore<Self::Store, Self::Reader>, FactoryError>> + Send;
}

impl<Fun, Fut, S> StoreFactory for Fun
where
    Fun: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = S> + Send,
    S: EventStore + Clone + 'static,
{
    type Store = S;
    type Reader = S;

    fn create(&self) -> impl Future<Output = Result<FreshStore<S, S>, FactoryError>> + Send {
        let made = self();
        async move { Ok(FreshStore::single(made.await)) }
    }
}
