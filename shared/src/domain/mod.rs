//! The shop's domain: types and rules, pure. Nothing here performs I/O or knows
//! about AWS or HTTP — `store/` and `adapters/` do I/O, `http/` is the edge — so
//! every rule is tested without a network, in milliseconds.

pub mod auth;
pub mod cart;
pub mod catalog;
pub mod error;
pub mod identity;
pub mod ids;
pub mod mail;
pub mod money;
pub mod paging;
pub mod verification;
pub mod wishlist;
