//! The service tier: use cases against DynamoDB Local, the rules that need the table
//! (caps, ownership, uniqueness, conditional writes) tested in milliseconds, without
//! the stack. One test binary, so one DynamoDB Local serves every module.

mod account;
mod cancellations;
mod cart;
mod catalog;
mod checkout;
mod fake_gateway;
pub(crate) mod fulfilment;
pub(crate) mod identity;
mod imports;
mod orders;
mod placement;
mod profile;
mod quote;
mod recommend;
mod refunds;
mod returns;
mod reviews;
mod search;
mod sellers;
mod stock;
mod support;
mod verification;
mod webhook;
