use std::collections::BTreeMap;

use uuid::Uuid;

use crate::{Error, json::check_depth, limits::MAX_JSON_DEPTH};

/// What an event carries besides its payload: where it came from and free keys of the user's.
///
/// The correlation id ties together everything one request caused; the causation id names the
/// message (command or event) that caused this event. `schema_version` says which shape the
/// payload has, so that [`Upcasters`](crate::Upcasters) can bring old shapes up to date on read.
///
/// ```
/// use es_core::Metadata;
/// use uuid::Uuid;
///
/// let request = Uuid::now_v7();
/// let metadata = Metadata::default()
///     .with_correlation_id(request)
///     .with_user_key("tenant", "acme");
/// let json = metadata.to_json()?;
/// assert_eq!(Metadata::from_json(&json)?, metadata);
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Metadata {
    /// Ties together all the messages one request caused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<Uuid>,
    /// The message that caused this event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub causation_id: Option<Uuid>,
    /// The payload's shape version (1 when absent).
    #[serde(default = "first_schema", skip_serializing_if = "is_first_schema")]
    pub schema_version: u32,
    /// Free keys of the user's.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user: BTreeMap<String, serde_json::Value>,
}

/// The JSON of metadata with nothing in it.
const EMPTY: &str = "{}";

const fn first_schema() -> u32 {
    1
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
const fn is_first_schema(version: &u32) -> bool {
    *version == 1
}

impl Metadata {
    /// Sets the correlation id.
    #[must_use]
    pub fn with_correlation_id(mut self, id: Uuid) -> Self {
        self.correlation_id = Some(id);
        self
    }

    /// Sets the causation id.
    #[must_use]
    pub fn with_causation_id(mut self, id: Uuid) -> Self {
        self.causation_id = Some(id);
        self
    }

    /// Sets the payload's schema version.
    #[must_use]
    pub fn with_schema_version(mut self, version: u32) -> Self {
        self.schema_version = version;
        self
    }

    /// Adds a free key.
    #[must_use]
    pub fn with_user_key(
        mut self,
        key: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.user.insert(key.into(), value.into());
        self
    }

    /// Whether it carries nothing beyond the defaults (serializes as `{}`).
    pub fn is_empty(&self) -> bool {
        self.correlation_id.is_none()
            && self.causation_id.is_none()
            && self.schema_version == 1
            && self.user.is_empty()
    }

    /// The metadata as JSON text, as providers store it; [`Error::InvalidPayload`] when it nests
    /// deeper than [`MAX_JSON_DEPTH`], since it could not be read back.
    pub fn to_json(&self) -> Result<String, Error> {
        // Most events carry no metadata: skip serde for them (it is on every append's path).
        if self.is_empty() {
            return Ok(EMPTY.to_owned());
        }
        let json = serde_json::to_string(self).map_err(|e| Error::invalid("metadata", e))?;
        check_depth("metadata", &json)?;
        Ok(json)
    }

    /// Checks that the metadata can be read back once stored: its JSON (the object, the `user`
    /// object, then each value) nests at most [`MAX_JSON_DEPTH`] levels. Providers call it
    /// through [`validate_batch`](crate::provider::validate_batch); no allocation.
    pub fn check(&self) -> Result<(), Error> {
        let deepest = self.user.values().map(depth).max().unwrap_or(0);
        // The metadata object and its `user` object add two levels.
        if deepest + 2 > MAX_JSON_DEPTH {
            return Err(Error::invalid(
                "metadata",
                format!(
                    "a user key nests {} levels of arrays and objects, over the limit of {} inside metadata",
                    deepest,
                    MAX_JSON_DEPTH - 2
                ),
            ));
        }
        Ok(())
    }

    /// Reads metadata from the JSON text a provider stored.
    pub fn from_json(json: &str) -> Result<Self, Error> {
        // The common case on every read, decoded without serde.
        if json == EMPTY {
            return Ok(Self::default());
        }
        serde_json::from_str(json).map_err(Error::decode)
    }
}

/// How many levels of arrays and objects `value` nests (a scalar: 0), without recursion.
fn depth(value: &serde_json::Value) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(value, 0usize)];
    while let Some((value, level)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &serde_json::Value>> = match value {
            serde_json::Value::Array(items) => Box::new(items.iter()),
            serde_json::Value::Object(map) => Box::new(map.values()),
            _ => continue,
        };
        deepest = deepest.max(level + 1);
        stack.extend(children.map(|child| (child, level + 1)));
    }
    deepest
}

impl Default for Metadata {
    fn default() -> Self {
        Self {
            correlation_id: None,
            causation_id: None,
            schema_version: 1,
            user: BTreeMap::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_round_trips_empty_and_full() {
        let empty = Metadata::default();
        assert_eq!(empty.to_json().ok().as_deref(), Some("{}"));
        assert_eq!(serde_json::to_string(&empty).ok().as_deref(), Some("{}"));
        let full = Metadata::default()
            .with_correlation_id(Uuid::from_u128(1))
            .with_schema_version(3)
            .with_user_key("k", "v");
        let json = full.to_json().unwrap_or_default();
        assert!(!full.is_empty());
        assert_eq!(Metadata::from_json(&json).ok(), Some(full));
        assert_eq!(Metadata::from_json("{}").ok(), Some(Metadata::default()));
        assert_eq!(
            Metadata::from_json(r#"{ "schema_version": 1 }"#).ok(),
            Some(Metadata::default())
        );
    }
}
