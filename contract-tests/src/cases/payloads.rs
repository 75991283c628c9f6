//! Payload and metadata round trips: what goes in comes out with the same JSON meaning, read
//! from the stream and from `read_all`, however awkward the text.

use es_core::{
    Error, EventReader, EventWriterExt, ExpectedVersion, Metadata, NewEvent, limits::MAX_JSON_DEPTH,
};

use super::support::{OrFail, assert_events, event, everything, stream, whole};
use crate::{Outcome, StoreFactory};

/// The promise these cases check, as a failure states it.
pub const PROMISE: &str = "payloads and metadata come back with the same JSON meaning they were written with, from the stream and from read_all.";

/// Appends `events` to a fresh stream and checks that both read paths give them back.
async fn round_trip<S: EventReader + EventWriterExt>(store: &S, name: &str, events: Vec<NewEvent>) {
    let s = stream(name);
    store
        .append_events(&s, ExpectedVersion::NoStream, events.clone())
        .await
        .or_fail(&format!("appending the {name} events"));
    assert_events(
        &whole(store, &s, "read_stream").await,
        &events,
        &format!("{name} via read_stream"),
    );
    let all: Vec<_> = everything(store, "read_all")
        .await
        .into_iter()
        .filter(|e| e.stream_id == s)
        .collect();
    assert_events(&all, &events, &format!("{name} via read_all"));
}

/// Text from every plane, astral characters (4-byte UTF-8) included, survives in payloads and
/// in metadata keys and values.
pub async fn payload_unicode_astral_round_trips<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let text = "G clef 𝄞, emoji 😀👩‍👩‍👧, CJK 漢字, RTL שלום, combining é, last \u{10FFFF}";
    let payload = serde_json::json!({ "text": text, "𝄞-key": ["😀", "\u{1F600}"] });
    let with_metadata = NewEvent::from_value("Unicode", &payload)
        .or_fail("building the payload")
        .with_metadata(Metadata::default().with_user_key("emoji-😀", text));
    let as_written = event("Unicode", &format!(r#"{{"raw":"{text}"}}"#));
    round_trip(&store, "unicode", vec![with_metadata.clone(), as_written]).await;
    let read = whole(&store, &stream("unicode"), "read").await;
    let value = read[0]
        .payload
        .to_value()
        .or_fail("parsing the payload read back");
    assert_eq!(value["text"], text, "the astral text came back changed");
    Outcome::Passed
}

/// JSON escapes (quote, backslash, solidus, control characters, `\u` escapes, surrogate
/// pairs) keep their meaning.
pub async fn payload_escapes_round_trip<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let escaped = event(
        "Escaped",
        r#"{"quote":"say \"hi\"","backslash":"C:\\dir\\","solidus":"a\/b","controls":"\n\t\r\b\f","bell":"\u0007","surrogates":"\ud834\udd1e","latin":"\u00e9"}"#,
    );
    let from_value = NewEvent::from_value(
        "Escaped",
        &serde_json::json!({ "all": "\"\\/\n\t\r\u{8}\u{c}\u{1}\u{1f}\u{7f}" }),
    )
    .or_fail("building the payload");
    round_trip(&store, "escapes", vec![escaped, from_value]).await;
    let read = whole(&store, &stream("escapes"), "read").await;
    let value = read[0].payload.to_value().or_fail("parsing");
    assert_eq!(
        value["surrogates"], "𝄞",
        "a surrogate-pair escape lost its meaning"
    );
    assert_eq!(value["controls"], "\n\t\r\u{8}\u{c}");
    Outcome::Passed
}

/// A NUL character inside a JSON string (`\u0000`) survives; some databases reject it in their
/// binary JSON type, so a provider must store it another way.
pub async fn payload_nul_char_round_trips<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let escaped = event("Nul", r#"{"nul":"before\u0000after","only":"\u0000"}"#);
    let from_value = NewEvent::from_value("Nul", &serde_json::json!({ "key\u{0}": "a\u{0}b" }))
        .or_fail("building the payload")
        .with_metadata(Metadata::default().with_user_key("nul", "x\u{0}y"));
    round_trip(&store, "nul", vec![escaped, from_value]).await;
    let read = whole(&store, &stream("nul"), "read").await;
    let value = read[0].payload.to_value().or_fail("parsing");
    assert_eq!(
        value["nul"], "before\u{0}after",
        "the NUL character was lost or changed"
    );
    Outcome::Passed
}

