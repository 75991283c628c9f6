//! The whole contract suite against the in-memory store, every optional section included.

contract_tests::event_store_suite!(
    || async { memory_store::MemoryStore::new() },
    [snapshots, lifecycle, checkpoints]
);
