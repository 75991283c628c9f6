//! # scenarios: example domains, tested the way users test theirs
//!
//! Two small domains written against es-core and tested with es-testkit:
//!
//! - [`BankAccount`]: open, deposit, withdraw, close, with a clock-dependent rule (at most
//!   [`DAILY_LIMIT`] withdrawn per calendar day), the clock coming in through
//!   [`BankServices`].
//! - [`Cart`]: items priced from a [`PriceList`] service, at most [`MAX_LINES`] different
//!   items, and the invariant that the total is the sum of the lines.
//!
//! And two read models: [`SalesReport`] (cart events) and [`AccountStatement`] (bank events).
//! The domain types live here so benchmarks and other crates can reuse them; their tests are
//! in `tests/`.
//!
//! ```
//! use scenarios::{BankAccount, BankCommand::*, BankEvent::*};
//!
//! es_testkit::Scenario::<BankAccount>::new()
//!     .given([Opened { owner: "ada".into() }, Deposited { amount: 100 }])
//!     .when(Deposit { amount: 30 })
//!     .then_events([Deposited { amount: 30 }]);
//! ```

#![deny(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]
#![forbid(unsafe_code)]

mod bank;
mod cart;
mod projections;

pub use bank::{BankAccount, BankCommand, BankError, BankEvent, BankServices, DAILY_LIMIT};
pub use cart::{Cart, CartCommand, CartError, CartEvent, Line, MAX_LINES, PriceList};
pub use projections::{AccountStatement, SalesReport};
