use std::{fmt, sync::Arc};

use serde::{Serialize, de::DeserializeOwned};
use serde_json::value::RawValue;

use crate::{Error, json::check_depth};

/// An event's body as serialized JSON, validated once when it is made and never re-parsed on
/// the way into or out of a store.
///
/// Cloning is cheap (a reference count). Two payloads are equal when their JSON text is equal;
/// [`Payload::json_eq`] compares meaning instead, for backends that normalise JSON.
///
/// ```
/// use es_core::Payload;
///
/// #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
/// struct Deposited { amount: u64 }
///
/// let payload = Payload::from_value(&Deposited { amount: 5 })?;
/// assert_eq!(payload.as_str(), r#"{"amount":5}"#);
/// assert_eq!(payload.to_typed::<Deposited>()?, Deposited { amount: 5 });
/// assert!(Payload::from_json("{not json").is_err());
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Payload(Arc<RawValue>);

impl Payload {
    /// Validates `json` (without building a value tree) and keeps its text.
    ///
    /// Fails with [`Error::InvalidPayload`] when it is not one valid JSON value, or nests deeper
    /// than [`MAX_JSON_DEPTH`](crate::limits::MAX_JSON_DEPTH) (it could not be read back).
    pub fn from_json(json: impl Into<String>) -> Result<Self, Error> {
        let raw = RawValue::from_string(json.into()).map_err(|e| Error::invalid("payload", e))?;
        check_depth("payload", raw.get())?;
        Ok(Self(Arc::from(raw)))
    }

    /// Serializes `value` straight to JSON text; [`Error::InvalidPayload`] when serde refuses it
    /// or it nests too deep.
    pub fn from_value<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        let raw =
            serde_json::value::to_raw_value(value).map_err(|e| Error::invalid("payload", e))?;
        check_depth("payload", raw.get())?;
        Ok(Self(Arc::from(raw)))
    }

    /// The JSON text.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The size of the JSON text in bytes.
    pub fn len(&self) -> usize {
        self.0.get().len()
    }

    /// Whether the JSON text is empty (never true for a valid payload).
    pub fn is_empty(&self) -> bool {
        self.0.get().is_empty()
    }

    /// Deserializes into `T`; [`Error::Decode`] when the JSON does not fit `T` (use
    /// [`RecordedEvent::decode`](crate::RecordedEvent::decode) for a message naming the event).
    pub fn to_typed<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(self.0.get()).map_err(Error::decode)
    }

    /// The payload as a JSON value tree (costs a parse; meant for upcasters and tests).
    pub fn to_value(&self) -> Result<serde_json::Value, Error> {
        self.to_typed()
    }

    /// Whether both payloads hold the same JSON value, whatever their spacing or key order.
    pub fn json_eq(&self, other: &Self) -> bool {
        self == other || matches!((self.to_value(), other.to_value()), (Ok(a), Ok(b)) if a == b)
    }
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for Payload {}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

impl Serialize for Payload {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> serde::Deserialize<'de> for Payload {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(|raw| Self(Arc::from(raw)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_keeps_text_and_compares_meaning() {
        let spaced = Payload::from_json(r#"{ "b": 1, "a": "𝄞\u0000" }"#).ok();
        let tight = Payload::from_json(r#"{"a":"𝄞\u0000","b":1}"#).ok();
        let (Some(spaced), Some(tight)) = (spaced, tight) else {
            panic!("both are valid JSON");
        };
        assert_ne!(spaced, tight);
        assert!(spaced.json_eq(&tight));
        assert_eq!(spaced.as_str(), r#"{ "b": 1, "a": "𝄞\u0000" }"#);
    }

    #[test]
    fn payload_rejects_malformed_json() {
        for bad in ["", "{", "[1,]", "1 2", "nul"] {
            assert!(
                matches!(Payload::from_json(bad), Err(Error::InvalidPayload { .. })),
                "{bad:?} was accepted"
            );
        }
    }
}
