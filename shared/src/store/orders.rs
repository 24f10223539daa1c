//! Orders, read back: one by id, and a customer's newest first.

use super::cursor::{Equals, Index, Page};
use super::keys;
use super::{from_item, key, Read, Store};
use crate::domain::error::ShopError;
use crate::domain::ids::{OrderId, UserId};
use crate::domain::order::{Order, OrderStatus};

impl Store {
    pub async fn get_order(&self, id: &OrderId) -> Result<Option<Order>, ShopError> {
        self.read(key(keys::order_pk(id), keys::ORDER_SK), Read::Consistent)
            .await
    }

    /// A customer's orders, newest first, a page at a time; only those in `status` when given.
    pub async fn customer_orders(
        &self,
        customer: &UserId,
        status: Option<OrderStatus>,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Order>, ShopError> {
        let page = self
            .index_page(
                Index::Gsi1,
                keys::customer_orders_pk(customer),
                Some(keys::ORDER_PREFIX),
                false,
                limit,
                cursor,
                status.map(|s| Equals::status(s.as_str())),
            )
            .await?;
        page.map(from_item)
    }
}
