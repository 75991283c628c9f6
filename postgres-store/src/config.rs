//! How to reach the database and how the store behaves.

use std::{fmt, time::Duration};

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
#[derive(Clone)]
pub struct PgStoreConfig {
    pub(crate) url: String,
    pub(crate) schema: String,
    pub(crate) max_connections: u32,
    pub(crate) acquire_timeout: Duration,
    pub(crate) poll_interval: Duration,
    pub(crate) settle_timeout: Duration,
    pub(crate) append_slots: usize,
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
            append_slots: Self::DEFAULT_APPEND_SLOTS,
        }
    }

    /// How many append statements the store sends at once by default (see
    /// [`append_slots`](Self::append_slots)).
    pub const DEFAULT_APPEND_SLOTS: usize = 4;

    /// How many append statements the store sends at once (at least 1). Appends that arrive
    /// while every slot is busy wait for the next free one, which writes them together: one
    /// statement, one transaction, one commit for many callers, each with its own outcome (a
    /// failed expectation fails only its own append). With fewer concurrent appends than slots
    /// nothing waits. More slots: less waiting under moderate load; fewer: larger groups and
    /// fewer commits when many writers append at once. A group carries at most 256 appends,
    /// 10,000 events and 8 MiB of payload; appends to a stream already in the group wait for
    /// the next one.
    ///
    /// ```
    /// use postgres_store::PgStoreConfig;
    ///
    /// // An ingest service with many concurrent writers: larger groups, fewer commits.
    /// let config = PgStoreConfig::new("postgres://postgres@localhost/ingest").append_slots(2);
    /// # let _ = config;
    /// ```
    #[must_use]
    pub fn append_slots(mut self, slots: usize) -> Self {
        self.append_slots = slots.max(1);
        self
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

    /// Checks the schema name: it is used as an identifier and in the notification channel
    /// `es_<schema>`, so only plain lowercase names that are not reserved words and leave the
    /// channel within PostgreSQL's 63 bytes pass.
    pub(crate) fn validated_schema(&self) -> Result<&str, PgStoreError> {
        let s = self.schema.as_str();
        let mut chars = s.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c == '_');
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if first_ok && rest_ok && s.len() <= MAX_SCHEMA_BYTES && !RESERVED.contains(&s) {
            Ok(s)
        } else {
            Err(PgStoreError::InvalidSchema(s.to_owned()))
        }
    }
}

/// The longest schema name: its notification channel `es_<schema>` must fit PostgreSQL's
/// identifier limit of 63 bytes.
pub(crate) const MAX_SCHEMA_BYTES: usize = 60;

/// PostgreSQL's reserved key words (SQL key words appendix, "reserved" in the PostgreSQL
/// column), which cannot name a schema without quotes.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

impl fmt::Debug for PgStoreConfig {
    /// Shows everything but the password of the url.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgStoreConfig")
            .field("url", &redacted(&self.url))
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .field("acquire_timeout", &self.acquire_timeout)
            .field("poll_interval", &self.poll_interval)
            .field("settle_timeout", &self.settle_timeout)
            .field("append_slots", &self.append_slots)
            .finish()
    }
}

/// `url` with its password (between `user:` and `@` of the authority, or a `password=` query
/// parameter) replaced by `***`.
pub(crate) fn redacted(url: &str) -> String {
    let url = match url.split_once('?') {
        Some((base, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
                    _ => pair.to_owned(),
                })
                .collect();
            format!("{base}?{}", query.join("&"))
        }
        None => url.to_owned(),
    };
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url;
    };
    let authority_end = url[scheme_end..]
        .find(['/', '?'])
        .map_or(url.len(), |i| scheme_end + i);
    let authority = &url[scheme_end..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end],
            &authority[..colon],
            &url[scheme_end + at..]
        ),
        _ => url,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_password() {
        let config =
            PgStoreConfig::new("postgres://app:s3cr3t-p4ss@db.example:5432/events?sslmode=require");
        let shown = format!("{config:?}");
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(
            shown.contains("postgres://app:***@db.example:5432/events?sslmode=require"),
            "{shown}"
        );
        assert_eq!(redacted("postgres://app@h/db"), "postgres://app@h/db");
        assert_eq!(
            redacted("postgres://h/db?sslmode=disable&password=x"),
            "postgres://h/db?sslmode=disable&password=***"
        );
    }

    #[test]
    fn the_url_reads_back_as_given_and_only_debug_redacts_it() {
        let url = "postgres://app:s3cr3t@db.example/events";
        let config = PgStoreConfig::new(url).schema("ledger");
        assert_eq!((config.url(), config.schema_name()), (url, "ledger"));
        assert_eq!(
            PgStoreConfig::new(url).schema_name(),
            PgStoreConfig::DEFAULT_SCHEMA
        );
    }

    #[test]
    fn schema_names_must_be_plain_identifiers() {
        for good in ["eventstore", "_x", "a1_b", "users", &"x".repeat(60)] {
            assert!(
                PgStoreConfig::new("")
                    .schema(good)
                    .validated_schema()
                    .is_ok()
            );
        }
        for bad in [
            "",
            "1a",
            "A",
            "a-b",
            "a\"b",
            "a;drop",
            &"x".repeat(64),
            &"x".repeat(61),
            "select",
            "user",
            "table",
        ] {
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
