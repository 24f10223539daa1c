//! Orders: what a customer bought, at which prices, and where it stands. An order's
//! lines, prices and totals are frozen when it is placed; afterwards only its status
//! (and the payment facts that decide it) change, each change recorded in its history.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::domain::cart::LineOffer;
use crate::domain::error::ShopError;
use crate::domain::ids::{OrderId, ProductId, SellerId, Sku, UserId};
use crate::domain::money::{Currency, Money};
use crate::domain::refund::{RefundView, Refunded};

mod cancel;
pub(crate) mod input;
mod limits;
pub mod pricing;
mod quote;
mod status;

pub use cancel::{
    cancel_reason, plan_order_cancel, CancelOrderInput, CancelRequest, OrderCancel,
    MAX_CANCEL_REASON,
};
pub use input::{
    Address, AddressInput, Destination, IdempotencyKey, OrderLineInput, PaymentMethodId,
    PlaceOrder, PlaceOrderInput, QuoteOrder, QuoteOrderInput,
};
pub use limits::PendingLimits;
pub use quote::{price_lines, PricedLines, QuoteView};
pub use status::{
    CancelReason, HistoryEntry, OrderStatus, PaymentState, PaymentStatus, CUSTOMER_CANCELLED,
    FRAUD_REVIEW, PAYMENT_DECLINED,
};

/// Most distinct SKUs in one order. Placing an order is one DynamoDB transaction of
/// at most 100 actions: the order, its idempotency record, the customer's pending count,
/// and per line the line item, the variant's reservation and its product's status check
/// (3 + 3 × 25 = 78), with room left. A bigger cart is refused, asking the customer to split it.
pub const MAX_ORDER_LINES: usize = 25;

/// One line as bought: the price is the unit price when the order was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    pub sku: Sku,
    pub product_id: ProductId,
    pub product_name: String,
    /// The seller's account (private); views show the public [`SellerId`].
    pub seller_id: UserId,
    pub quantity: u32,
    pub unit_price: Money,
    pub line_total: Money,
}

/// The stored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub id: OrderId,
    pub customer_id: UserId,
    /// Where order mail goes, when the customer's token carried an address.
    pub customer_email: Option<String>,
    pub status: OrderStatus,
    pub cancel_reason: Option<CancelReason>,
    pub created_at: String,
    pub currency: Currency,
    pub lines: Vec<OrderLine>,
    pub subtotal: Money,
    pub shipping: Money,
    pub tax: Money,
    pub total: Money,
    pub shipping_address: Address,
    pub payment_method_id: PaymentMethodId,
    #[serde(default)]
    pub payment: PaymentState,
    pub history: Vec<HistoryEntry>,
    /// Counts the moves of its shipments that were checked against it: a move that may
    /// change the order's status is written only if no other moved meanwhile.
    #[serde(default)]
    pub fulfilment_rev: u64,
    /// When it should arrive (`YYYY-MM-DD`), estimated as it was placed: its slowest
    /// seller's handling time, the next collection after it, the carrier's transit days.
    #[serde(default)]
    pub estimated_delivery: Option<String>,
    /// The carrier's working days to the address, as its coverage said at placement.
    #[serde(default)]
    pub transit_days: Option<u8>,
    /// The units (and shipping) refunds were claimed for: a unit is refunded once.
    #[serde(default)]
    pub refunded: Refunded,
    /// A cancellation asked for while it awaited payment (the checkout ends it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_request: Option<CancelRequest>,
}

/// A line as its customer sees it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLineView {
    pub sku: Sku,
    pub product_id: ProductId,
    pub product_name: String,
    pub seller_id: SellerId,
    pub quantity: u32,
    pub unit_price: Money,
    pub line_total: Money,
}

/// An order as its customer sees it: seller accounts replaced by public seller ids.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderView {
    pub id: OrderId,
    pub customer_id: UserId,
    pub status: OrderStatus,
    pub cancel_reason: Option<CancelReason>,
    pub created_at: String,
    pub currency: Currency,
    pub lines: Vec<OrderLineView>,
    pub subtotal: Money,
    pub shipping: Money,
    pub tax: Money,
    pub total: Money,
    pub shipping_address: Address,
    pub payment_method_id: PaymentMethodId,
    pub payment: PaymentView,
    pub history: Vec<HistoryEntry>,
    pub estimated_delivery: Option<String>,
}

/// An order's payment as its customer sees it: what was captured, what came back.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    pub payment_intent_id: Option<String>,
    pub status: PaymentStatus,
    /// What the payment took; `None` while nothing was.
    pub captured: Option<Money>,
    /// What refunds have given back so far (made at Stripe, not merely claimed).
    pub refunded: Money,
    /// Each refund, oldest first: on one order's page (`GET /orders/{id}`), not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refunds: Option<Vec<RefundView>>,
}

