//! Refund claims (`ORDER#<orderId>` / `REFUND#<refundId>`): written by the transaction
//! that owes the money ([`Store::claim_put`] beside [`OrderUpdate::claim`]), then taken by
//! one execution at a time ([`Store::lease_refund`]) and recorded as succeeded — with the
//! order's refunded total — or failed, which puts the claim on GSI1 `REFUNDS#failed` for
//! an operator.

use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem, Update};

use super::keys;
use super::order_update::OrderUpdate;
use super::returns::return_key;
use super::{
    build, conditional, key, n, s, to_item, tx, updated, value, Item, Read, Store, TxOutcome,
};
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::order::{HistoryEntry, Order, PaymentStatus};
use crate::domain::refund::{Refund, RefundId, RefundStatus, Resolution};
use crate::domain::returns::{ReturnEvent, ReturnStatus};

pub(crate) const REFUND_ENTITY: &str = "refund";

fn refund_key(order: &OrderId, id: &RefundId) -> Item {
    key(keys::order_pk(order), keys::refund_sk(id))
}

/// What became of an attempt to take a claim for execution.
#[derive(Debug, Clone)]
pub enum RefundLease {
    /// Taken: this execution holds it until the lease ends.
    Taken(Refund),
    /// Nothing left to do: it succeeded, failed (for an operator), or was settled.
    Finished(Refund),
    /// Another execution holds it.
    Held,
    /// No such claim.
    Missing,
}

/// What became of recording an execution's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundRecord {
    Written,
    /// The claim is no longer this execution's (its lease ended and another took over).
    LeaseLost,
    /// The order changed since it was read: read it again.
    OrderChanged,
}

impl Store {
    /// The claim's write, for the transaction that owes the money: refused if the claim
    /// exists, so a cause is never claimed twice.
    pub(crate) fn claim_put(&self, refund: &Refund) -> Result<TransactWriteItem, ShopError> {
        self.put_new(to_item(
            refund,
            keys::order_pk(&refund.order_id),
            keys::refund_sk(&refund.id),
            REFUND_ENTITY,
        )?)
    }

    /// Writes a claim with its order's update (which carries the claim's pin), as one
    /// transaction: `true` when written, `false` when the order moved or the claim
    /// exists (read both again to tell).
    pub(crate) async fn write_claim(
        &self,
        order: &Order,
        update: OrderUpdate,
        refund: &Refund,
    ) -> Result<bool, ShopError> {
        self.write_claim_told(order, update, refund, None).await
    }

    /// [`Store::write_claim`] with the customer's mail notice of it in the same transaction.
    pub(crate) async fn write_claim_told(
        &self,
        order: &Order,
        update: OrderUpdate,
        refund: &Refund,
        notice: Option<&super::Notice>,
    ) -> Result<bool, ShopError> {
        let mut actions = vec![update.into_tx(self, order)?, self.claim_put(refund)?];
        if let Some(notice) = notice {
            actions.push(self.notice_put(&order.id, notice)?);
        }
        Ok(matches!(
            self.try_transact(actions).await?,
            TxOutcome::Written
        ))
    }

    /// A claim written on its own (a stray payment's, which owes nothing of the order's
    /// own): `false` when it was claimed before.
    pub(crate) async fn claim_alone(&self, refund: &Refund) -> Result<bool, ShopError> {
        self.put_if_absent(to_item(
            refund,
            keys::order_pk(&refund.order_id),
            keys::refund_sk(&refund.id),
            REFUND_ENTITY,
        )?)
        .await
    }

    pub async fn get_refund(
        &self,
        order: &OrderId,
        id: &RefundId,
    ) -> Result<Option<Refund>, ShopError> {
        self.read(refund_key(order, id), Read::Consistent).await
    }