/// JSON nested as deep as es-core accepts (`MAX_JSON_DEPTH` levels of arrays and objects)
/// survives.
pub async fn payload_deep_nesting_round_trips<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    // As deep as any store must take: the deepest JSON that serde reads back.
    let depth = MAX_JSON_DEPTH;
    let mut json = String::from(r#""bottom""#);
    for level in 0..depth {
        json = if level % 2 == 0 {
            format!("[{json}, {level}]")
        } else {
            format!(r#"{{"level{level}": {json}, "n": {level}}}"#)
        };
    }
    round_trip(&store, "deep", vec![event("Deep", &json)]).await;
    Outcome::Passed
}

/// Numbers at the edges of i64, u64 and f64 come back as the same numbers.
pub async fn payload_number_edges_round_trip<F: StoreFactory>(factory: &F) -> Outcome {
    #[derive(serde::Deserialize, PartialEq, Debug)]
    struct Edges {
        i64_min: i64,
        i64_max: i64,
        u64_max: u64,
        f64_max: f64,
        f64_lowest: f64,
        f64_tiny: f64,
        f64_epsilon: f64,
        tenth: f64,
    }
    let store = super::support::fresh_store(factory).await;
    let json = format!(
        r#"{{"i64_min":{},"i64_max":{},"u64_max":{},"f64_max":{:e},"f64_lowest":{:e},"f64_tiny":5e-324,"f64_epsilon":{:e},"tenth":0.1}}"#,
        i64::MIN,
        i64::MAX,
        u64::MAX,
        f64::MAX,
        f64::MIN,
        f64::EPSILON
    );
    round_trip(&store, "numbers", vec![event("Numbers", &json)]).await;
    let read = whole(&store, &stream("numbers"), "read").await;
    let edges: Edges = read[0]
        .payload
        .to_typed()
        .or_fail("reading the numbers back as numbers");
    let wanted = Edges {
        i64_min: i64::MIN,
        i64_max: i64::MAX,
        u64_max: u64::MAX,
        f64_max: f64::MAX,
        f64_lowest: f64::MIN,
        f64_tiny: 5e-324,
        f64_epsilon: f64::EPSILON,
        tenth: 0.1,
    };
    assert_eq!(
        edges, wanted,
        "a number at the edge of its type came back changed"
    );
    Outcome::Passed
}

/// Every kind of JSON value is a valid payload: null, booleans, numbers, strings, empty and
/// full arrays and objects; spacing and key order may change but not the meaning.
pub async fn payload_any_json_value_round_trips<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let events = [
        "null",
        "true",
        "false",
        "0",
        "-1.5",
        r#""""#,
        r#""text""#,
        "[]",
        "{}",
        r#" { "b" : [ 1 , 2 ] , "a" : { } } "#,
    ]
    .into_iter()
    .map(|json| event("AnyValue", json))
    .collect();
    round_trip(&store, "any-value", events).await;
    Outcome::Passed
}

