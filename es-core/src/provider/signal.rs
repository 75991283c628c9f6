//! Waking subscriptions after commits.

use tokio::sync::watch;

/// Tells a provider's subscriptions that something was committed. Cheap to clone; every clone
/// signals the same listeners.
///
/// ```
/// use es_core::provider::CommitSignal;
///
/// let signal = CommitSignal::new();
/// let listener = signal.listen();
/// signal.notify();
/// assert!(listener.has_news());
/// ```
#[derive(Clone, Debug)]
pub struct CommitSignal {
    sender: std::sync::Arc<watch::Sender<u64>>,
}

impl CommitSignal {
    /// A signal nobody listens to yet.
    pub fn new() -> Self {
        Self {
            sender: std::sync::Arc::new(watch::Sender::new(0)),
        }
    }

    /// Wakes every listener: call it after a commit (a spurious call costs one extra read).
    pub fn notify(&self) {
        self.sender.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A new listener, for one subscription.
    pub fn listen(&self) -> CommitListener {
        CommitListener {
            receiver: self.sender.subscribe(),
        }
    }

    /// Whether any listener is alive (a provider can stop its notification feed when not).
    pub fn is_listened(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// Resolves once no listener is left.
    pub async fn unlistened(&self) {
        self.sender.closed().await;
    }
}

impl Default for CommitSignal {
    fn default() -> Self {
        Self::new()
    }
}

/// One subscription's end of a [`CommitSignal`].
#[derive(Debug)]
pub struct CommitListener {
    receiver: watch::Receiver<u64>,
}

impl CommitListener {
    /// Marks every signal so far as seen; call it just before reading, so a commit that lands
    /// after the read still wakes the next wait.
    pub fn mark_seen(&mut self) {
        self.receiver.borrow_and_update();
    }

    /// Whether a signal came since the last [`mark_seen`](Self::mark_seen).
    pub fn has_news(&self) -> bool {
        self.receiver.has_changed().unwrap_or(false)
    }

    /// Waits for the next signal; `false` when the signal is gone (nothing will ever come).
    pub async fn changed(&mut self) -> bool {
        self.receiver.changed().await.is_ok()
    }
}
