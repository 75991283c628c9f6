//! What providers need and users rarely do: input checks with the store's own limits, the
//! catch-up subscription built on `read_all`, and the signal that wakes it after a commit.
//!
//! A provider implements [`EventReader`](crate::EventReader) and
//! [`EventWriter`](crate::EventWriter) (and the optional capability traits), checks every append
//! with [`validate_batch`] / [`validate_multi`] against its [`Claims`](crate::Claims), and
//! serves `subscribe` with a [`CatchUp`] over its own `read_all`, woken by a [`CommitSignal`]
//! it notifies after each commit.

mod catch_up;
mod signal;
mod validate;

pub use catch_up::CatchUp;
pub use signal::{CommitListener, CommitSignal};
pub use validate::{validate_batch, validate_checkpoint_name, validate_multi};
