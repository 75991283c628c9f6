//! The suite is itself tested: each deliberately broken store must fail the cases meant to
//! catch its flaw, and a correct store must pass them all.

mod broken;

use broken::{Broken, CoreOnly, Flaw};
use contract_tests::{CASES, CaseResult, Report, run_suite};

async fn report_for(flaw: Flaw) -> Report {
    let factory = move || async move { Broken::new(flaw) };
    run_suite!(&factory, [snapshots, lifecycle, checkpoints]).await
}

/// Asserts that every case in `expected` failed (and says which did not).
#[track_caller]
fn assert_caught(report: &Report, flaw: Flaw, expected: &[&str]) {
    for name in expected {
        assert!(
            CASES.iter().any(|c| c.name == *name),
            "{name} is not a case of the suite"
        );
    }
    let failed = report.failed();
    let missed: Vec<_> = expected
        .iter()
        .filter(|name| !failed.contains(name))
        .collect();
    assert!(
        missed.is_empty(),
        "the suite did not catch {flaw:?} in {missed:?}; it failed {failed:?}\n{}",
        report.to_markdown()
    );
}

macro_rules! caught_by {
    ($($test:ident: $flaw:ident => [$($case:ident),+ $(,)?];)+) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $test() {
                let report = report_for(Flaw::$flaw).await;
                assert_caught(&report, Flaw::$flaw, &[$(stringify!($case)),+]);
            }
        )+

        /// Every flaw with the cases asserted to catch it: what proves each case.
        const PROOFS: &[(&str, &[&str])] = &[$((stringify!($flaw), &[$(stringify!($case)),+])),+];
    };
}

/// Every case of the suite is proven: at least one deliberately broken store is asserted (above)
/// to fail it. A case added without a broken store that catches it fails here, by name.
#[test]
fn every_case_is_proven_by_a_broken_store() {
    let unproven: Vec<_> = CASES
        .iter()
        .filter(|case| case.name != LISTING_CHECK)
        .filter(|case| !PROOFS.iter().any(|(_, cases)| cases.contains(&case.name)))
        .map(|case| format!("{}::{}", case.promise, case.name))
        .collect();
    assert!(
        unproven.is_empty(),
        "{} of {} cases are not shown failing against any broken store; add a flaw that breaks the promise and list the case under it: {unproven:#?}",
        unproven.len(),
        CASES.len()
    );
}

