//! Adapters to services other than the table: each knows one external API and
//! speaks the domain's types to the use cases.

pub mod bucket;
pub mod carrier;
pub mod cognito;
pub mod copurchase;
pub mod mail;
pub mod refunds;
pub mod saga;
pub mod search;
pub mod stock;
pub mod stripe;
pub mod uploads;
