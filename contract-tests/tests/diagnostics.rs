//! What a user reads when a store breaks a promise: the failure messages of chosen cases against
//! deliberately broken stores, kept as insta snapshots so their quality is reviewed like code.
//!
//! Each case runs as the suite runs it ([`CaseInfo::run`]), so the message is the one a failing
//! test prints. Event ids, correlation ids and source lines change from run to run or edit to
//! edit; [`stable`] masks them, and nothing else.

mod broken;

use broken::{Broken, Flaw};
use contract_tests::{CaseInfo, CaseResult, Outcome, cases};

/// The message of case `name` run by `run` (the case's function on a broken store), masked.
async fn failure_of(name: &str, run: impl Future<Output = Outcome>) -> String {
    let Some(info) = CaseInfo::named(name) else {
        panic!("{name} is not a case of the suite");
    };
    match info.run(run).await {
        CaseResult::Failed(message) => stable(&message),
        other => panic!("{name} did not fail against its broken store: {other:?}"),
    }
}

/// `message` with what differs between runs masked: short event ids (`…1a2b3c4d` becomes
/// `…[id]`), full UUIDs (`[uuid]`) and the line and column of a source location (`.rs:[line]`).
fn stable(message: &str) -> String {
    let chars: Vec<char> = message.chars().collect();
    let mut out = String::new();
    let mut at = 0;
    while at < chars.len() {
        let rest = &chars[at..];
        if is_uuid(rest) {
            out.push_str("[uuid]");
            at += 36;
        } else if rest[0] == '…' && rest.len() > 8 && rest[1..9].iter().all(char::is_ascii_hexdigit)
        {
            out.push_str("…[id]");
            at += 9;
        } else if rest.starts_with(&['.', 'r', 's', ':'])
            && rest.get(4).is_some_and(char::is_ascii_digit)
        {
            out.push_str(".rs:[line]");
            at += 4;
            while chars
                .get(at)
                .is_some_and(|c| c.is_ascii_digit() || *c == ':')
            {
                at += 1;
            }
        } else {
            out.push(rest[0]);
            at += 1;
        }
    }
    out
}

/// Whether `text` starts with a UUID in its hyphenated form.
fn is_uuid(text: &[char]) -> bool {
    text.len() >= 36
        && text[..36].iter().enumerate().all(|(n, c)| match n {
            8 | 13 | 18 | 23 => *c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn store(flaw: Flaw) -> impl Fn() -> std::future::Ready<Broken> {
    move || std::future::ready(Broken::new(flaw))
}

#[test]
fn masking_keeps_everything_but_ids_and_lines() {
    assert_eq!(
        stable(
            "s v1 @pos 0 id=…0a1b2c3d corr 01a23c6e-d0d8-762f-b9a2-0fbb34c8b3b1 at src/x.rs:12:5\n  … 4 more …"
        ),
        "s v1 @pos 0 id=…[id] corr [uuid] at src/x.rs:[line]\n  … 4 more …"
    );
}

#[tokio::test]
async fn a_reversed_stream_fails_the_order_case_first() {
    let factory = store(Flaw::ReversesStreams);
    insta::assert_snapshot!(
        failure_of(
            "read_stream_forward_in_version_order",
            cases::read_stream::read_stream_forward_in_version_order(&factory),
        )
        .await
    );
}

#[tokio::test]
async fn a_reversed_batch_is_the_same_events_in_the_wrong_order() {
    let factory = store(Flaw::ReversesStreams);
    insta::assert_snapshot!(
        failure_of(
            "append_batch_reads_back_in_order",
            cases::append::append_batch_reads_back_in_order(&factory),
        )
        .await
    );
}

#[tokio::test]
async fn a_reversed_read_from_the_middle_names_the_versions_that_came() {
    let factory = store(Flaw::ReversesStreams);
    insta::assert_snapshot!(
        failure_of(
            "read_stream_from_middle_forward",
            cases::read_stream::read_stream_from_middle_forward(&factory),
        )
        .await
    );
}

#[tokio::test]
async fn a_reversed_stream_breaks_the_versions_an_append_reported() {
    let factory = store(Flaw::ReversesStreams);
    insta::assert_snapshot!(
        failure_of(
            "append_returns_versions_and_positions",
            cases::append::append_returns_versions_and_positions(&factory),
        )
        .await
    );
}

#[tokio::test]
async fn a_reordered_read_all_fails_the_global_order_case() {
    let factory = store(Flaw::ReordersReadAll);
    insta::assert_snapshot!(
        failure_of(
            "read_all_global_order_across_streams",
            cases::read_all::read_all_global_order_across_streams(&factory),
        )
        .await
    );
}

#[tokio::test]
async fn dropped_metadata_names_the_event_and_the_field() {
    let factory = store(Flaw::DropsMetadata);
    insta::assert_snapshot!(
        failure_of(
            "metadata_round_trips",
            cases::payloads::metadata_round_trips(&factory),
        )
        .await
    );
}

#[tokio::test]
async fn dropped_metadata_beside_a_payload_says_only_the_metadata_differs() {
    let factory = store(Flaw::DropsMetadata);
    insta::assert_snapshot!(
        failure_of(
            "payload_unicode_astral_round_trips",
            cases::payloads::payload_unicode_astral_round_trips(&factory),
        )
        .await
    );
}
