//! Prints the conformance matrix of the in-memory store: every contract case, the promise it
//! checks, and whether it passed.
//!
//! ```text
//! cargo run -p memory-store --example memory_conformance
//! ```

use memory_store::MemoryStore;

fn main() {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("cannot start a tokio runtime: {error}");
            std::process::exit(2);
        }
    };
    let factory = || async { MemoryStore::new() };
    let report = runtime.block_on(contract_tests::run_suite!(
        &factory,
        [snapshots, lifecycle, checkpoints]
    ));
    println!("## MemoryStore conformance\n\n{}", report.to_markdown());
    if !report.failed().is_empty() {
        std::process::exit(1);
    }
}