impl OrderLine {
    pub fn view(&self) -> OrderLineView {
        OrderLineView {
            sku: self.sku.clone(),
            product_id: self.product_id.clone(),
            product_name: self.product_name.clone(),
            seller_id: SellerId::of(&self.seller_id),
            quantity: self.quantity,
            unit_price: self.unit_price,
            line_total: self.line_total,
        }
    }
}

impl Order {
    /// Minor units its payment captured: as recorded, or for an order paid before
    /// captures were recorded, its total once its payment succeeded.
    pub fn captured(&self) -> i64 {
        self.payment
            .captured_amount
            .unwrap_or(match self.payment.status {
                PaymentStatus::Succeeded
                | PaymentStatus::PartiallyRefunded
                | PaymentStatus::Refunded => self.total.amount,
                _ => 0,
            })
    }

    fn payment_view(&self) -> PaymentView {
        let captured = self.captured();
        // Orders refunded before claims existed recorded the one refund on the order.
        let refunded = match self.payment.refunded_amount {
            Some(legacy) if self.payment.refunded_total == 0 => legacy.amount,
            _ => self.payment.refunded_total,
        };
        PaymentView {
            payment_intent_id: self.payment.payment_intent_id.clone(),
            status: self.payment.status,
            captured: (captured > 0).then(|| Money::new(captured, self.currency)),
            refunded: Money::new(refunded, self.currency),
            refunds: None,
        }
    }

    /// The PaymentIntent that paid it: a paid order without one is a bug, never a request's fault.
    pub fn paid_intent(&self) -> Result<&str, ShopError> {
        self.payment.payment_intent_id.as_deref().ok_or_else(|| {
            ShopError::internal(format!("paid order {} has no PaymentIntent", self.id))
        })
    }

    /// Units over all its lines.
    pub fn units(&self) -> u32 {
        self.lines.iter().map(|l| l.quantity).sum()
    }

    pub fn view(&self) -> OrderView {
        OrderView {
            id: self.id.clone(),
            customer_id: self.customer_id.clone(),
            status: self.status,
            cancel_reason: self.cancel_reason,
            created_at: self.created_at.clone(),
            currency: self.currency,
            lines: self.lines.iter().map(OrderLine::view).collect(),
            subtotal: self.subtotal,
            shipping: self.shipping,
            tax: self.tax,
            total: self.total,
            shipping_address: self.shipping_address.clone(),
            payment_method_id: self.payment_method_id.clone(),
            payment: self.payment_view(),
            history: self.history.clone(),
            estimated_delivery: self.estimated_delivery.clone(),
        }
    }
}

/// A line that cannot be bought in the quantity asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Shortage {
    pub sku: Sku,
    pub requested: u32,
    pub available: i64,
}

/// One line to buy: the SKU, its product and how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedLine {
    pub sku: Sku,
    pub product_id: ProductId,
    pub quantity: u32,
}

/// Everything [`build_order`] needs besides the lines and the current offers.
pub struct NewOrder<'a> {
    pub id: OrderId,
    pub customer_id: &'a UserId,
    pub customer_email: Option<String>,
    pub now: String,
    pub address: Address,
    pub payment_method_id: PaymentMethodId,
    /// The total the customer was shown (a quote's): the order is placed only at it.
    pub expected_total: Money,
}

/// Prices `wanted` against the current `offers` and freezes the result as a new order
/// awaiting payment. Refuses what [`price_lines`] refuses, then, in this order: lines
/// short of stock (every short SKU with what is available); a total other than the one
/// the customer was shown.
pub fn build_order(
    new: NewOrder<'_>,
    wanted: &[WantedLine],
    offers: &HashMap<Sku, LineOffer>,
) -> Result<Order, ShopError> {
    let priced = price_lines(wanted, offers, &new.address)?;
    if !priced.shortages.is_empty() {
        return Err(ShopError::StockShort(priced.shortages));
    }
    let totals = priced.totals;
    if new.expected_total != totals.total {
        return Err(ShopError::TotalChanged {
            expected: new.expected_total,
            total: totals.total,
        });
    }
    Ok(Order {
        id: new.id,
        customer_id: new.customer_id.clone(),
        customer_email: new.customer_email,
        status: OrderStatus::PendingPayment,
        cancel_reason: None,
        created_at: new.now.clone(),
        currency: priced.currency,
        lines: priced.lines,
        subtotal: totals.subtotal,
        shipping: totals.shipping,
        tax: totals.tax,
        total: totals.total,
        shipping_address: new.address,
        payment_method_id: new.payment_method_id,
        payment: PaymentState::default(),
        history: vec![HistoryEntry {
            at: new.now,
            status: OrderStatus::PendingPayment,
            by: format!("customer:{}", new.customer_id),
            reason: Some("order placed; stock reserved".into()),
        }],
        fulfilment_rev: 0,
        estimated_delivery: None,
        transit_days: None,
        refunded: Refunded::default(),
        cancel_request: None,
    })
}

#[cfg(test)]
mod tests;
