//! # es-testkit
//!
//! The given-when-then scenario tester and the property-based invariant checks (proptest) for aggregates written against es-core. Filled by the es-testkit issue.

#![deny(missing_docs)]
