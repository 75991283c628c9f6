//! Idempotency under every expectation kind and on every path (see [`super::super::paths`]).

use es_core::{
    Error, EventReaderExt, EventWriterExt, ExpectedVersion, NewEvent, StreamAppend, StreamId,
    Version,
};

use super::super::{
    paths::{KINDS, Kind, PATHS, Path, send},
    support::{OrFail, assert_events, batch, event, everything, stream, whole},
};
use crate::{Outcome, StoreFactory};

/// Creates `s` with one event when `kind` needs events to hold, and returns the expectation of
/// that kind which holds now.
async fn prepare<S: EventWriterExt + EventReaderExt>(
    store: &S,
    s: &StreamId,
    kind: Kind,
    tag: &str,
) -> (ExpectedVersion, Vec<NewEvent>) {
    let mut first = Vec::new();
    if kind.needs_events() {
        first = batch(&format!("{tag}-first"), 1);
        store
            .append_events(s, ExpectedVersion::NoStream, first.clone())
            .await
            .or_fail("preparing the stream");
    }
    let current = store.stream_version(s).await.or_fail("its version");
    match kind.holding(current) {
        Some(expected) => (expected, first),
        None => panic!("the suite prepared {s} at {current:?}, where {kind:?} cannot hold"),
    }
}

/// An exact re-send returns the original result and stores nothing, whatever the original
/// expected (each kind, sent where it held), whichever path it took (`append`, `append_multi`
/// alone or with another stream's part, which the re-send carries too) and whatever the re-send
/// expects now (every kind, most of which no longer hold after a later write). A single-stream
/// batch sent by `append` or by a one-stream `append_multi` is re-sent both ways.
pub async fn resend_returns_original_on_every_path<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::super::support::fresh_store(factory).await;
    let mut case = 0;
    let mut total = 0;
    for kind in KINDS {
        for path in PATHS {
            case += 1;
            let s = stream(&format!("resend-path-{case}"));
            let other = stream(&format!("resend-path-{case}-other"));
            let (expected, mut wanted) = prepare(&store, &s, kind, &format!("r{case}")).await;
            let (events, companion) = (batch(&format!("r{case}"), 3), batch("o", 1));
            let what = format!("a batch first sent with {expected} by {path}");
            let original = send(
                &store,
                path,
                StreamAppend::new(s.clone(), expected, events.clone()),
                StreamAppend::new(other.clone(), ExpectedVersion::Any, companion.clone()),
            )
            .await
            .or_fail(&what);
            let later = batch(&format!("r{case}-later"), 1);
            store
                .append_events(&s, ExpectedVersion::Any, later.clone())
                .await
                .or_fail("a later write");
            let at = store.stream_version(&s).await.or_fail("the version");
            let resend_paths = match path {
                Path::Append | Path::MultiAlone => vec![Path::Append, Path::MultiAlone],
                other => vec![other],
            };
            for again_path in resend_paths {
                for again in [
                    ExpectedVersion::Any,
                    ExpectedVersion::NoStream,
                    ExpectedVersion::StreamExists,
                    ExpectedVersion::Exact(at.unwrap_or(Version::FIRST)),
                ] {
                    let resent = send(
                        &store,
                        again_path,
                        StreamAppend::new(s.clone(), again, events.clone()),
                        StreamAppend::new(other.clone(), ExpectedVersion::Any, companion.clone()),
                    )
                    .await
                    .or_fail(&format!(
                        "{what}, re-sent exactly with {again} by {again_path} (an exact re-send must succeed)"
                    ));
                    assert_eq!(
                        resent, original,
                        "{what}, re-sent exactly with {again} by {again_path}: a re-send must return the original result"
                    );
                }
            }
            wanted.extend(events);
            wanted.extend(later);
            assert_events(
                &whole(&store, &s, &what).await,
                &wanted,
                &format!("{what}, after its re-sends"),
            );
            let companions = whole(&store, &other, &what).await;
            if path.has_companion() {
                assert_events(
                    &companions,
                    &companion,
                    &format!("{what}: the other stream"),
                );
            } else {
                assert!(
                    companions.is_empty(),
                    "{what}: the other stream was written"
                );
            }
            total += wanted.len() + companions.len();
        }
    }
    assert_eq!(
        everything(&store, "read_all after every re-send")
            .await
            .len(),
        total,
        "read_all after the re-sends: a re-send stored events again"
    );
    Outcome::Passed
}

