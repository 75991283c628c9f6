//! The whole contract suite against the in-memory store.

contract_tests::event_store_suite!(|| async { memory_store::MemoryStore::new() });
