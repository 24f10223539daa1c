//! Use cases, one function per endpoint: they check who may do what, apply the
//! pure domain rules and call the store. Handlers only parse and respond.

pub mod account;
pub mod cart;
pub mod catalog;
pub mod checkout;
pub mod fulfilment;
pub mod identity;
pub mod imports;
pub mod mail;
pub mod notices;
pub mod orders;
pub mod profile;
pub mod recommend;
pub mod refunds;
pub mod returns;
pub mod reviews;
pub mod search;
pub mod seller_ratings;
pub mod sellers;
pub mod stock;
pub mod wishlist;
