//! The whole conformance suite with its readers on a hot standby: every case that reads through
//! the factory's reader (the global order, subscriptions, readers racing writers) reads from a
//! streaming replica of the primary it writes to.

contract_tests::event_store_suite!(
    postgres_store::harness::StandbyFactory,
    [snapshots, lifecycle, checkpoints]
);
