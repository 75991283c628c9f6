//! How to reach the database and how the store behaves.

use std::time::Duration;

use crate::PgStoreError;

/// Settings of a [`PgStore`](crate::PgStore): where the database is, which schema holds the
/// tables, the pool size, and how often subscriptions poll when no notification arrives.
///
/// ```
/// use postgres_store::PgStoreConfig;
///
/// let config = PgStoreConfig::new("postgres://postgres@localhost/app")
///     .schema("billing_events")
///     .max_connections(20);
/// assert_eq!(config.schema_name(), "billing_events");
/// ```
#[derive(Clone, Debug)]
pub struct PgStoreConfig {
    pub(crate) url: String,
    pub(crate) schema: String,
    pub(crate) max_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) poll_interval: Duration,
    pub(crate) settle_timeout: Duration,
}

impl PgStoreConfig {
    /// The default schema holding the `events` and `snapshots` tables.
    pub const DEFAULT_SCHEMA: &'static str = "eventstore";

    /// Settings for the database at `url`, with defaults for everything else: schema
    /// `eventstore`, 10 connections, 5 s to get a connection, 250 ms subscription polling.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            schema: Self::DEFAULT_SCHEMA.to_owned(),
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            poll_interval: Duration::from_millis(250),
            settle_timeout: Duration::from_millis(50),
        }
    }

    /// The schema that holds the tables (created by [`migrate`](crate::PgStore::migrate)).
    #[must_use]
    pub fn schema(mut self, schema: impl Into<String>) -> Self {
        self.schema = schema.into();
        self
    }

    /// The most connections the pool opens (at least 1).
    #[must_use]
    pub fn max_connections(mut self, max: u32) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// How long an operation waits for a free or new connection before it fails with
    /// `Error::Unavailable`.
    #[must_use]
    pub fn acquire_timeout(mut self, timeout: Duration) -> Self {
        self.acquire_timeout = timeout;
        self
    }

    /// How often an idle subscription reads again without a notification (the safe read bound
    /// can move without one, when an unrelated transaction ends).
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// How long `read_all` waits for in-flight transactions that hold back its safe bound before
    /// it returns the part it can safely return.
    #[must_use]
    pub fn settle_timeout(mut self, timeout: Duration) -> Self {
        self.settle_timeout = timeout;
        self
    }

    /// The configured schema name.
    pub fn schema_name(&self) -> &str {
        &self.schema
    }

    /// The configured database url.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Checks the schema name: it is used as an identifier, so only plain lowercase names pass.
    pub(crate) fn validated_schema(&self) -> Result<&str, PgStoreError> {
        let s = self.schema.as_str();
        let mut chars = s.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if first_ok && rest_ok && s.len() <= 63 {
            Ok(s)
        } else {
            Err(PgStoreError::InvalidSchema(s.to_owned()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names_must_be_plain_identifiers() {
        for good in ["eventstore", "_x", "a1_b"] {
            assert!(
                PgStoreConfig::new("")
                    .schema(good)
                    .validated_schema()
                    .is_ok()
            );
        }
        for bad in ["", "1a", "A", "a-b", "a\"b", "a;drop", &"x".repeat(64)] {
            assert!(
                PgStoreConfig::new("")
                    .schema(bad)
                    .validated_schema()
                    .is_err(),
                "{bad:?} passed"
            );
        }
    }
}
