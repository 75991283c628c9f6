//! # scenarios
//!
//! Example domains (a bank account, a shopping cart, ...) with given-when-then scenario tests, written as a user would write them.

#![deny(missing_docs)]
