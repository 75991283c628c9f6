//! Prints the conformance matrix of the PostgreSQL store: every contract case, its promise and
//! its result. Uses `DATABASE_URL` when set, otherwise starts a throwaway cluster.
//!
//! ```text
//! cargo run -p postgres-store --example postgres_conformance
//! ```

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // Find (or start) the database first, so that a missing PostgreSQL is one clear message
    // rather than a failure in every case.
    if let Err(error) = postgres_store::harness::fresh_store().await {
        eprintln!("{error}");
        return ExitCode::FAILURE;
    }
    let factory = || async {
        postgres_store::harness::fresh_store()
            .await
            .unwrap_or_else(|error| panic!("{error}"))
    };
    let report = contract_tests::run_suite!(&factory, [snapshots, lifecycle, checkpoints]).await;
    println!("# PostgreSQL store conformance\n\n{}", report.to_markdown());
    if report.failed().is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
