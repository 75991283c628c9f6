//! How the suite gets a fresh store for each case.

use std::future::Future;

use es_core::EventStore;

/// Makes a fresh, empty store for each case.
///
/// Any `Fn() -> impl Future<Output = S>` closure is a factory, so most providers write
/// `|| async { MyStore::connect(..).await.unwrap() }`. Every call must return a store that
/// holds no events: cases assert on global positions and `read_all`.
///
/// ```
/// use contract_tests::StoreFactory;
/// use memory_store::MemoryStore;
///
/// fn takes_factory(_: &impl StoreFactory) {}
/// takes_factory(&|| async { MemoryStore::new() });
/// ```
pub trait StoreFactory: Send + Sync + 'static {
    /// The store under test; clones must share the same events.
    type Store: EventStore + Clone + Send + Sync + 'static;

    /// A fresh, empty store.
    fn create(&self) -> impl Future<Output = Self::Store> + Send;
}

impl<Fun, Fut, S> StoreFactory for Fun
where
    Fun: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = S> + Send,
    S: EventStore + Clone + Send + Sync + 'static,
{
    type Store = S;

    fn create(&self) -> impl Future<Output = S> + Send {
        self()
    }
}
