//! The whole conformance suite against PostgreSQL, one fresh database per case, every optional
//! section included; readers use a second connection pool onto the same database.

contract_tests::event_store_suite!(
    postgres_store::harness::PgFactory,
    [snapshots, lifecycle, checkpoints]
);
