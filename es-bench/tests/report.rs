//! The run, end to end on the memory store with a tiny plan: every workload is in the report,
//! a store without snapshots has those rows skipped with a reason, and the table flags
//! unstable figures.

use std::time::Duration;

use es_bench::{
    __private::{HasSnapshots as _, LacksSnapshots as _, Probe},
    Entry, Outcome, Plan, Report,
};
use es_core::{
    AppendResult, Claims, EventReader, EventRef, EventWriter, Page, ReadAll, ReadStream,
    RecordedEvent, StreamAppend, StreamId, Subscribe, Subscription,
};
use memory_store::MemoryStore;

const TINY: Plan = Plan {
    rounds: 2,
    per_side: Duration::from_millis(1),
};

/// Every workload a store with snapshots runs, in order.
const EVERY_WORKLOAD: &[&str] = &[
    "append 1 event, new stream",
    "append 1 event, Exact on its stream",
    "append batches of 10",
    "append batches of 100",
    "append batches of 1,000",
    "append 1 event to each of 2 streams at once",
    "append 1 event to each of 5 streams at once",
    "1 writer, 1 event per append to new streams",
    "4 writers, 1 event per append to new streams",
    "16 writers, 1 event per append to new streams",
    "64 writers, 1 event per append to new streams",
    "8 writers on one stream, through the executor",
    "read a 10-event stream",
    "read a 1,000-event stream",
    "read a 10,000-event stream",
    "read all 10,000 events in pages of 500",
    "catch up a subscription over 10,000 events",
    "rehydrate a 1,000-event account",
    "rehydrate a 1,000-event account from a snapshot + 10 events",
];

const SNAPSHOT_WORKLOAD: &str = "rehydrate a 1,000-event account from a snapshot + 10 events";

fn names(report: &Report) -> Vec<&str> {
    report
        .entries()
        .iter()
        .map(|entry| entry.workload.as_str())
        .collect()
}

fn skip_reason<'r>(report: &'r Report, workload: &str) -> &'r str {
    match report.get(workload).map(|entry| &entry.outcome) {
        Some(Outcome::Skipped { reason }) => reason,
        other => panic!("{workload} should be skipped, is {other:?}\n{report}"),
    }
}

/// The memory store without its snapshots: only the two traits every store has.
#[derive(Clone, Debug, Default)]
struct NoSnapshots(MemoryStore);

impl EventReader for NoSnapshots {
    fn claims(&self) -> Claims {
        self.0.claims()
    }
    async fn read_stream(
        &self,
        stream: &StreamId,
        read: ReadStream,
    ) -> es_core::Result<Vec<RecordedEvent>> {
        self.0.read_stream(stream, read).await
    }
    async fn stream_head(&self, stream: &StreamId) -> es_core::Result<Option<EventRef>> {
        self.0.stream_head(stream).await
    }
    async fn read_all(&self, request: ReadAll) -> es_core::Result<Page> {
        self.0.read_all(request).await
    }
    async fn subscribe(&self, request: Subscribe) -> es_core::Result<Subscription> {
        self.0.subscribe(request).await
    }
}

impl EventWriter for NoSnapshots {
    async fn append(&self, append: StreamAppend) -> es_core::Result<AppendResult> {
        self.0.append(append).await
    }
    async fn append_multi(&self, appends: Vec<StreamAppend>) -> es_core::Result<Vec<AppendResult>> {
        self.0.append_multi(appends).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_snapshots_measures_every_workload() {
    let factory = || async { MemoryStore::new() };
    let report = es_bench::run_with_snapshots(&factory, TINY).await.unwrap();

    assert_eq!(names(&report), EVERY_WORKLOAD, "{report}");
    for entry in report.entries() {
        let measured = entry
            .measured()
            .unwrap_or_else(|| panic!("{} did not run\n{report}", entry.workload));
        assert_eq!(measured.rates.len(), TINY.rounds, "{}", entry.workload);
        assert!(
            measured.rates.iter().all(|rate| *rate > 0.0),
            "{}: {:?}",
            entry.workload,
            measured.rates
        );
    }
    let contended = report
        .get("8 writers on one stream, through the executor")
        .and_then(Entry::measured)
        .and_then(|measured| measured.retries)
        .expect("the contended workload counts retries");
    assert!(contended.commands > 0, "{contended:?}");
    assert!(report.store().contains("MemoryStore"), "{}", report.store());
    for rehydrate in ["rehydrate a 1,000-event account", SNAPSHOT_WORKLOAD] {
        let note = report
            .get(rehydrate)
            .and_then(|entry| entry.note.as_deref());
        assert!(
            note.is_some_and(|note| note.contains("loads/s")),
            "{report}"
        );
    }

    let table = report.to_string();
    for workload in EVERY_WORKLOAD {
        assert!(
            table.contains(&format!("| {workload} |")),
            "{workload}\n{table}"
        );
    }
    assert!(table.contains(" commands |"), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_leaves_snapshots_out_and_says_so() {
    let factory = || async { MemoryStore::new() };
    let report = es_bench::run(&factory, TINY).await.unwrap();

    assert_eq!(names(&report), EVERY_WORKLOAD, "{report}");
    let reason = skip_reason(&report, SNAPSHOT_WORKLOAD);
    assert!(reason.contains("run_with_snapshots"), "{reason}");
    assert_eq!(report.skipped().count(), 1, "{report}");
    assert!(
        report
            .to_string()
            .contains(&format!("| {SNAPSHOT_WORKLOAD} | – | – | 0 | | skipped: ")),
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_main_skips_snapshots_of_a_store_without_them() {
    let factory = || async { NoSnapshots::default() };
    let report = (&Probe(&factory)).bench(TINY).await.unwrap();

    assert_eq!(names(&report), EVERY_WORKLOAD, "{report}");
    let reason = skip_reason(&report, SNAPSHOT_WORKLOAD);
    assert_eq!(reason, "the store does not implement SnapshotStore");
    assert!(
        report
            .to_string()
            .contains("skipped: the store does not implement SnapshotStore"),
        "{report}"
    );
    assert_eq!(report.skipped().count(), 1, "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bench_main_measures_snapshots_of_a_store_with_them() {
    let factory = || async { MemoryStore::new() };
    // The borrow is what bench_main! writes: `&Probe` picks `LacksSnapshots` unless
    // `HasSnapshots` applies, which this test is here to see.
    #[allow(clippy::needless_borrow)]
    let report = (&Probe(&factory)).bench(TINY).await.unwrap();
    assert!(
        report
            .get(SNAPSHOT_WORKLOAD)
            .and_then(Entry::measured)
            .is_some(),
        "{report}"
    );
}

#[test]
fn table_flags_unstable_figures_and_only_those() {
    let mut report = Report::new("MyStore", TINY);
    report.push(Entry::from_rates("steady", &[1_000.0, 1_050.0]));
    report.push(Entry::from_rates("shaky", &[1_000.0, 1_500.0]));
    let table = report.to_string();

    let row = |workload: &str| {
        table
            .lines()
            .find(|line| line.starts_with(&format!("| {workload} |")))
            .unwrap_or_else(|| panic!("no row for {workload}\n{table}"))
            .to_owned()
    };
    assert!(!row("steady").contains("unstable"), "{table}");
    assert!(row("shaky").contains("unstable"), "{table}");
    assert!(row("shaky").contains("±20.0 %"), "{table}");
    assert!(table.contains("more than ±10 %"), "{table}");
    let unstable: Vec<&str> = report.unstable().map(|e| e.workload.as_str()).collect();
    assert_eq!(unstable, ["shaky"]);
}
