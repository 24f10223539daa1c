//! Returns (RMA), in their order's partition (`ORDER#<orderId>` / `RETURN#<returnId>`) and on
//! their seller's GSI2 partition (`SELLER#<sub>` / `RETURN#<requestedAt>#<returnId>`). Every
//! move is one transaction with the shipment's counts it changes, conditional on the return's
//! status and `rev` and the shipment's `rev` as read, so two requests for the same units
//! cannot both be written; a receipt carries the units back on sale, the order's status and
//! the refund claim with it.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use std::collections::BTreeMap;

use super::cursor::{Equals, Index, Page};
use super::fulfilment::{shipment_key, Restock};
use super::keys;
use super::notices::Notice;
use super::order_update::OrderUpdate;
use super::{build, from_item, key, n, s, to_item, tx, value, Item, Store, TxOutcome};
use crate::domain::error::ShopError;
use crate::domain::fulfilment::{Shipment, ShipmentStatus};
use crate::domain::ids::{Sku, UserId};
use crate::domain::order::Order;
use crate::domain::refund::Refund;
use crate::domain::returns::{Return, ReturnEvent, ReturnId, ReturnLine, ReturnStatus};

pub(crate) const RETURN_ENTITY: &str = "return";

pub(crate) fn return_key(id: &ReturnId) -> Item {
    key(keys::order_pk(id.shipment().order()), keys::return_sk(id))
}

fn return_item(ret: &Return) -> Result<Item, ShopError> {
    let mut item = to_item(
        ret,
        keys::order_pk(&ret.order_id),
        keys::return_sk(&ret.id),
        RETURN_ENTITY,
    )?;
    item.insert(
        keys::GSI2PK.into(),
        s(keys::seller_products_pk(&ret.seller)),
    );
    item.insert(
        keys::GSI2SK.into(),
        s(keys::seller_return_sk(&ret.requested_at, &ret.id)),
    );
    Ok(item)
}

/// What became of a return's write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReturnWrite {
    Written,
    /// A variant to restock no longer exists: write again without it.
    VariantGone(Sku),
    /// The return, its shipment or its order moved since they were read: read them again.
    Changed,
}

/// A receipt to write in one transaction.
pub(crate) struct ReceiptWrite<'a> {
    pub order: &'a Order,
    pub order_update: OrderUpdate,
    pub shipment: &'a Shipment,
    /// The shipment's units received back, and asked back (those that did not come are
    /// freed: they may be asked for again).
    pub returned: BTreeMap<Sku, u32>,
    pub requested: BTreeMap<Sku, u32>,
    pub ret: &'a Return,
    pub lines: &'a [ReturnLine],
    pub event: &'a ReturnEvent,
    pub restock: Vec<Restock>,
    pub claim: Option<Refund>,
    pub notices: Vec<Notice>,
}

