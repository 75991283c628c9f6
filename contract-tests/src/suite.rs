//! The one list of cases, and the macros generated from it.
//!
//! Every case is named exactly once, in [`__with_cases!`]: the generated tests, [`CASES`] and
//! [`run_suite!`](crate::run_suite!) all come from that list, so they cannot drift apart. Cases
//! are grouped by promise (a module of [`crate::cases`]) and promises by section: `core` (what
//! every [`EventStore`](es_core::EventStore) must do) and the optional capabilities
//! `snapshots` ([`SnapshotStore`](es_core::SnapshotStore)), `lifecycle`
//! ([`StreamLifecycle`](es_core::StreamLifecycle)) and `checkpoints`
//! ([`CheckpointStore`](es_core::CheckpointStore)). The section `snapshots_and_lifecycle` (what
//! a delete does to snapshots) runs when both `snapshots` and `lifecycle` are listed.
//!
//! [`CASES`]: crate::CASES

/// Calls back `$crate::$callback!` with `{ args }` and the list of cases, section by section and
/// promise by promise, each case with the runtime flavour it needs (`Current` or `Multi`).
#[doc(hidden)]
#[macro_export]
macro_rules! __with_cases {
    ($callback:ident { $($args:tt)* }) => {
        $crate::$callback! {
            { $($args)* }
            core: {
                append: [
                    append_single_event_reads_back: Current,
                    append_batch_reads_back_in_order: Current,
                    append_returns_versions_and_positions: Current,
                    append_continues_versions_across_batches: Current,
                    append_max_batch_at_limit_stores_all: Current,
                    append_empty_batch_rejected_stores_nothing: Current,
                    append_over_batch_limit_rejected_stores_nothing: Current,
                    stream_head_names_the_last_event: Current,
                    append_head_hint_must_match_expectation: Current,
                    appends_all_or_nothing_on_every_path: Current,
                ],
                expected_version: [
                    append_any_on_new_and_existing_succeeds: Current,
                    append_no_stream_on_new_stream_succeeds: Current,
                    append_no_stream_conflict_stores_nothing: Current,
                    append_stream_exists_on_existing_succeeds: Current,
                    append_stream_exists_conflict_stores_nothing: Current,
                    append_exact_matching_version_succeeds: Current,
                    append_exact_conflict_stores_nothing: Current,
                    append_exact_ahead_conflict_stores_nothing: Current,
                    append_exact_on_new_stream_conflicts: Current,
                    conflict_then_retry_continues_gapless: Current,
                    conflicts_store_nothing_on_every_path: Current,
                ],
                read_stream: [
                    read_stream_forward_in_version_order: Current,
                    read_stream_missing_is_empty: Current,
                    read_stream_isolates_streams: Current,
                    read_stream_backward_newest_first: Current,
                    read_stream_from_middle_forward: Current,
                    read_stream_from_middle_backward: Current,
                    read_stream_limit_zero_is_empty: Current,
                    read_stream_limit_one: Current,
                    read_stream_from_past_end: Current,
                    read_stream_pages_equal_whole: Current,
                ],
                read_all: [
                    read_all_global_order_across_streams: Current,
                    read_all_empty_store_is_caught_up: Current,
                    read_all_agrees_with_appends_and_streams: Current,
                    read_all_paging_no_gaps_or_repeats: Current,
                    read_all_after_checkpoint_resumes_exactly: Current,
                    read_all_limits_zero_and_one: Current,
                    read_all_from_head_sees_only_later_events: Current,
                    read_all_past_the_head_keeps_its_place: Current,
                    read_all_checkpoints_survive_text: Current,
                    read_all_filter_by_event_type: Current,
                    read_all_filter_by_category: Current,
                    read_all_filter_matching_nothing_advances: Current,
                ],
                payloads: [
                    payload_unicode_astral_round_trips: Current,
                    payload_escapes_round_trip: Current,
                    payload_nul_char_round_trips: Current,
                    payload_deep_nesting_round_trips: Current,
                    payload_number_edges_round_trip: Current,
                    payload_any_json_value_round_trips: Current,
                    payload_at_size_limit_round_trips: Current,
                    metadata_round_trips: Current,
                    metadata_floats_round_trip_exactly: Current,
                    metadata_too_deep_is_refused_at_write: Current,
                ],
                bad_input: [
                    invalid_ids_and_types_rejected_typed: Current,
                    stream_ids_at_limit_kept_exactly: Current,
                    event_types_at_limit_kept_exactly: Current,
                    repeated_id_in_one_append_rejected: Current,
                    invalid_multi_append_rejected: Current,
                ],
                idempotency: [
                    resend_of_stored_batch_returns_original: Current,
                    resend_after_later_writes_returns_original: Current,
                    reused_id_with_other_content_rejected: Current,
                    reused_id_in_other_stream_rejected: Current,
                    reused_id_mixed_with_new_rejected: Current,
                    multi_append_resend_returns_original: Current,
                    multi_append_reusing_stored_id_rejected: Current,
                    multi_append_resending_part_of_the_call_rejected: Current,
                    resend_of_part_of_a_batch_rejected: Current,
                    resend_returns_original_on_every_path: Current,
                    reused_ids_rejected_on_every_path: Current,
                ],
                multi_stream: [
                    multi_append_writes_every_stream: Current,
                    multi_append_conflict_stores_nothing: Current,
                    multi_append_single_stream_like_append: Current,
                ],
                subscriptions: [
                    subscribe_catch_up_from_start: Current,
                    subscribe_catch_up_after_checkpoint: Current,
                    subscribe_delivers_live_events: Current,
                    subscribe_resume_from_checkpoint: Current,
                    subscribe_from_head_gets_only_new_events: Current,
                    subscribe_reports_caught_up: Current,
                    subscribe_filtered_skips_with_checkpoints: Current,
                    subscribers_agree_on_order: Current,
                    subscribe_no_skip_under_concurrent_writers: Multi,
                ],
                concurrency: [
                    concurrent_exact_one_winner_per_version: Multi,
                    concurrent_no_stream_single_creator: Multi,
                    concurrent_any_stores_every_event: Multi,
                    concurrent_distinct_streams_all_stored: Multi,
                    concurrent_multi_appends_all_or_nothing: Multi,
                    read_all_tailing_never_skips_concurrent_commits: Multi,
                    concurrent_readers_never_see_partial_batches: Multi,
                ],
                model: [
                    model_based_operations_match_reference: Current,
                    model_concurrent_operations_keep_history: Multi,
                ],
                claims: [
                    claims_meet_the_portable_floor: Current,
                    multi_append_over_call_limit_rejected: Current,
                    positions_keep_the_claimed_density: Current,
                ],
                faults: [
                    executor_dropped_acks_store_once: Current,
                    executor_injected_failures_store_once: Current,
                    executor_racing_through_faults_stores_once: Multi,
                    resend_after_lost_ack_returns_original: Current,
                ],
            }
            snapshots: {
                snapshots: [
                    snapshot_save_and_load: Current,
                    snapshot_highest_version_wins: Current,
                    snapshots_isolated_per_stream: Current,
                    snapshot_plus_tail_equals_full_replay: Current,
                    snapshot_of_another_event_is_refused: Current,
                ],
            }
            lifecycle: {
                deletion: [
                    delete_stream_reads_empty: Current,
                    delete_stream_continues_numbering: Current,
                    delete_stream_keeps_ids_reserved: Current,
                    delete_stream_conflict_keeps_stream: Current,
                    delete_stream_then_any_continues: Current,
                    delete_missing_stream: Current,
                    tombstone_refuses_reads_and_writes: Current,
                    tombstone_conflict_keeps_stream: Current,
                    model_with_deletions_matches_reference: Current,
                    delete_racing_appends_keeps_streams_consistent: Multi,
                ],
            }
            snapshots_and_lifecycle: {
                snapshot_lifecycle: [
                    delete_stream_drops_its_snapshot: Current,
                    tombstone_drops_its_snapshot: Current,
                ],
            }
            checkpoints: {
                checkpoints: [
                    checkpoint_save_and_load: Current,
                    checkpoint_compare_and_set: Current,
                    checkpoints_isolated_by_name: Current,
                    checkpoint_names_validated: Current,
                ],
            }
        }
    };
}