/// Every reuse of stored ids that is not an exact re-send is `DuplicateEventId`, naming a reused
/// id and the stream that holds it, and stores nothing, under every kind of expectation (each
/// where it holds, so only the ids are wrong) and on every path: in another stream the stored
/// batch as it is, a stored id with other content, and new events with a stored one last; in
/// the stream that holds them (where `NoStream` cannot hold) a stored id with other content,
/// part of the stored batch, the batch in another order, and the batch with a new event after it.
pub async fn reused_ids_rejected_on_every_path<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::super::support::fresh_store(factory).await;
    let home = stream("reuse-path-home");
    let stored = batch("home", 3);
    store
        .append_events(&home, ExpectedVersion::NoStream, stored.clone())
        .await
        .or_fail("storing the batch whose ids are reused");
    let changed = |index: usize| event("Changed", r#"{"changed":true}"#).with_id(stored[index].id);
    let mut total = stored.len();
    let mut case = 0;
    for kind in KINDS {
        for path in PATHS {
            case += 1;
            let target = stream(&format!("reuse-path-{case}"));
            let other = stream(&format!("reuse-path-{case}-other"));
            let (expected, first) = prepare(&store, &target, kind, &format!("u{case}")).await;
            total += first.len();
            let mut forms: Vec<(&str, StreamId, ExpectedVersion, Vec<NewEvent>)> = vec![
                (
                    "the stored batch in another stream",
                    target.clone(),
                    expected,
                    stored.clone(),
                ),
                (
                    "a stored id with other content in another stream",
                    target.clone(),
                    expected,
                    vec![changed(0)],
                ),
                (
                    "new events with a stored id last, in another stream",
                    target.clone(),
                    expected,
                    vec![event("New", "1"), event("New", "2"), stored[1].clone()],
                ),
            ];
            if let Some(at_home) = kind.holding(Version::new(3)) {
                forms.extend([
                    (
                        "a stored id with other content",
                        home.clone(),
                        at_home,
                        vec![changed(1)],
                    ),
                    (
                        "the first two events of the stored batch",
                        home.clone(),
                        at_home,
                        stored[..2].to_vec(),
                    ),
                    (
                        "the stored batch in another order",
                        home.clone(),
                        at_home,
                        vec![stored[1].clone(), stored[0].clone(), stored[2].clone()],
                    ),
                    (
                        "the stored batch and a new event after it",
                        home.clone(),
                        at_home,
                        stored.iter().cloned().chain([event("New", "3")]).collect(),
                    ),
                ]);
            }
            for (form, s, expected, events) in forms {
                let what = format!("{form}, with {expected} by {path}");
                let reused: Vec<_> = events
                    .iter()
                    .filter(|e| stored.iter().any(|old| old.id == e.id))
                    .map(|e| e.id)
                    .collect();
                let result = send(
                    &store,
                    path,
                    StreamAppend::new(s.clone(), expected, events),
                    StreamAppend::new(other.clone(), ExpectedVersion::Any, batch("o", 1)),
                )
                .await;
                match &result {
                    Err(Error::DuplicateEventId { id, stream: holder })
                        if reused.contains(id) && *holder == home => {}
                    other => panic!(
                        "{what}: expected DuplicateEventId naming one of {reused:?} held by {home}, got {other:?}"
                    ),
                }
                for (name, holds) in [(&target, first.len()), (&home, 3), (&other, 0)] {
                    let read = whole(&store, name, &what).await;
                    assert_eq!(
                        read.len(),
                        holds,
                        "{what}: stream {name} holds {} events, {holds} before the rejected append; it stored some (e.g. {})",
                        read.len(),
                        read.last()
                            .map_or_else(String::new, super::super::support::describe)
                    );
                }
            }
        }
    }
    assert_eq!(
        everything(&store, "read_all after every rejected reuse")
            .await
            .len(),
        total,
        "read_all after the rejected reuses holds more than was stored before them"
    );
    Outcome::Passed
}
