//! HTTP handlers, grouped by resource. Each states who may call it.

pub mod auth;
pub mod carrier;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod delivery;
pub mod fulfilment;
pub mod imports;
pub mod mail;
pub mod orders;
pub mod profile;
pub mod recommend;
pub mod refunds;
pub mod returns;
pub mod reviews;
pub mod search;
pub mod sellers;
pub mod stock;
pub mod wishlist;
