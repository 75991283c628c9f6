use std::{fmt, sync::Arc};

use crate::{Category, Error, category::category_of, limits::MAX_STREAM_ID_BYTES};

/// The name of a stream: 1 to 255 bytes of text with no control characters.
///
/// Cloning is cheap (a reference count), so ids can be handed to every recorded event.
///
/// ```
/// use es_core::StreamId;
///
/// let id = StreamId::new("account-42")?;
/// assert_eq!(id.as_str(), "account-42");
/// assert!(StreamId::new("").is_err());
/// assert!(StreamId::new("tab\there").is_err());
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId(Arc<str>);

impl StreamId {
    /// Validates `id` and makes a stream id of it.
    ///
    /// Fails with [`Error::InvalidStreamId`] when `id` is empty, longer than
    /// [`MAX_STREAM_ID_BYTES`] bytes, or holds a control character.
    pub fn new(id: impl AsRef<str>) -> Result<Self, Error> {
        let id = id.as_ref();
        check_name(id, MAX_STREAM_ID_BYTES).map_err(|reason| Error::InvalidStreamId {
            id: shorten(id),
            reason,
        })?;
        Ok(Self(Arc::from(id)))
    }

    /// The id `<category>-<id>`, e.g. `account-7`; [`Error::InvalidStreamId`] when the whole is
    /// not a valid id.
    pub fn in_category(category: &Category, id: impl AsRef<str>) -> Result<Self, Error> {
        Self::new(format!("{category}-{}", id.as_ref()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The stream's [`Category`]: the text before the first `-`, when that is a valid category.
    pub fn category(&self) -> Option<Category> {
        category_of(&self.0).and_then(|name| Category::new(name).ok())
    }

    /// Whether the stream belongs to `category` (no allocation).
    pub fn is_in(&self, category: &Category) -> bool {
        category_of(&self.0) == Some(category.as_str())
    }
}

/// The checks shared by stream ids and event type names.
pub(crate) fn check_name(name: &str, max: usize) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > max {
        return Err("it is too long");
    }
    if name.chars().any(char::is_control) {
        return Err("it holds a control character");
    }
    Ok(())
}

/// Keeps error messages readable when the rejected input is huge.
pub(crate) fn shorten(text: &str) -> String {
    const KEEP: usize = 64;
    match text.char_indices().nth(KEEP) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl AsRef<str> for StreamId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl TryFrom<&str> for StreamId {
    type Error = Error;
    fn try_from(id: &str) -> Result<Self, Error> {
        Self::new(id)
    }
}

impl TryFrom<String> for StreamId {
    type Error = Error;
    fn try_from(id: String) -> Result<Self, Error> {
        Self::new(id)
    }
}

impl serde::Serialize for StreamId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for StreamId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let id = String::deserialize(deserializer)?;
        Self::new(id).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_id_accepts_unicode_up_to_the_limit() {
        let longest = "é".repeat(MAX_STREAM_ID_BYTES / 2);
        assert_eq!(
            StreamId::new(&longest).map(|id| id.as_str().len()).ok(),
            Some(254)
        );
        assert!(StreamId::new("𝄞-stream").is_ok());
    }

    #[test]
    fn stream_id_rejects_empty_long_and_control() {
        for (bad, why) in [
            (String::new(), "it is empty"),
            ("x".repeat(MAX_STREAM_ID_BYTES + 1), "it is too long"),
            ("a\nb".to_owned(), "it holds a control character"),
            ("nul\0".to_owned(), "it holds a control character"),
        ] {
            match StreamId::new(&bad) {
                Err(Error::InvalidStreamId { reason, .. }) => assert_eq!(reason, why),
                other => panic!("{bad:?} gave {other:?}"),
            }
        }
    }

    #[test]
    fn stream_id_error_message_says_what_to_do() {
        let message = StreamId::new("").err().map(|e| e.to_string());
        assert_eq!(
            message.as_deref(),
            Some("invalid stream id \"\": it is empty; use 1 to 255 bytes of printable text")
        );
    }
}