caught_by! {
    limit_off_by_one_is_caught: LimitOffByOne => [
        read_stream_limit_one,
    ];
    past_end_repeats_last_is_caught: PastEndRepeatsLast => [
        read_stream_from_past_end,
    ];
    flattens_deep_payloads_is_caught: FlattensDeepPayloads => [
        payload_deep_nesting_round_trips,
    ];
    resend_ignores_content_is_caught: ResendIgnoresContent => [
        reused_id_with_other_content_rejected,
    ];
    a_reversed_stream_is_caught: ReversesStreams => [
        read_stream_forward_in_version_order,
        append_batch_reads_back_in_order,
        read_stream_pages_equal_whole,
        append_max_batch_at_limit_stores_all,
        append_any_on_new_and_existing_succeeds,
        append_no_stream_on_new_stream_succeeds,
        append_stream_exists_on_existing_succeeds,
        append_exact_matching_version_succeeds,
        conflict_then_retry_continues_gapless,
        read_stream_isolates_streams,
        read_stream_from_middle_forward,
        payload_any_json_value_round_trips,
        metadata_floats_round_trip_exactly,
        reused_id_mixed_with_new_rejected,
        multi_append_resend_returns_original,
        multi_append_writes_every_stream,
        multi_append_single_stream_like_append,
        executor_injected_failures_store_once,
        delete_stream_reads_empty,
        delete_stream_conflict_keeps_stream,
        tombstone_conflict_keeps_stream,
    ];
    shifted_read_versions_are_caught: ReadVersionsShifted => [
        append_single_event_reads_back,
        append_continues_versions_across_batches,
        append_max_batch_at_limit_stores_all,
        read_stream_isolates_streams,
        read_stream_backward_newest_first,
        read_all_agrees_with_appends_and_streams,
        executor_injected_failures_store_once,
    ];
    a_missing_stream_as_an_error_is_caught: MissingStreamIsError => [
        read_stream_missing_is_empty,
        delete_stream_reads_empty,
    ];
    an_ignored_zero_limit_is_caught: IgnoresZeroLimit => [
        read_stream_limit_zero_is_empty,
    ];
    an_empty_page_never_caught_up_is_caught: EmptyPageNotCaughtUp => [
        read_all_empty_store_is_caught_up,
    ];
    a_store_that_is_not_fresh_is_caught: NotFresh => [
        invalid_ids_and_types_rejected_typed,
        read_all_empty_store_is_caught_up,
    ];
    truncated_type_names_are_caught: TruncatesTypeNames => [
        event_types_at_limit_kept_exactly,
    ];
    mangled_escapes_are_caught: MangledEscapes => [
        payload_escapes_round_trip,
    ];
    a_dropped_correlation_is_caught: DropsCorrelation => [
        metadata_round_trips,
    ];
    dropped_metadata_is_caught: DropsMetadata => [
        metadata_round_trips,
        metadata_floats_round_trip_exactly,
        payload_unicode_astral_round_trips,
        payload_nul_char_round_trips,
    ];
    deep_metadata_stored_without_it_is_caught: StoresDeepMetadataWithoutIt => [
        metadata_too_deep_is_refused_at_write,
    ];
    an_accepted_empty_append_is_caught: AcceptsEmptyAppend => [
        append_empty_batch_rejected_stores_nothing,
    ];
    results_off_by_one_are_caught: ResultsOffByOne => [
        append_returns_versions_and_positions,
        stream_head_names_the_last_event,
        append_any_on_new_and_existing_succeeds,
        append_no_stream_on_new_stream_succeeds,
        append_stream_exists_on_existing_succeeds,
        append_exact_matching_version_succeeds,
    ];
    ids_unique_per_stream_only_are_caught: IdsUniquePerStream => [
        reused_id_in_other_stream_rejected,
    ];
    a_delete_freeing_ids_is_caught: DeleteFreesIds => [
        delete_stream_keeps_ids_reserved,
    ];
    a_delete_of_a_missing_stream_conflicting_is_caught: DeleteMissingConflicts => [
        delete_missing_stream,
    ];
    snapshots_never_kept_are_caught: SnapshotsNeverKept => [
        snapshot_save_and_load,
        snapshot_plus_tail_equals_full_replay,
    ];
    shared_snapshots_are_caught: SnapshotsShared => [
        snapshots_isolated_per_stream,
    ];
    a_checkpoint_that_never_moves_is_caught: CheckpointNeverMoves => [
        checkpoint_save_and_load,
    ];
    shared_checkpoints_are_caught: CheckpointsShared => [
        checkpoints_isolated_by_name,
    ];
    unchecked_checkpoint_names_are_caught: CheckpointNamesUnchecked => [
        checkpoint_names_validated,
    ];
    ignoring_expected_version_is_caught: IgnoresExpectedVersion => [
        append_no_stream_conflict_stores_nothing,
        append_stream_exists_conflict_stores_nothing,
        append_exact_conflict_stores_nothing,
        append_exact_ahead_conflict_stores_nothing,
        append_exact_on_new_stream_conflicts,
        multi_append_conflict_stores_nothing,
        concurrent_exact_one_winner_per_version,
        concurrent_no_stream_single_creator,
        model_based_operations_match_reference,
        conflicts_store_nothing_on_every_path,
        appends_all_or_nothing_on_every_path,
        model_concurrent_operations_keep_history,
        delete_racing_appends_keeps_streams_consistent,
        conflict_then_retry_continues_gapless,
        multi_append_single_stream_like_append,
    ];
    losing_racing_appends_is_caught: LosesRacingAppends => [
        concurrent_any_stores_every_event,
        concurrent_exact_one_winner_per_version,
        concurrent_no_stream_single_creator,
        executor_racing_through_faults_stores_once,
        model_concurrent_operations_keep_history,
        delete_racing_appends_keeps_streams_consistent,
    ];
    reading_past_uncommitted_positions_is_caught: ReadsPastUncommitted => [
        read_all_tailing_never_skips_concurrent_commits,
        subscribe_no_skip_under_concurrent_writers,
        model_concurrent_operations_keep_history,
    ];
    reordering_read_all_is_caught: ReordersReadAll => [
        read_all_global_order_across_streams,
        read_all_paging_no_gaps_or_repeats,
        read_all_tailing_never_skips_concurrent_commits,
        model_based_operations_match_reference,
        appends_all_or_nothing_on_every_path,
        concurrent_distinct_streams_all_stored,
        model_concurrent_operations_keep_history,
        read_all_agrees_with_appends_and_streams,
        stream_ids_at_limit_kept_exactly,
        multi_append_writes_every_stream,
        subscribe_catch_up_from_start,
        subscribers_agree_on_order,
    ];
    partial_multi_append_is_caught: PartialMultiAppend => [
        multi_append_conflict_stores_nothing,
        appends_all_or_nothing_on_every_path,
        model_based_operations_match_reference,
        conflicts_store_nothing_on_every_path,
        reused_ids_rejected_on_every_path,
        model_concurrent_operations_keep_history,
        invalid_multi_append_rejected,
        multi_append_reusing_stored_id_rejected,
        multi_append_resending_part_of_the_call_rejected,
    ];
    mangling_astral_unicode_is_caught: MangleAstralUnicode => [
        payload_unicode_astral_round_trips,
        model_based_operations_match_reference,
    ];
    dropping_nul_is_caught: DropsNul => [
        payload_nul_char_round_trips,
        model_based_operations_match_reference,
    ];
    numbers_as_f64_is_caught: NumbersAsF64 => [
        payload_number_edges_round_trip,
    ];
    ignoring_idempotency_is_caught: IgnoresIdempotency => [
        resend_of_stored_batch_returns_original,
        resend_after_later_writes_returns_original,
        resend_after_lost_ack_returns_original,
        resend_returns_original_on_every_path,
        executor_dropped_acks_store_once,
        model_based_operations_match_reference,
        model_concurrent_operations_keep_history,
        metadata_floats_round_trip_exactly,
        resend_of_part_of_a_batch_rejected,
    ];
    resume_skipping_one_is_caught: ResumeSkipsOne => [
        read_all_paging_no_gaps_or_repeats,
        read_all_after_checkpoint_resumes_exactly,
        read_all_limits_zero_and_one,
        model_based_operations_match_reference,
        read_all_from_head_sees_only_later_events,
        read_all_checkpoints_survive_text,
        subscribe_delivers_live_events,
        subscribe_from_head_gets_only_new_events,
    ];
    backward_ignoring_from_is_caught: BackwardIgnoresFrom => [
        read_stream_from_middle_backward,
        read_stream_pages_equal_whole,
    ];
    writing_one_by_one_is_caught: WritesOneByOne => [
        concurrent_readers_never_see_partial_batches,
        appends_all_or_nothing_on_every_path,
        concurrent_any_stores_every_event,
        model_concurrent_operations_keep_history,
        append_over_batch_limit_rejected_stores_nothing,
        repeated_id_in_one_append_rejected,
        invalid_multi_append_rejected,
        reused_id_mixed_with_new_rejected,
        multi_append_reusing_stored_id_rejected,
        resend_of_part_of_a_batch_rejected,
    ];
    older_snapshot_winning_is_caught: OlderSnapshotWins => [
        snapshot_highest_version_wins,
    ];
    subscribing_skipping_one_is_caught: SubscribeSkipsOne => [
        subscribe_catch_up_after_checkpoint,
        subscribe_resume_from_checkpoint,
    ];
    ignoring_the_filter_is_caught: IgnoresFilter => [
        read_all_filter_by_event_type,
        read_all_filter_by_category,
        read_all_filter_matching_nothing_advances,
        subscribe_filtered_skips_with_checkpoints,
        model_based_operations_match_reference,
    ];
    a_stuck_filtered_checkpoint_is_caught: FilteredCheckpointStuck => [
        read_all_filter_matching_nothing_advances,
        read_all_from_head_sees_only_later_events,
        subscribe_from_head_gets_only_new_events,
    ];
    falling_back_to_the_head_is_caught: CheckpointFallsBackToHead => [
        read_all_past_the_head_keeps_its_place,
    ];
    never_caught_up_is_caught: NeverCaughtUp => [
        subscribe_reports_caught_up,
    ];
    deletion_restarting_numbering_is_caught: DeleteRestartsNumbering => [
        delete_stream_continues_numbering,
        delete_stream_then_any_continues,
        model_with_deletions_matches_reference,
        delete_racing_appends_keeps_streams_consistent,
    ];
    a_soft_tombstone_is_caught: TombstoneIsSoft => [
        tombstone_refuses_reads_and_writes,
        model_with_deletions_matches_reference,
        delete_racing_appends_keeps_streams_consistent,
    ];
    a_snapshot_kept_across_deletion_is_caught: DeleteKeepsSnapshot => [
        delete_stream_drops_its_snapshot,
        tombstone_drops_its_snapshot,
    ];
    blind_checkpoint_writes_are_caught: CheckpointBlindWrite => [
        checkpoint_compare_and_set,
    ];
    accepting_a_wrong_head_hint_is_caught: AcceptsWrongHeadHint => [
        append_head_hint_must_match_expectation,
    ];
    a_snapshot_forgetting_its_event_is_caught: SnapshotForgetsItsEvent => [
        snapshot_of_another_event_is_refused,
    ];
    claims_below_the_floor_are_caught: ClaimsBelowFloor => [
        claims_meet_the_portable_floor,
        payload_at_size_limit_round_trips,
    ];
    an_ignored_call_limit_is_caught: IgnoresCallLimit => [
        multi_append_over_call_limit_rejected,
    ];
    gaps_despite_a_dense_claim_are_caught: GapsDespiteDenseClaim => [
        positions_keep_the_claimed_density,
        read_all_checkpoints_survive_text,
        subscribe_catch_up_from_start,
        subscribe_delivers_live_events,
        subscribers_agree_on_order,
    ];
    a_head_at_the_first_event_is_caught: HeadIsFirstEvent => [
        stream_head_names_the_last_event,
        model_based_operations_match_reference,
        concurrent_exact_one_winner_per_version,
        model_concurrent_operations_keep_history,
    ];
    a_conflict_reserving_ids_is_caught: ConflictReservesIds => [
        conflicts_store_nothing_on_every_path,
    ];
    a_lean_path_keeping_part_of_a_batch_is_caught: LeanPathPartialOnDuplicate => [
        appends_all_or_nothing_on_every_path,
        reused_ids_rejected_on_every_path,
    ];
    a_delete_racing_appends_is_caught: DeleteRacesAppends => [
        delete_racing_appends_keeps_streams_consistent,
    ];
    a_lock_order_deadlock_is_caught: LocksStreamsInCallOrder => [
        concurrent_exact_one_winner_per_version,
        concurrent_no_stream_single_creator,
        concurrent_any_stores_every_event,
        concurrent_multi_appends_all_or_nothing,
        concurrent_readers_never_see_partial_batches,
    ];
}

