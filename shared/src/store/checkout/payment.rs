//! `Pay`: the payment task's token and the order's PaymentIntent, recorded on the order.

use aws_sdk_dynamodb::types::ReturnValue;

use super::super::{conditional, from_item, s, sdk_error, updated, value, Read, Store};
use super::order_key;
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::order::{CancelRequest, HistoryEntry, Order, OrderStatus, PaymentStatus};

impl Store {
    /// The order and the payment task's token, if the saga has handed one out.
    pub async fn order_and_token(
        &self,
        id: &OrderId,
    ) -> Result<Option<(Order, Option<String>)>, ShopError> {
        let Some(item) = self.read_item(order_key(id), Read::Consistent).await? else {
            return Ok(None);
        };
        let token = item.get("taskToken").and_then(|v| v.as_s().ok()).cloned();
        Ok(Some((from_item(item)?, token)))
    }

    /// Stores the payment task's token on a pending order (the latest wins: a retried
    /// task has a new one); `None` when the order is no longer pending.
    pub async fn record_task_token(
        &self,
        id: &OrderId,
        token: &str,
    ) -> Result<Option<Order>, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("SET taskToken = :token")
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":token", s(token))
            .expression_attribute_values(":pending", s(OrderStatus::PendingPayment.as_str()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        updated(result)
    }

    /// Records a cancellation asked for while the order awaits payment, once, with its
    /// history entry: the order and its payment task's token (if the saga has handed one
    /// out) as the write left them; `None` when the order is no longer pending or a
    /// cancellation was asked for already.
    pub async fn request_cancel(
        &self,
        id: &OrderId,
        request: &CancelRequest,
        entry: &HistoryEntry,
    ) -> Result<Option<(Order, Option<String>)>, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression(
                "SET cancelRequest = :request, history = list_append(history, :entry)",
            )
            .condition_expression("#status = :pending AND attribute_not_exists(cancelRequest)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":request", value(request)?)
            .expression_attribute_values(":entry", value(&vec![entry])?)
            .expression_attribute_values(":pending", s(OrderStatus::PendingPayment.as_str()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        let Some(item) = conditional(result)?.and_then(|out| out.attributes) else {
            return Ok(None);
        };
        let token = item.get("taskToken").and_then(|v| v.as_s().ok()).cloned();
        Ok(Some((from_item(item)?, token)))
    }

    /// Records the order's PaymentIntent, once: `false` if the order already has one
    /// (a redelivered payment message must reuse it, never create a second charge).
    pub async fn record_payment_intent(
        &self,
        id: &OrderId,
        intent_id: &str,
    ) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("SET payment.paymentIntentId = :pi, payment.#st = :processing")
            .condition_expression("attribute_type(payment.paymentIntentId, :nullType)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":pi", s(intent_id))
            .expression_attribute_values(":processing", value(&PaymentStatus::Processing)?)
            .expression_attribute_values(":nullType", s("NULL"))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    pub async fn record_payment_status(
        &self,
        id: &OrderId,
        status: PaymentStatus,
    ) -> Result<(), ShopError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(order_key(id)))
            .update_expression("SET payment.#st = :status")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#st", "status")
            .expression_attribute_values(":status", value(&status)?)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}
