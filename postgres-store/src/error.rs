//! Errors: setup failures of this crate, and the mapping of driver errors onto `es_core::Error`.

/// What can go wrong while connecting, migrating or finding a database for tests.
///
/// Store operations themselves return [`es_core::Error`]; this error is only for setting up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PgStoreError {
    /// The schema name is not a plain lowercase identifier.
    #[error(
        "invalid schema name {0:?}: use 1 to 60 characters of lowercase letters, digits and `_`, starting with a letter or `_`, and not a reserved word such as `user` or `select`"
    )]
    InvalidSchema(String),

    /// The connection URL could not be parsed.
    #[error("invalid database url: {0}; use postgres://user:password@host:port/database")]
    InvalidUrl(#[source] sqlx::Error),

    /// The database could not be reached or rejected the connection.
    #[error("cannot connect to PostgreSQL: {0}; check that it runs and that the url is right")]
    Connect(#[source] sqlx::Error),

    /// Running the schema migrations failed.
    #[error("cannot migrate the event store schema: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),

    /// The stored positions lie above every position this cluster can now write: the events were
    /// copied from a cluster whose transaction ids were further on (a logical dump and restore),
    /// so new events would sort before old ones and readers would not see the old ones.
    #[error(
        "the stored events' positions (up to {stored}) are above every position this cluster can write now (from {next}): \
         the events come from a cluster whose transaction ids were further on (a logical restore?); \
         raise this cluster's transaction id epoch above the old one (pg_resetwal --epoch, server stopped) before using the store"
    )]
    PositionsAhead {
        /// The highest stored position.
        stored: i64,
        /// The lowest position a new transaction can write.
        next: i64,
    },

    /// Any other database failure during setup.
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Maps a driver error onto the store contract's error: the backend being unreachable or gone
/// is [`es_core::Error::Unavailable`] (the caller may retry with the same event ids), a
/// serialization failure or deadlock (nothing applied) a retryable [`es_core::Error::Backend`],
/// anything else a backend error a retry will not fix. A protocol error is the driver and the
/// server disagreeing, not the server going away: re-sending would not help, so it is not
/// `Unavailable`.
pub(crate) fn store_error(error: sqlx::Error) -> es_core::Error {
    if is_unavailable(&error) {
        es_core::Error::unavailable(error)
    } else if sql_state(&error).as_deref() == Some("22012") {
        // Only the position guard of the append statements divides by zero (`sql::position_of`).
        es_core::Error::Backend {
            message: format!(
                "positions are exhausted: this cluster's transaction ids passed 2^43, beyond which \
                 positions (xid << 20) no longer fit a bigint; move the events to a new store ({error})"
            ),
            retryable: false,
            source: Some(Box::new(error)),
        }
    } else if matches!(sql_state(&error).as_deref(), Some("40001" | "40P01")) {
        es_core::Error::retryable_backend(error)
    } else {
        es_core::Error::backend(error)
    }
}

fn is_unavailable(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // Class 08: connection exception; 57P01-57P03: the server is shutting down,
            // crashed or is starting; 53300: too many connections.
            code.starts_with("08") || matches!(&*code, "57P01" | "57P02" | "57P03" | "53300")
        }),
        _ => false,
    }
}

/// The SQLSTATE of a database error, if it is one.
pub(crate) fn sql_state(error: &sqlx::Error) -> Option<String> {
    match error {
        sqlx::Error::Database(db) => db.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// Builds the error for a broken internal invariant, reported rather than panicking.
pub(crate) fn invariant(what: &str) -> es_core::Error {
    es_core::Error::Backend {
        message: format!("postgres store invariant broken: {what}; please report this bug"),
        retryable: false,
        source: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_timeout_is_unavailable_and_row_not_found_is_backend() {
        assert!(matches!(
            store_error(sqlx::Error::PoolTimedOut),
            es_core::Error::Unavailable { .. }
        ));
        assert!(matches!(
            store_error(sqlx::Error::RowNotFound),
            es_core::Error::Backend {
                retryable: false,
                ..
            }
        ));
    }

    #[test]
    fn protocol_errors_are_not_unavailable() {
        let error = store_error(sqlx::Error::Protocol("unexpected message".into()));
        assert!(
            matches!(
                error,
                es_core::Error::Backend {
                    retryable: false,
                    ..
                }
            ),
            "a protocol error must not make callers re-send: {error:?}"
        );
    }
}