/// A store run with fewer sections than it implements fails, and the failure names the traits
/// left out and the list to write: a suite that skips promises the store makes is not green.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn capabilities_left_off_the_list_are_caught_by_name() {
    let factory = || async { memory_store::MemoryStore::new() };
    let report = run_suite!(&factory, [checkpoints]).await;
    assert_eq!(
        report.failed(),
        vec![LISTING_CHECK],
        "{}",
        report.to_markdown()
    );
    let Some(CaseResult::Failed(message)) = report.result(LISTING_CHECK) else {
        panic!("the listing check did not fail: {}", report.to_markdown());
    };
    for expected in [
        "memory_store::store::MemoryStore implements SnapshotStore and StreamLifecycle",
        "leaves out `snapshots`, `lifecycle`, so 17 cases",
        "event_store_suite!(factory, [snapshots, lifecycle, checkpoints])",
    ] {
        assert!(message.contains(expected), "{expected:?} not in: {message}");
    }
}

/// The check of the suite's list against the store's type: not a case function, proven by
/// `capabilities_left_off_the_list_are_caught_by_name` above.
const LISTING_CHECK: &str = "every_implemented_capability_is_listed";

/// A store that is only an event store gets "not applicable", by name, for exactly the cases of
/// the optional sections, and passes everything else.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn missing_capabilities_are_not_applicable_by_name() {
    let factory = || async { CoreOnly::default() };
    let report = run_suite!(&factory).await;
    assert!(report.failed().is_empty(), "{}", report.to_markdown());
    let skipped = report.not_applicable();
    for case in CASES {
        assert_eq!(
            skipped.contains(&case.name),
            case.section != "core",
            "{} ({} in {}) applicability is wrong",
            case.name,
            case.promise,
            case.section
        );
    }
    assert_eq!(
        report.result("snapshot_save_and_load"),
        Some(&CaseResult::NotApplicable("snapshots"))
    );
    assert_eq!(
        report.result("delete_stream_reads_empty"),
        Some(&CaseResult::NotApplicable("lifecycle"))
    );
    assert!(
        report.to_markdown().contains(
            "| `snapshot_save_and_load` | snapshots | not applicable (needs snapshots) |"
        )
    );
}