impl Store {
    /// New returns, each with its shipment's counts of units asked back (`requested`, and its
    /// `returnSeq`, which numbered the return), conditional on the shipment still delivered
    /// at the `rev` read; and the sellers' mails.
    pub(crate) async fn request_returns(
        &self,
        requests: &[(&Shipment, BTreeMap<Sku, u32>, Return)],
        notices: &[Notice],
    ) -> Result<ReturnWrite, ShopError> {
        let mut actions = Vec::new();
        for (shipment, requested, ret) in requests {
            actions.push(tx(build(
                Update::builder()
                    .table_name(self.table())
                    .set_key(Some(shipment_key(&shipment.id)))
                    .update_expression(
                        "SET returnRequested = :requested, returnSeq = :seq ADD rev :one",
                    )
                    .condition_expression("#status = :delivered AND rev = :rev")
                    .expression_attribute_names("#status", "status")
                    .expression_attribute_values(
                        ":delivered",
                        s(ShipmentStatus::Delivered.as_str()),
                    )
                    .expression_attribute_values(":rev", n(shipment.rev))
                    .expression_attribute_values(":requested", value(requested)?)
                    .expression_attribute_values(":seq", n(shipment.return_seq + 1))
                    .expression_attribute_values(":one", n(1))
                    .build(),
            )?));
            actions.push(self.put_new(return_item(ret)?)?);
        }
        if let Some(first) = requests.first() {
            for notice in notices {
                actions.push(self.notice_put(&first.2.order_id, notice)?);
            }
        }
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => ReturnWrite::Written,
            TxOutcome::Cancelled(_) => ReturnWrite::Changed,
        })
    }

    /// A seller's (or an admin's) decision: the return moves by `event`; a rejection gives
    /// its units back to the shipment's returnable ones (`released`: its new counts).
    pub(crate) async fn decide_return(
        &self,
        ret: &Return,
        event: &ReturnEvent,
        reason: &str,
        released: Option<(&Shipment, BTreeMap<Sku, u32>)>,
        notices: &[Notice],
    ) -> Result<ReturnWrite, ShopError> {
        let mut actions = vec![self.return_move(
            ret,
            event,
            "decidedAt = :at, decisionReason = :reason",
            &[(":reason", s(reason))],
        )?];
        if let Some((shipment, requested)) = released {
            actions.push(self.shipment_counts(shipment, &[("returnRequested", &requested)])?);
        }
        for notice in notices {
            actions.push(self.notice_put(&ret.order_id, notice)?);
        }
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => ReturnWrite::Written,
            TxOutcome::Cancelled(_) => ReturnWrite::Changed,
        })
    }

    /// What came back: the return `received` with its lines' counts, the shipment's units
    /// received back, the order's status and refund claim, the undamaged units back on
    /// `onHand`, the claim and the customer's mail — one transaction.
    pub(crate) async fn receive_return(
        &self,
        w: ReceiptWrite<'_>,
    ) -> Result<ReturnWrite, ShopError> {
        let mut extra = vec![(":lines", value(w.lines)?)];
        let mut set = "receivedAt = :at, #lines = :lines".to_owned();
        if let Some(claim) = &w.claim {
            set.push_str(", refundId = :refundId");
            extra.push((":refundId", s(claim.id.as_str())));
        }
        let mut actions = vec![
            self.return_move(w.ret, w.event, &set, &extra)?,
            self.shipment_counts(
                w.shipment,
                &[("returned", &w.returned), ("returnRequested", &w.requested)],
            )?,
            w.order_update.into_tx(self, w.order)?,
        ];
        let first_restock = actions.len();
        for restock in &w.restock {
            actions.push(self.restock(restock)?);
        }
        if let Some(claim) = &w.claim {
            actions.push(self.claim_put(claim)?);
        }
        for notice in &w.notices {
            actions.push(self.notice_put(&w.order.id, notice)?);
        }
        Ok(match self.try_transact(actions).await? {
            TxOutcome::Written => ReturnWrite::Written,
            TxOutcome::Cancelled(cancelled) => w
                .restock
                .iter()
                .enumerate()
                .find(|(i, _)| cancelled.failed(first_restock + i))
                .map_or(ReturnWrite::Changed, |(_, r)| {
                    ReturnWrite::VariantGone(r.sku.clone())
                }),
        })
    }

    /// A seller's returns, newest first, optionally only those in `status`.
    pub async fn seller_returns(
        &self,
        seller: &UserId,
        status: Option<ReturnStatus>,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Return>, ShopError> {
        let page = self
            .index_page(
                Index::Gsi2,
                keys::seller_products_pk(seller),
                Some(keys::RETURN_PREFIX),
                false,
                limit,
                cursor,
                status.map(|s| Equals::status(s.as_str())),
            )
            .await?;
        page.map(from_item)
    }

    /// The return's move by `event` (conditional on its status and `rev` as read), with
    /// `set` (more `SET` clauses, their values in `extra`; `:at` is the event's time).
    fn return_move(
        &self,
        ret: &Return,
        event: &ReturnEvent,
        set: &str,
        extra: &[(&str, aws_sdk_dynamodb::types::AttributeValue)],
    ) -> Result<TransactWriteItem, ShopError> {
        let mut update = Update::builder()
            .table_name(self.table())
            .set_key(Some(return_key(&ret.id)))
            .update_expression(format!(
                "SET #status = :to, history = list_append(history, :event), {set} ADD rev :one"
            ))
            .condition_expression("#status = :from AND rev = :rev")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":from", s(ret.status.as_str()))
            .expression_attribute_values(":to", s(event.to.as_str()))
            .expression_attribute_values(":rev", n(ret.rev))
            .expression_attribute_values(":at", s(&event.at))
            .expression_attribute_values(":event", value(&vec![event])?)
            .expression_attribute_values(":one", n(1));
        for (name, v) in extra {
            update = update.expression_attribute_values(*name, v.clone());
        }
        if set.contains("#lines") {
            // `lines` is one of DynamoDB's reserved words.
            update = update.expression_attribute_names("#lines", "lines");
        }
        Ok(tx(build(update.build())?))
    }

    /// The shipment's `counts` attributes (a count per SKU each) set, conditional on its `rev`.
    fn shipment_counts(
        &self,
        shipment: &Shipment,
        counts: &[(&str, &BTreeMap<Sku, u32>)],
    ) -> Result<TransactWriteItem, ShopError> {
        let mut update = Update::builder()
            .table_name(self.table())
            .set_key(Some(shipment_key(&shipment.id)))
            .condition_expression("rev = :rev")
            .expression_attribute_values(":rev", n(shipment.rev))
            .expression_attribute_values(":one", n(1));
        let mut set = Vec::new();
        for (i, (attribute, values)) in counts.iter().enumerate() {
            set.push(format!("#c{i} = :c{i}"));
            update = update
                .expression_attribute_names(format!("#c{i}"), *attribute)
                .expression_attribute_values(format!(":c{i}"), value(values)?);
        }
        let update = update.update_expression(format!("SET {} ADD rev :one", set.join(", ")));
        Ok(tx(build(update.build())?))
    }
}
