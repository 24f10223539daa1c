//! `FraudCheck`: the card's uses, for its velocity.

use aws_sdk_dynamodb::types::Select;

use super::super::keys;
use super::super::{key, n, s, sdk_error, Store};
use crate::domain::error::ShopError;
use crate::domain::order::Order;

impl Store {
    /// Notes that `order` is paid with the card `fingerprint` (kept two days by TTL) and
    /// counts the card's other orders since `since`.
    pub async fn record_card_use(
        &self,
        fingerprint: &str,
        order: &Order,
        since: &str,
        expires_at: i64,
    ) -> Result<u32, ShopError> {
        let mut item = key(
            keys::card_pk(fingerprint),
            keys::card_use_sk(&order.created_at, &order.id),
        );
        item.insert(keys::ENTITY.into(), s("cardUse"));
        item.insert("orderId".into(), s(order.id.as_str()));
        item.insert("expiresAt".into(), n(expires_at));
        self.put(item).await?;
        let out = self
            .client()
            .query()
            .table_name(self.table())
            .key_condition_expression("PK = :pk AND SK > :since")
            .expression_attribute_values(":pk", s(keys::card_pk(fingerprint)))
            .expression_attribute_values(":since", s(format!("{}{since}", keys::CARD_USE_PREFIX)))
            .select(Select::Count)
            .send()
            .await
            .map_err(sdk_error)?;
        // Less this order's own use.
        Ok(u32::try_from(out.count).unwrap_or(0).saturating_sub(1))
    }
}
