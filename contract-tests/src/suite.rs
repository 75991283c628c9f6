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
            ],
            expected_version: [
                append_no_stream_on_new_stream_succeeds: Current,
                append_no_stream_conflict_stores_nothing: Current,
                append_exact_conflict_stores_nothing: Current,
            ],
            read_stream: [
                read_stream_missing_is_empty: Current,
                read_stream_isolates_streams: Current,
            ],
            read_all: [
                read_all_global_order_across_streams: Current,
                read_all_paging_no_gaps_or_repeats: Current,
            ],
            concurrency: [
                concurrent_exact_one_winner_per_version: Multi,
            ],
        }
    };
}

/// Expands into one `#[test]` per contract case, each on a fresh store from `$factory` (any
/// [`StoreFactory`](crate::StoreFactory), usually an async closure).
///
/// ```ignore
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