    /// Takes the claim for one execution of `lease_seconds` from `now` (Unix seconds),
    /// under `token`, counting the attempt. Only a pending claim whose last lease ended
    /// can be taken.
    pub async fn lease_refund(
        &self,
        order: &OrderId,
        id: &RefundId,
        now: i64,
        lease_seconds: i64,
        token: &str,
    ) -> Result<RefundLease, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(refund_key(order, id)))
            .update_expression("SET leaseUntil = :until, leaseToken = :token ADD attempt :one")
            .condition_expression(
                "#status = :pending AND (attribute_not_exists(leaseUntil) OR attribute_type(leaseUntil, :null) OR leaseUntil < :now)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":pending", s(RefundStatus::Pending.as_str()))
            .expression_attribute_values(":null", s("NULL"))
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":until", n(now + lease_seconds))
            .expression_attribute_values(":token", s(token))
            .expression_attribute_values(":one", n(1))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        if let Some(refund) = updated::<Refund, _>(result)? {
            return Ok(RefundLease::Taken(refund));
        }
        Ok(match self.get_refund(order, id).await? {
            None => RefundLease::Missing,
            Some(r) if r.status == RefundStatus::Pending => RefundLease::Held,
            Some(r) => RefundLease::Finished(r),
        })
    }

    /// Stripe made the refund: the claim succeeded and, for the order's own payment, the
    /// order's refunded total grows by its amount (pinned to the total read, so two
    /// refunds recorded at once both count) and its payment status follows.
    pub async fn record_refund_success(
        &self,
        order: &Order,
        refund: &Refund,
        stripe_refund_id: &str,
        now: &str,
        entry: &HistoryEntry,
    ) -> Result<RefundRecord, ShopError> {
        let claim = Update::builder()
            .table_name(self.table())
            .set_key(Some(refund_key(&order.id, &refund.id)))
            .update_expression(
                "SET #status = :succeeded, stripeRefundId = :sid, succeededAt = :now \
                 REMOVE leaseUntil, leaseToken",
            )
            .condition_expression("#status = :pending AND leaseToken = :token")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":succeeded", s(RefundStatus::Succeeded.as_str()))
            .expression_attribute_values(":pending", s(RefundStatus::Pending.as_str()))
            .expression_attribute_values(":sid", s(stripe_refund_id))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(
                ":token",
                s(refund.lease_token.clone().unwrap_or_default()),
            );
        let order_update = if refund.of_capture {
            let was = order.payment.refunded_total;
            let total = was + refund.amount.amount;
            let status = if total >= order.captured() {
                PaymentStatus::Refunded
            } else {
                PaymentStatus::PartiallyRefunded
            };
            Update::builder()
                .update_expression(
                    "SET payment.refundedTotal = :total, payment.#pst = :pst, \
                     history = list_append(history, :entry)",
                )
                .condition_expression(if was == 0 {
                    "attribute_exists(PK) AND (attribute_not_exists(payment.refundedTotal) OR payment.refundedTotal = :was)"
                } else {
                    "payment.refundedTotal = :was"
                })
                .expression_attribute_names("#pst", "status")
                .expression_attribute_values(":total", n(total))
                .expression_attribute_values(":was", n(was))
                .expression_attribute_values(":pst", value(&status)?)
        } else {
            Update::builder()
                .update_expression("SET history = list_append(history, :entry)")
                .condition_expression("attribute_exists(PK)")
        };
        let order_update = order_update
            .table_name(self.table())
            .set_key(Some(key(keys::order_pk(&order.id), keys::ORDER_SK)))
            .expression_attribute_values(":entry", value(&vec![entry])?);
        let mut actions = vec![tx(build(claim.build())?), tx(build(order_update.build())?)];
        if let Some(ret) = &refund.return_id {
            // The return it pays for is settled with it.
            let event = ReturnEvent {
                at: now.to_owned(),
                from: Some(ReturnStatus::Received),
                to: ReturnStatus::Refunded,
                by: entry.by.clone(),
                why: Some(format!("refund {} made", refund.id)),
            };
            actions.push(tx(build(
                Update::builder()
                    .table_name(self.table())
                    .set_key(Some(return_key(ret)))
                    .update_expression(
                        "SET #status = :refunded, history = list_append(history, :event) ADD rev :one",
                    )
                    .condition_expression("#status = :received")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(":refunded", s(ReturnStatus::Refunded.as_str()))
                    .expression_attribute_values(":received", s(ReturnStatus::Received.as_str()))
                    .expression_attribute_values(":event", value(&vec![event])?)
                    .expression_attribute_values(":one", n(1))
                    .build(),
            )?));
        }
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => RefundRecord::Written,
            TxOutcome::Cancelled(c) if c.failed(0) => RefundRecord::LeaseLost,
            TxOutcome::Cancelled(_) => RefundRecord::OrderChanged,
        })
    }

    /// Stripe refused the refund: the claim fails with Stripe's code and waits on GSI1
    /// `REFUNDS#failed` for an operator. Its amount stays claimed: nothing else may
    /// promise that money while a person decides.
    pub async fn record_refund_failure(
        &self,
        refund: &Refund,
        code: &str,
        now: &str,
    ) -> Result<RefundRecord, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(refund_key(&refund.order_id, &refund.id)))
            .update_expression(
                "SET #status = :failed, failureCode = :code, failedAt = :now, \
                 #g1pk = :failedPk, #g1sk = :failedSk REMOVE leaseUntil, leaseToken",
            )
            .condition_expression("#status = :pending AND leaseToken = :token")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#g1pk", keys::GSI1PK)
            .expression_attribute_names("#g1sk", keys::GSI1SK)
            .expression_attribute_values(":failed", s(RefundStatus::Failed.as_str()))
            .expression_attribute_values(":pending", s(RefundStatus::Pending.as_str()))
            .expression_attribute_values(":code", s(code))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":failedPk", s(keys::REFUNDS_FAILED_PK))
            .expression_attribute_values(":failedSk", s(keys::failed_refund_sk(now, &refund.id)))
            .expression_attribute_values(
                ":token",
                s(refund.lease_token.clone().unwrap_or_default()),
            )
            .send()
            .await;
        Ok(match conditional(result)? {
            Some(_) => RefundRecord::Written,
            None => RefundRecord::LeaseLost,
        })
    }

    /// An operator's resolution of a failed claim, with its line in the order's history:
    /// `retry` puts it back to `pending` in a new round (a new idempotency key) against the
    /// order's intent as it stands (`intent`), which the order stream hands to the worker
    /// again; `settled_outside_stripe` ends it. Either takes it off GSI1 `REFUNDS#failed`.
    /// `false` when the claim is no longer failed (another operator acted).
    pub async fn resolve_refund(
        &self,
        refund: &Refund,
        resolution: Resolution,
        intent: &str,
        note: &str,
        entry: &HistoryEntry,
    ) -> Result<bool, ShopError> {
        let claim = Update::builder()
            .table_name(self.table())
            .set_key(Some(refund_key(&refund.order_id, &refund.id)))
            .condition_expression("#status = :failed AND round = :round")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#g1pk", keys::GSI1PK)
            .expression_attribute_names("#g1sk", keys::GSI1SK)
            .expression_attribute_values(":failed", s(RefundStatus::Failed.as_str()))
            .expression_attribute_values(":round", n(refund.round))
            .expression_attribute_values(":note", s(note));
        let claim = match resolution {
            Resolution::Retry => claim
                .update_expression(
                    "SET #status = :pending, round = :next, paymentIntentId = :intent, note = :note \
                     REMOVE #g1pk, #g1sk, leaseUntil, leaseToken",
                )
                .expression_attribute_values(":pending", s(RefundStatus::Pending.as_str()))
                .expression_attribute_values(":next", n(refund.round + 1))
                .expression_attribute_values(":intent", s(intent)),
            Resolution::SettledOutsideStripe => claim
                .update_expression("SET #status = :settled, note = :note REMOVE #g1pk, #g1sk")
                .expression_attribute_values(
                    ":settled",
                    s(RefundStatus::SettledOutsideStripe.as_str()),
                ),
        };
        let order = Update::builder()
            .table_name(self.table())
            .set_key(Some(key(keys::order_pk(&refund.order_id), keys::ORDER_SK)))
            .update_expression("SET history = list_append(history, :entry)")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":entry", value(&vec![entry])?);
        let actions = vec![tx(build(claim.build())?), tx(build(order.build())?)];
        Ok(matches!(
            self.try_transact(actions).await?,
            TxOutcome::Written
        ))
    }
}
