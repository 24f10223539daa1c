//! The shop's core: domain types and rules (pure), DynamoDB access, use cases,
//! and the HTTP edge shared by every Lambda function.
//!
//! - pure domain: [`money`], [`ids`], [`catalog`], [`cart`], [`auth`], [`error`]
//! - the single-table key schema: [`keys`]
//! - I/O: [`store`] (DynamoDB), [`services`] (use cases), [`config`] (clients), [`http`]

pub mod auth;
pub mod cart;
pub mod catalog;
pub mod config;
pub mod error;
pub mod http;
pub mod ids;
pub mod keys;
pub mod money;
pub mod services;
pub mod store;

pub use config::App;
pub use error::ShopError;
