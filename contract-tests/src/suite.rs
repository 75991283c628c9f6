//! The one list of cases, and the macros generated from it.
//!
//! Every case is named exactly once, in [`__with_cases!`]: the generated tests, [`CASES`] and
//! [`run_suite`](crate::run_suite) all come from that list, so they cannot drift apart.

/// Calls back `$crate::$callback!` with `{ args }` and the list of cases, module by module,
/// each case with the runtime flavour it needs (`Current` or `Multi`).
#[doc(hidden)]
#[macro_export]
macro_rules! __with_cases {
    ($callback:ident { $($args:tt)* }) => {
        $crate::$callback! {
            { $($args)* }
            append: [
                append_single_event_reads_back: Current,
                append_batch_reads_back_in_order: Current,
                append_returns_versions_and_positions: Current,
                append_continues_versions_across_batches: Current,
                append_max_batch_at_limit_stores_all: Current,
                append_empty_batch_rejected_stores_nothing: Current,
                append_over_batch_limit_rejected_stores_nothing: Current,
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
            ],
            read_stream: [
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
                read_all_empty_store_is_empty: Current,
                read_all_global_order_across_streams: Current,
                read_all_agrees_with_appends_and_streams: Current,
                read_all_paging_no_gaps_or_repeats: Current,
                read_all_from_middle_inclusive: Current,
                read_all_limits_zero_and_one: Current,
                read_all_past_head_and_unbounded: Current,
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
            ],
            multi_stream: [
                multi_append_writes_every_stream: Current,
                multi_append_conflict_stores_nothing: Current,
                multi_append_single_stream_like_append: Current,
            ],
            snapshots: [
                snapshot_save_and_load: Current,
                snapshot_highest_version_wins: Current,
                snapshots_isolated_per_stream: Current,
                snapshot_plus_tail_equals_full_replay: Current,
            ],
            deletion: [
                delete_stream_reads_empty: Current,
                delete_stream_restarts_at_version_one: Current,
                delete_stream_conflict_keeps_stream: Current,
                delete_stream_drops_snapshot: Current,
                delete_stream_then_any_starts_at_one: Current,
            ],
            subscriptions: [
                subscribe_catch_up_from_start: Current,
                subscribe_catch_up_from_middle: Current,
                subscribe_delivers_live_events: Current,
                subscribe_resume_from_position: Current,
                subscribe_from_head_gets_only_new_events: Current,
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
            ],
            faults: [
                executor_dropped_acks_store_once: Current,
                executor_injected_failures_store_once: Current,
                executor_racing_through_faults_stores_once: Multi,
                resend_after_lost_ack_returns_original: Current,
            ],
        }
    };
}

/// Expands into one `#[test]` per contract case, each on a fresh store from `$factory` (any
/// [`StoreFactory`](crate::StoreFactory), usually an async closure).
///
/// ```
/// contract_tests::event_store_suite!(|| async { memory_store::MemoryStore::new() });
/// ```
///
/// The tests are named after the cases, so a failure names the broken promise. Put the line in
/// a module to keep the names apart from your own tests. The expansion builds its own tokio
/// runtime per test, so your crate needs no tokio dependency for it.
#[macro_export]
macro_rules! event_store_suite {
    ($factory:expr $(,)?) => {
        $crate::__with_cases! { __suite_tests { $factory } }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __suite_tests {
    ({ $factory:expr } $( $module:ident : [ $( $case:ident : $flavor:ident ),* $(,)? ] ),* $(,)?) => {
        $( $(
            #[test]
            fn $case() {
                let factory = $factory;
                $crate::__private::run_case(
                    $crate::__private::Flavor::$flavor,
                    ::core::stringify!($case),
                    async move { $crate::cases::$module::$case(&factory).await },
                );
            }
        )* )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __suite_runner {
    ({ $factory:ident, $report:ident } $( $module:ident : [ $( $case:ident : $flavor:ident ),* $(,)? ] ),* $(,)?) => {
        $( $(
            $report.record(
                ::core::stringify!($case),
                ::core::stringify!($module),
                $crate::__private::run_guarded($crate::cases::$module::$case($factory)).await,
            );
        )* )*
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __suite_list {
    ({} $( $module:ident : [ $( $case:ident : $flavor:ident ),* $(,)? ] ),* $(,)?) => {
        /// Every case of the suite: its name and the promise (module) it belongs to.
        pub const CASES: &[$crate::CaseInfo] = &[
            $( $( $crate::CaseInfo {
                name: ::core::stringify!($case),
                promise: ::core::stringify!($module),
            }, )* )*
        ];
    };
}
