//! # contract-tests
//!
//! The conformance suite every storage provider must pass: one public async function per promise and a macro that turns them into named tests. Filled by the contract-tests issue.

#![deny(missing_docs)]
