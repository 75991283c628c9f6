use std::{fmt, sync::Arc};

use crate::{
    Error,
    limits::MAX_EVENT_TYPE_BYTES,
    stream_id::{check_name, shorten},
};

/// The stable name of an event's type, e.g. `"AccountOpened"`: 1 to 255 bytes of text with no
/// control characters and no leading or trailing white space.
///
/// Stored with every event; readers use it (with the schema version in the metadata) to pick
/// the type to deserialize into and the upcasters to apply.
///
/// ```
/// use es_core::EventType;
///
/// let name = EventType::new("AccountOpened")?;
/// assert_eq!(name.as_str(), "AccountOpened");
/// assert!(EventType::new(" padded ").is_err());
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EventType(Arc<str>);

impl EventType {
    /// Validates `name` and makes an event type of it; [`Error::InvalidEventType`] otherwise.
    pub fn new(name: impl AsRef<str>) -> Result<Self, Error> {
        let name = name.as_ref();
        check_name(name, MAX_EVENT_TYPE_BYTES)
            .and_then(|()| {
                if name.trim() != name {
                    Err("it has leading or trailing white space")
                } else {
                    Ok(())
                }
            })
            .map_err(|reason| Error::InvalidEventType {
                name: shorten(name),
                reason,
            })?;
        Ok(Self(Arc::from(name)))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl PartialEq<str> for EventType {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for EventType {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::new(name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_type_rejects_each_bad_shape() {
        for (bad, why) in [
            ("", "it is empty"),
            (" Opened", "it has leading or trailing white space"),
            ("Opened\u{7}", "it holds a control character"),
        ] {
            match EventType::new(bad) {
                Err(Error::InvalidEventType { reason, .. }) => assert_eq!(reason, why),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
        assert!(EventType::new("x".repeat(MAX_EVENT_TYPE_BYTES + 1)).is_err());
        assert!(EventType::new("x".repeat(MAX_EVENT_TYPE_BYTES)).is_ok());
    }
}
