//! The whole conformance suite against PostgreSQL, one fresh database per case, every optional
//! section included.

contract_tests::event_store_suite!(
    || async {
        postgres_store::harness::fresh_store()
            .await
            .unwrap_or_else(|error| panic!("{error}"))
    },
    [snapshots, lifecycle, checkpoints]
);