/// The reference store passes every case, so each failure above is the flaw's doing.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_passes_every_case() {
    let factory = || async { memory_store::MemoryStore::new() };
    let report = run_suite!(&factory, [snapshots, lifecycle, checkpoints]).await;
    assert_eq!(
        report.passed().len(),
        CASES.len(),
        "{}",
        report.to_markdown()
    );
}

/// A factory whose reader is another store: what a provider whose readers only see the writes
/// of their own handle (a per-handle cache, a pool that never sees the others' commits) looks
/// like. The cases that read through the reader must notice.
struct BlindReader;

impl contract_tests::StoreFactory for BlindReader {
    type Store = memory_store::MemoryStore;
    type Reader = memory_store::MemoryStore;

    async fn create(
        &self,
    ) -> Result<contract_tests::FreshStore<Self::Store, Self::Reader>, contract_tests::FactoryError>
    {
        Ok(contract_tests::FreshStore::with_reader(
            memory_store::MemoryStore::new(),
            memory_store::MemoryStore::new(),
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_that_see_only_their_own_handle_are_caught() {
    let report = run_suite!(&BlindReader, [snapshots, lifecycle, checkpoints]).await;
    let failed = report.failed();
    for case in [
        "read_all_global_order_across_streams",
        "read_all_paging_no_gaps_or_repeats",
        "subscribe_catch_up_from_start",
        "subscribe_delivers_live_events",
        "read_all_tailing_never_skips_concurrent_commits",
        "stream_head_names_the_last_event",
        "delete_stream_reads_empty",
    ] {
        assert!(
            failed.contains(&case),
            "{case} passed with a reader that sees nothing of the writer's events; failed: {failed:?}"
        );
    }
}
