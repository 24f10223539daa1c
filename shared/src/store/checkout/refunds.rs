//! Refunds, claimed once on the order (the settle step and the webhook race for them),
//! and stray payments' refunds, claimed once per intent.

use aws_sdk_dynamodb::types::Update;

use super::super::keys;
use super::super::{build, conditional, key, n, s, sdk_error, tx, value, Store, TxOutcome};
use super::order_key;
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::money::Money;
use crate::domain::order::{HistoryEntry, PaymentStatus};

impl Store {
    /// Takes the order's one right to refund: `true` for the first caller only, so the
    /// webhook and the cancel step, racing, never refund twice.
    pub async fn claim_refund(&self, id: &OrderId, now: &str) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("SET refundClaimedAt = :now")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(refundClaimedAt)")
            .expression_attribute_values(":now", s(now))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Gives the refund claim back after the refund call failed, so a retry can make it.
    pub async fn release_refund_claim(&self, id: &OrderId) -> Result<(), ShopError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("REMOVE refundClaimedAt")
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    pub async fn record_refund(
        &self,
        id: &OrderId,
        refund_id: &str,
        amount: Money,
        entry: &HistoryEntry,
    ) -> Result<(), ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression(
                "SET payment.refundId = :refund, payment.refundedAmount = :amount, payment.#st = :refunded, \
                 history = list_append(history, :entry)",
            )
            // Once: a retried call after a lost answer does not add a second entry.
            .condition_expression("attribute_type(payment.refundId, :nullType)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":refunded", value(&PaymentStatus::Refunded)?)
            .expression_attribute_values(":nullType", s("NULL"))
            .expression_attribute_values(":refund", s(refund_id))
            .expression_attribute_values(":amount", value(&amount)?)
            .expression_attribute_values(":entry", value(&vec![entry])?)
            .send()
            .await;
        conditional(result)?;
        Ok(())
    }

    /// Claims the refund of a stray payment (an intent that is not the order's own but
    /// took money for it): `false` when another delivery claimed it first.
    pub async fn claim_stray_refund(
        &self,
        id: &OrderId,
        intent_id: &str,
        amount: i64,
        currency: &str,
        now: &str,
    ) -> Result<bool, ShopError> {
        let mut item = key(keys::order_pk(id), keys::stray_payment_sk(intent_id));
        item.insert(keys::ENTITY.into(), s("strayPayment"));
        item.insert("paymentIntentId".into(), s(intent_id));
        item.insert("amount".into(), n(amount));
        item.insert("currency".into(), s(currency.to_ascii_uppercase()));
        item.insert("refundClaimedAt".into(), s(now));
        self.put_if_absent(item).await
    }

    /// Gives a stray payment's refund claim back after the refund call failed.
    pub async fn release_stray_refund_claim(
        &self,
        id: &OrderId,
        intent_id: &str,
    ) -> Result<(), ShopError> {
        let result = self
            .client()
            .delete_item()
            .table_name(self.table())
            .set_key(Some(key(
                keys::order_pk(id),
                keys::stray_payment_sk(intent_id),
            )))
            .condition_expression("attribute_not_exists(refundId)")
            .send()
            .await;
        conditional(result)?;
        Ok(())
    }

    /// Records a stray payment's refund on its claim and in the order's history, together
    /// and once.
    pub async fn record_stray_refund(
        &self,
        id: &OrderId,
        intent_id: &str,
        refund_id: &str,
        entry: &HistoryEntry,
    ) -> Result<(), ShopError> {
        let actions = vec![
            tx(build(
                Update::builder()
                    .table_name(self.table())
                    .set_key(Some(key(
                        keys::order_pk(id),
                        keys::stray_payment_sk(intent_id),
                    )))
                    .update_expression("SET refundId = :refund")
                    .condition_expression("attribute_exists(PK) AND attribute_not_exists(refundId)")
                    .expression_attribute_values(":refund", s(refund_id))
                    .build(),
            )?),
            tx(build(
                Update::builder()
                    .table_name(self.table())
                    .set_key(Some(order_key(id)))
                    .update_expression("SET history = list_append(history, :entry)")
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_values(":entry", value(&vec![entry])?)
                    .build(),
            )?),
        ];
        match self.try_transact(actions).await? {
            TxOutcome::Written => Ok(()),
            // The refund is on the claim already: a retry of this call recorded it.
            TxOutcome::Cancelled(c) if c.failed(0) => Ok(()),
            TxOutcome::Cancelled(_) => Err(ShopError::Unavailable(
                "recording the stray payment's refund met a concurrent write; retry".into(),
            )),
        }
    }
}
