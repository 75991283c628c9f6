//! Wakes subscriptions: one LISTEN connection per store, turned into commit signals.

use std::time::Duration;

use es_core::provider::CommitSignal;
use sqlx::{PgPool, postgres::PgListener};

/// Listens on `channel` until every subscription is gone (no listener of `wake` left). After
/// each (re)connect it signals once, since notifications sent while it was away are lost.
pub(crate) async fn run(pool: PgPool, channel: String, wake: CommitSignal) {
    loop {
        match listen(&pool, &channel).await {
            Ok(mut listener) => {
                wake.notify();
                loop {
                    tokio::select! {
                        received = listener.recv() => match received {
                            Ok(_) => wake.notify(),
                            Err(error) => {
                                tracing::debug!(%error, "notification listener lost its connection");
                                break;
                            }
                        },
                        () = wake.unlistened() => return,
                    }
                }
            }
            Err(error) => tracing::debug!(%error, "cannot listen for notifications; retrying"),
        }
        // Subscriptions keep polling meanwhile; this only brings back the fast path.
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            () = wake.unlistened() => return,
        }
    }
}

async fn listen(pool: &PgPool, channel: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    Ok(listener)
}