/// Expands into one `#[test]` per contract case, each on a fresh store from `$factory` (any
/// [`StoreFactory`](crate::StoreFactory), usually an async closure), named
/// `<promise>::<case>` (for example `expected_version::append_exact_conflict_stores_nothing`).
///
/// The core cases always run. List the optional capabilities the store implements in brackets
/// to run their sections too; the compiler checks that it implements them. The cases of a
/// section not listed still appear, as ignored tests whose reason says why.
///
/// ```
/// // Every section: the memory store implements every capability.
/// contract_tests::event_store_suite!(
///     || async { memory_store::MemoryStore::new() },
///     [snapshots, lifecycle, checkpoints]
/// );
/// ```
///
/// The expansion builds its own tokio runtime per test, so your crate needs no tokio dependency
/// for it. Put the line in a file of its own (`tests/contract.rs`): it defines one module per
/// promise.
#[macro_export]
macro_rules! event_store_suite {
    ($factory:expr $(,)?) => {
        $crate::__with_cases! { __suite_tests { { $factory } [] } }
    };
    ($factory:expr, [$($section:ident),* $(,)?] $(,)?) => {
        $( $crate::__known_section!($section); )*
        $crate::__with_cases! { __suite_tests { { $factory } [$($section),*] } }
    };
}

