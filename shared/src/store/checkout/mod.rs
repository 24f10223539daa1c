//! The checkout saga's writes, one file per step (as `services/checkout/`): placing an
//! order ([`place`]), the payment task's records ([`payment`]), the fraud check's card
//! uses ([`fraud`]), and settling ([`settle`]). Refunds are claims (`store::refunds`).

mod fraud;
mod payment;
mod place;
mod settle;

pub use place::{IdempotencyRecord, Placement};
pub use settle::Settlement;

use super::keys;
use super::{key, Item};
use crate::domain::ids::OrderId;

fn order_key(id: &OrderId) -> Item {
    key(keys::order_pk(id), keys::ORDER_SK)
}
