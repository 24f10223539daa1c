//! The shop's core, in layers:
//!
//! - [`domain`]: types and rules, pure (no I/O): money, ids, catalog, cart, auth,
//!   identity input, mail, errors (what went wrong, not how HTTP says it).
//! - [`store`]: the one DynamoDB table; the only code that builds keys ([`store::keys`]).
//! - [`adapters`]: every other external API (the identity provider, mail).
//! - [`services`]: use cases — who may do what, the rules applied, the store called.
//! - [`http`]: the HTTP edge — requests into domain input, results into JSON or
//!   `application/problem+json` (it alone picks status codes).
//! - [`config`] and [`sdk`]: what a function builds at cold start.

pub mod adapters;
pub mod config;
pub mod domain;
pub mod http;
pub mod sdk;
pub mod services;
pub mod store;

pub use domain::error::ShopError;
