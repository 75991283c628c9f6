//! Tells other processes' subscriptions that events were committed, off the commit path.
//!
//! `pg_notify` inside an append made every appending transaction take PostgreSQL's
//! cluster-wide notification lock at commit, which serialises the commits of concurrent
//! writers (pgbench, 8 clients, this machine: 0.3-1.8 k one-row transactions/s with the notify,
//! 3.7-5.8 k without). Appends now commit without it and poke this notifier when they end (in
//! any way: stored, failed or cancelled, since the server may have committed in each case);
//! one task per store sends `pg_notify` through the store's pool. Pokes that arrive while a
//! notification is on its way collapse into one more after it, sent after every poked append
//! ended. The store's own subscriptions are woken directly (`CommitSignal`); other processes'
//! wake on the notification. A notification can still be lost (the pool saturated past its
//! acquire timeout, the server gone, the task's runtime stopped or not being driven while
//! another runtime pokes): every subscription also polls, so a lost one costs a poll interval,
//! and a failure is traced.

use std::time::{Duration, Instant};

use parking_lot::Mutex;
use sqlx::PgPool;
use tokio::{
    sync::mpsc::{self, error::TrySendError},
    task::JoinHandle,
};

use crate::sparse::Sparse;

/// The NOTIFY channel of a schema's commits, which its stores' listeners listen on.
pub(crate) fn channel_for(schema: &str) -> String {
    format!("es_{schema}")
}

/// The notifier of one store: started on the first poke, on the runtime of that poke, and
/// again when that runtime is gone.
pub(crate) struct Notifier {
    pool: PgPool,
    channel: String,
    running: Mutex<Option<(mpsc::Sender<()>, JoinHandle<()>)>>,
}

impl Notifier {
    pub(crate) fn new(pool: PgPool, channel: String) -> Self {
        Self {
            pool,
            channel,
            running: Mutex::new(None),
        }
    }

    /// Asks for a notification after a commit that has already happened. Never waits.
    pub(crate) fn poke(&self) {
        let mut running = self.running.lock();
        if let Some((sender, task)) = running.as_ref()
            && !task.is_finished()
        {
            match sender.try_send(()) {
                // Full: a notification is pending and will be sent after this commit.
                Ok(()) | Err(TrySendError::Full(())) => return,
                Err(TrySendError::Closed(())) => {}
            }
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return; // no runtime to send from: subscriptions in other processes poll
        };
        let (sender, receiver) = mpsc::channel(1);
        // A fresh channel of capacity one takes its first message.
        let _ = sender.try_send(());
        let task = runtime.spawn(run(self.pool.clone(), self.channel.clone(), receiver));
        *running = Some((sender, task));
    }
}

impl Drop for Notifier {
    fn drop(&mut self) {
        // The task ends by itself once the sender is gone and the last poke is sent.
        self.running.get_mut().take();
    }
}

/// Sends one notification per wake-up until the notifier is dropped.
async fn run(pool: PgPool, channel: String, mut pokes: mpsc::Receiver<()>) {
    // One rate limit per store's task, so one store's failures do not hide another's.
    let warned = Sparse::every(Duration::from_secs(10));
    while pokes.recv().await.is_some() {
        let sent = sqlx::query("SELECT pg_notify($1, '')")
            .bind(&channel)
            .execute(&pool)
            .await;
        if let Err(error) = sent
            && warned.allows(Instant::now())
        {
            tracing::warn!(%error, channel, "could not notify other processes of a commit; their subscriptions poll until it works again");
        }
    }
}
