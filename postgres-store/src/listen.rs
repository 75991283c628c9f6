//! Wakes subscriptions: one LISTEN connection per store, turned into bumps of a watch channel.

use std::time::Duration;

use sqlx::{PgPool, postgres::PgListener};
use tokio::sync::watch;

/// Listens on `channel` until every subscription is gone (all receivers of `wake` dropped).
/// After each (re)connect it bumps once, since notifications sent while it was away are lost.
pub(crate) async fn run(pool: PgPool, channel: String, wake: watch::Sender<u64>) {
    loop {
        match listen(&pool, &channel).await {
            Ok(mut listener) => {
                bump(&wake);
                loop {
                    tokio::select! {
                        received = listener.recv() => match received {
                            Ok(_) => bump(&wake),
                            Err(error) => {
                                tracing::debug!(%error, "notification listener lost its connection");
                                break;
                            }
                        },
                        () = wake.closed() => return,
                    }
                }
            }
            Err(error) => tracing::debug!(%error, "cannot listen for notifications; retrying"),
        }
        // Subscriptions keep polling meanwhile; this only brings back the fast path.
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
            () = wake.closed() => return,
        }
    }
}

async fn listen(pool: &PgPool, channel: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(channel).await?;
    Ok(listener)
}

pub(crate) fn bump(wake: &watch::Sender<u64>) {
    wake.send_modify(|n| *n = n.wrapping_add(1));
}
