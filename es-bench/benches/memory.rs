//! Every workload on the memory store: the file a provider author copies, with their own
//! factory in place of memory's.
//!
//! `cargo bench -p es-bench --bench memory` (`-- --test` for a smoke run).

es_bench::bench_main!(|| async { memory_store::MemoryStore::new() });
