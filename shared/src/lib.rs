//! The shop's core, in layers:
//!
//! - [`domain`]: types and rules, pure (no I/O): money, ids, catalog, cart, wishlist,
//!   auth, identity input, verification, mail, orders (pricing, statuses, limits),
//!   fulfilment (shipments and the order status they make),
//!   payment outcomes, fraud scoring, search requests and documents, sellers, catalog
//!   imports, paging, errors (what went wrong, not how HTTP says it).
//! - [`store`]: the one DynamoDB table; the only code that builds keys ([`store::keys`]).
//! - [`adapters`]: every other external API: Cognito (`cognito`), the mail queue and
//!   SESv2 (`mail`), Step Functions (`saga`), OpenSearch (`search`), Stripe (`stripe`),
//!   S3 uploads (`uploads`), the carrier's bucket (`carrier`).
//! - [`services`]: use cases — who may do what, the rules applied, the store called.
//! - [`http`]: the HTTP edge — requests into domain input, results into JSON or
//!   `application/problem+json` (it alone picks status codes).
//! - [`clock`]: the one source of now, which a test can freeze for its task.
//! - [`telemetry`]: the business metrics (CloudWatch Embedded Metric Format).
//! - [`config`] and [`sdk`]: what a function builds at cold start (clients, with the
//!   call timeouts of [`sdk::CallBudget`]).

pub mod adapters;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod sdk;
pub mod services;
pub mod store;
pub mod telemetry;

pub use domain::error::ShopError;
