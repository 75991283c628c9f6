//! How the suite gets a fresh store for each case: es-core's one factory, re-exported.

pub use es_core::testing::{FactoryError, FreshStore, StoreFactory};
