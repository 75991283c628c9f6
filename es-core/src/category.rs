//! Categories: the kind of thing a stream is about, by convention the text before the first `-`.

use std::{fmt, sync::Arc};

use crate::{Error, limits::MAX_CATEGORY_BYTES, stream_id::shorten};

/// The category of a stream, as KurrentDB's `$ce-` projection sees it: the text before the first
/// `-` of its id (`account` for `account-7`), when that text is a valid category.
///
/// A category is 1 to 64 ASCII letters, digits or `_`: one NATS subject token and one indexed
/// column, so that readers filtering by category can be served by the backend. A stream whose
/// id has no `-`, or whose prefix is not a valid category, has no category.
///
/// ```
/// use es_core::{Category, StreamId};
///
/// let accounts = Category::new("account")?;
/// let id = StreamId::in_category(&accounts, "7")?;
/// assert_eq!(id.as_str(), "account-7");
/// assert_eq!(id.category(), Some(accounts));
/// assert_eq!(StreamId::new("no_dash")?.category(), None);
/// assert!(Category::new("two.tokens").is_err());
/// # Ok::<(), es_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Category(Arc<str>);

impl Category {
    /// Validates `name`; [`Error::InvalidCategory`] when it is empty, longer than 64 bytes, or
    /// holds anything but ASCII letters, digits and `_`.
    pub fn new(name: impl AsRef<str>) -> Result<Self, Error> {
        let name = name.as_ref();
        check(name).map_err(|reason| Error::InvalidCategory {
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

fn check(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > MAX_CATEGORY_BYTES {
        return Err("it is too long");
    }
    if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err("it holds a character other than an ASCII letter, digit or `_`");
    }
    Ok(())
}

/// The category text of a stream id, without allocating: the prefix before the first `-` when
/// it is a valid category.
pub(crate) fn category_of(stream_id: &str) -> Option<&str> {
    let (prefix, _) = stream_id.split_once('-')?;
    check(prefix).ok().map(|()| prefix)
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl serde::Serialize for Category {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Category {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Self::new(name).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn category_is_the_valid_prefix_before_the_first_dash() {
        assert_eq!(category_of("account-7"), Some("account"));
        assert_eq!(category_of("order_line-1-2"), Some("order_line"));
        assert_eq!(category_of("model-𝄞"), Some("model"));
        assert_eq!(category_of("nodash"), None);
        assert_eq!(category_of("-leading"), None);
        assert_eq!(category_of("a.b-1"), None);
        assert_eq!(category_of("é-1"), None);
    }
}
