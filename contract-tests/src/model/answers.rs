//! The model's fixtures: stream names, generated events, and store errors in the reference's
//! terms.

use es_core::{Error, NewEvent, StreamId, Version};

use super::{ops::STREAMS, reference::Answer};

pub(crate) fn stream(index: usize) -> StreamId {
    match StreamId::new(STREAMS[index % STREAMS.len()]) {
        Ok(id) => id,
        Err(error) => panic!("the model's stream names are valid: {error}"),
    }
}

pub(crate) fn events(step: usize, part: usize, count: usize) -> Vec<NewEvent> {
    (0..count)
        .map(|n| {
            let json = format!(r#"{{"step":{step},"part":{part},"n":{n},"text":"é𝄞\u0000"}}"#);
            match NewEvent::from_json(if n % 2 == 0 { "Even" } else { "Odd" }, json) {
                Ok(event) => event,
                Err(error) => panic!("the model's events are valid: {error}"),
            }
        })
        .collect()
}

/// The variant name of an error, or the conflict it carries.
pub(crate) fn abstract_error(error: &Error) -> Answer {
    match error {
        Error::Conflict {
            stream,
            expected,
            actual,
        } => Answer::Conflict {
            stream: stream.clone(),
            expected: *expected,
            actual: actual.map(Version::get),
        },
        Error::DuplicateEventId { .. } => Answer::Rejected("DuplicateEventId"),
        Error::RepeatedEventId { .. } => Answer::Rejected("RepeatedEventId"),
        Error::EmptyAppend { .. } => Answer::Rejected("EmptyAppend"),
        Error::InvalidMultiAppend { .. } => Answer::Rejected("InvalidMultiAppend"),
        Error::BatchTooLarge { .. } => Answer::Rejected("BatchTooLarge"),
        Error::PayloadTooLarge { .. } => Answer::Rejected("PayloadTooLarge"),
        Error::StreamDeleted { .. } => Answer::Rejected("StreamDeleted"),
        other => panic!("the store failed outright: {other}"),
    }
}