/// A payload of exactly the store's claimed `max_payload_bytes` is stored whole; one byte more
/// is `PayloadTooLarge` and stores nothing.
pub async fn payload_at_size_limit_round_trips<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let max_payload = store.claims().max_payload_bytes;
    assert!(
        max_payload >= es_core::limits::MAX_PAYLOAD_BYTES,
        "the store claims payloads of {max_payload} bytes, below the portable floor of {}",
        es_core::limits::MAX_PAYLOAD_BYTES
    );
    let frame = r#"{"blob":""}"#.len();
    // Mixed widths, so a store that counts characters instead of bytes is caught.
    let unit = "ab€😀"; // 2 + 3 + 4 = 9 bytes
    let mut blob = unit.repeat((max_payload - frame) / unit.len());
    blob.push_str(&"x".repeat(max_payload - frame - blob.len()));
    let at_limit = event("Big", &format!(r#"{{"blob":"{blob}"}}"#));
    assert_eq!(
        at_limit.payload.len(),
        max_payload,
        "the suite built the wrong size"
    );
    round_trip(&store, "big", vec![at_limit]).await;

    let over = event("Big", &format!(r#"{{"blob":"{blob}x"}}"#));
    let s = stream("too-big");
    let result = store
        .append_events(&s, ExpectedVersion::Any, vec![over])
        .await;
    assert!(
        matches!(&result, Err(Error::PayloadTooLarge { size, max, .. })
            if *size == max_payload + 1 && *max == max_payload),
        "a payload one byte over the limit must be PayloadTooLarge, got {:?}",
        result.map(|r| r.last.version)
    );
    assert!(
        whole(&store, &s, "read").await.is_empty(),
        "the oversized payload was stored"
    );
    assert_eq!(everything(&store, "read_all").await.len(), 1);
    Outcome::Passed
}

/// Metadata (correlation and causation ids, schema version, user keys of every JSON kind)
/// comes back equal.
pub async fn metadata_round_trips<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let full = Metadata::default()
        .with_correlation_id(es_core::uuid::Uuid::now_v7())
        .with_causation_id(es_core::uuid::Uuid::now_v7())
        .with_schema_version(7)
        .with_user_key("tenant", "acme")
        .with_user_key("count", 42)
        .with_user_key("big", u64::MAX)
        .with_user_key("flags", serde_json::json!({ "a": [true, null, 1.5] }))
        .with_user_key("quote\"key", "line\nbreak");
    let events = vec![
        event("Meta", "{}").with_metadata(full),
        event("Meta", "{}"),
        event("Meta", "{}").with_metadata(Metadata::default().with_schema_version(u32::MAX)),
    ];
    round_trip(&store, "metadata", events).await;
    Outcome::Passed
}

/// Metadata holding full-precision floats comes back equal, from the stream and from
/// `read_all`, and an exact re-send of the batch is recognised as one: a store that re-parses
/// floats with less than full precision turns a harmless re-send after a lost acknowledgement
/// into `DuplicateEventId`.
pub async fn metadata_floats_round_trip_exactly<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    // Values that a parser without full precision reads back one bit off (about one float in
    // five is such a value), and edges of the range.
    let floats = [
        f64::from_bits(0x3ff9_e377_9b97_f4a7),
        f64::from_bits(0x3ff5_3845_4127_b096),
        f64::from_bits(0x3ff8_ff34_7857_99e5),
        0.999_999_999_999_999_9,
        0.1 + 0.2,
        2.225_073_858_507_201_4e-308,
        1.797_693_134_862_315_7e308,
        5e-324,
    ];
    let mut metadata = Metadata::default();
    for (n, value) in floats.iter().enumerate() {
        metadata = metadata.with_user_key(format!("f{n}"), *value);
    }
    metadata = metadata.with_user_key("all", serde_json::json!(floats));
    let events: Vec<_> = (0..3)
        .map(|n| event("Measured", &format!(r#"{{"n":{n}}}"#)).with_metadata(metadata.clone()))
        .collect();
    round_trip(&store, "floats", events.clone()).await;
    let s = stream("floats");
    let read = whole(&store, &s, "read").await;
    for (n, value) in floats.iter().enumerate() {
        let got = read[0]
            .metadata
            .user
            .get(&format!("f{n}"))
            .and_then(serde_json::Value::as_f64);
        assert_eq!(
            got.map(f64::to_bits),
            Some(value.to_bits()),
            "metadata float f{n} = {value:e} came back as {got:?}"
        );
    }
    let again = store
        .append_events(&s, ExpectedVersion::NoStream, events)
        .await
        .or_fail("an exact re-send of events with float metadata");
    assert_eq!(
        again.first.version.get(),
        1,
        "the re-send must return the original result"
    );
    assert_eq!(
        everything(&store, "read_all").await.len(),
        3,
        "the re-send stored events twice"
    );
    Outcome::Passed
}

/// Metadata nested deeper than stores can read back is refused when it is written
/// (`InvalidPayload` naming the metadata), so no event is stored that would break every later
/// read of its stream, of `read_all` and of subscriptions; the stream stays readable.
pub async fn metadata_too_deep_is_refused_at_write<F: StoreFactory>(factory: &F) -> Outcome {
    let store = super::support::fresh_store(factory).await;
    let s = stream("deep-metadata");
    let ok = event("Shallow", "{}");
    store
        .append_events(&s, ExpectedVersion::NoStream, [ok.clone()])
        .await
        .or_fail("a first event");
    let mut deep = serde_json::json!("bottom");
    for _ in 0..MAX_JSON_DEPTH {
        deep = serde_json::json!([deep]);
    }
    let too_deep =
        event("Deep", "{}").with_metadata(Metadata::default().with_user_key("deep", deep));
    let result = store
        .append_events(&s, ExpectedVersion::Any, [too_deep])
        .await;
    assert!(
        matches!(
            &result,
            Err(Error::InvalidPayload {
                what: "metadata",
                ..
            })
        ),
        "metadata nested {} levels deep must be InvalidPayload (metadata), got {result:?}",
        MAX_JSON_DEPTH + 1
    );
    assert_events(
        &whole(&store, &s, "read").await,
        std::slice::from_ref(&ok),
        "the stream after the refusal",
    );
    assert_events(
        &everything(&store, "read_all").await,
        &[ok],
        "read_all after the refusal",
    );
    let mut limit = serde_json::json!("bottom");
    for _ in 0..MAX_JSON_DEPTH - 2 {
        limit = serde_json::json!([limit]);
    }
    let at_limit =
        event("Deep", "{}").with_metadata(Metadata::default().with_user_key("deep", limit));
    store
        .append_events(&s, ExpectedVersion::Any, [at_limit.clone()])
        .await
        .or_fail("metadata as deep as stores read back");
    assert_eq!(
        whole(&store, &s, "read").await.len(),
        2,
        "the deepest readable metadata did not round trip"
    );
    Outcome::Passed
}