/// Runs the whole suite in one call and returns a [`Report`](crate::Report); with the same
/// optional sections as [`event_store_suite!`]. Pass a reference to the factory. Run it on a
/// multi-threaded tokio runtime so the racing cases race.
///
/// ```
/// # tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap().block_on(async {
/// let factory = || async { memory_store::MemoryStore::new() };
/// let report = contract_tests::run_suite!(&factory, [snapshots, lifecycle, checkpoints]).await;
/// assert!(report.failed().is_empty(), "{}", report.to_markdown());
/// # });
/// ```
#[macro_export]
macro_rules! run_suite {
    ($factory:expr $(,)?) => {
        async {
            let factory = $factory;
            let mut report = $crate::Report::default();
            $crate::__with_cases! { __suite_runner { factory report [] } }
            report
        }
    };
    ($factory:expr, [$($section:ident),* $(,)?] $(,)?) => {
        async {
            $( $crate::__known_section!($section); )*
            let factory = $factory;
            let mut report = $crate::Report::default();
            $crate::__with_cases! { __suite_runner { factory report [$($section),*] } }
            report
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __known_section {
    (snapshots) => {};
    (lifecycle) => {};
    (checkpoints) => {};
    ($other:ident) => {
        ::core::compile_error!(::core::concat!(
            "unknown contract section `",
            ::core::stringify!($other),
            "`; the optional sections are snapshots, lifecycle and checkpoints"
        ));
    };
}

/// Expands `$yes` when `$section` is `core` or in the list, else `$no`.
#[doc(hidden)]
#[macro_export]
macro_rules! __if_listed {
    (snapshots_and_lifecycle $listed:tt $yes:tt $no:tt) => {
        $crate::__if_listed! { snapshots $listed { $crate::__if_listed! { lifecycle $listed $yes $no } } $no }
    };
    (core [$($listed:ident),*] { $($yes:tt)* } $no:tt) => { $($yes)* };
    ($section:ident [] $yes:tt { $($no:tt)* }) => { $($no)* };
    (snapshots [snapshots $(, $rest:ident)*] { $($yes:tt)* } $no:tt) => { $($yes)* };
    (lifecycle [lifecycle $(, $rest:ident)*] { $($yes:tt)* } $no:tt) => { $($yes)* };
    (checkpoints [checkpoints $(, $rest:ident)*] { $($yes:tt)* } $no:tt) => { $($yes)* };
    ($section:ident [$first:ident $(, $rest:ident)*] $yes:tt $no:tt) => {
        $crate::__if_listed! { $section [$($rest),*] $yes $no }
    };
}

/// Why a section's cases did not run, as a test's ignore reason.
#[doc(hidden)]
#[macro_export]
macro_rules! __not_listed_tests {
    (snapshots $modules:tt) => {
        $crate::__ignored_tests! { "not applicable: the store under test was not declared a SnapshotStore; add `snapshots` to event_store_suite!'s list to run these" $modules }
    };
    (lifecycle $modules:tt) => {
        $crate::__ignored_tests! { "not applicable: the store under test was not declared a StreamLifecycle; add `lifecycle` to event_store_suite!'s list to run these" $modules }
    };
    (checkpoints $modules:tt) => {
        $crate::__ignored_tests! { "not applicable: the store under test was not declared a CheckpointStore; add `checkpoints` to event_store_suite!'s list to run these" $modules }
    };
    (snapshots_and_lifecycle $modules:tt) => {
        $crate::__ignored_tests! { "not applicable: these need a SnapshotStore that is also a StreamLifecycle; list both `snapshots` and `lifecycle` in event_store_suite!'s list to run these" $modules }
    };
}

/// What a section's cases need, as a not-applicable reason in a report.
#[doc(hidden)]
#[macro_export]
macro_rules! __section_needs {
    (snapshots_and_lifecycle) => {
        "snapshots and lifecycle"
    };
    ($section:ident) => {
        ::core::stringify!($section)
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __ignored_tests {
    ($reason:literal { $( $module:ident : [ $( $case:ident : $flavor:ident ),* $(,)? ] ),* $(,)? }) => {
        $(
            #[allow(non_snake_case)]
            mod $module {
                $(
                    #[test]
                    #[ignore = $reason]
                    fn $case() {
                        ::core::panic!("{}", $reason);
                    }
                )*
            }
        )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __suite_tests {
    ({ { $factory:expr } $listed:tt }
     $( $section:ident : { $( $module:ident : [ $( $case:ident : $flavor:ident ),* $(,)? ] ),* $(,)? } )*) => {
        $(
            $crate::__if_listed! { $section $listed
                {
                    $(
                        mod $module {
                            #[allow(unused_imports)]
                            use super::*;
                            $(
                                #[test]
                                fn $case() {
                                    let factory = $factory;
                                    $crate::__private::run_case(
                                        $crate::__private::Flavor::$flavor,
                                        &$crate::__case_info!($section $module $case),
                                        async move { $crate::cases::$module::$case(&factory).await },
                                    );
                                }
                            )*
                        }
                    )*
                }
                { $crate::__not_listed_tests! { $section { $( $module : [ $( $case : $flavor ),* ] ),* } } }
            }
        )*

        mod capabilities {
            #[allow(unused_imports)]
            use super::*;

            #[test]
            fn every_implemented_capability_is_listed() {
                let factory = $factory;
                if let ::core::result::Result::Err(message) =
                    $crate::__capabilities_listed!((&factory) $listed)
                {
                    ::core::panic!("{message}");
                }
            }
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __suite_runner {
    ({ $factory:ident $report:ident $listed:tt }
     $( $section:ident : { $( $module:ident : [ $( $case:ident : $flavor:ident ),* $(,)? ] ),* $(,)? } )*) => {
        $(
            $crate::__if_listed! { $section $listed
                {
                    $( $(
                        $report.record(
                            ::core::stringify!($case),
                            ::core::stringify!($module),
                            $crate::__case_info!($section $module $case)
                                .run($crate::cases::$module::$case($factory))
                                .await,
                        );
                    )* )*
                }
                {
                    $( $(
                        $report.record(
                            ::core::stringify!($case),
                            ::core::stringify!($module),
                            $crate::CaseResult::NotApplicable($crate::__section_needs!($section)),
                        );
                    )* )*
                }
            }
        )*
        $report.record(
            "every_implemented_capability_is_listed",
            "capabilities",
            match $crate::__capabilities_listed!(($factory) $listed) {
                ::core::result::Result::Ok(()) => $crate::CaseResult::Passed,
                ::core::result::Result::Err(message) => $crate::CaseResult::Failed(message),
            },
        );
    };
}

/// Whether the listed sections cover every optional trait the factory's store implements, as
/// `Result<(), String>`; `$factory` is a reference to the factory.
#[doc(hidden)]
#[macro_export]
macro_rules! __capabilities_listed {
    (($factory:expr) [$($section:ident),*]) => {{
        #[allow(unused_imports)]
        use $crate::__private::{
            HasCheckpoints as _, HasLifecycle as _, HasSnapshots as _, LacksCheckpoints as _,
            LacksLifecycle as _, LacksSnapshots as _,
        };
        let probe = $crate::__private::Probe::of($factory);
        $crate::__private::listed_cover_implemented(
            probe.store_name(),
            $crate::__private::Implemented {
                snapshots: (&probe).snapshots(),
                lifecycle: (&probe).lifecycle(),
                checkpoints: (&probe).checkpoints(),
            },
            &[$(::core::stringify!($section)),*],
        )
    }};
}

/// The [`CaseInfo`](crate::CaseInfo) of case `$case` of promise `$module` in `$section`.
#[doc(hidden)]
#[macro_export]
macro_rules! __case_info {
    ($section:ident $module:ident $case:ident) => {
        $crate::CaseInfo {
            name: ::core::stringify!($case),
            promise: ::core::stringify!($module),
            promise_text: $crate::cases::$module::PROMISE,
            section: ::core::stringify!($section),
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __suite_list {
    ({} $( $section:ident : { $( $module:ident : [ $( $case:ident : $flavor:ident ),* $(,)? ] ),* $(,)? } )*) => {
        /// Every case of the suite: its name, the promise (module) and the section it belongs to;
        /// the last, `capabilities::every_implemented_capability_is_listed`, is the check that the
        /// listed sections cover every optional trait the store implements.
        pub const CASES: &[$crate::CaseInfo] = &[
            $( $( $( $crate::__case_info!($section $module $case), )* )* )*
            // Not a case function: the macros check the list itself against the store's type.
            $crate::CaseInfo {
                name: "every_implemented_capability_is_listed",
                promise: "capabilities",
                promise_text: "the sections listed for a store cover every optional capability its type implements, so no promise it makes goes unchecked.",
                section: "core",
            },
        ];
    };
}
