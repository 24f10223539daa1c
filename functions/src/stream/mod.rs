//! DynamoDB stream batches as the shop's stream functions read them: only the
//! fields they use (each record's sequence number, keys and new image's kind, ids and a
//! variant's stock), and the partial-batch answer (`ReportBatchItemFailures`).

use serde::{Deserialize, Serialize};
use shop::domain::ids::{OrderId, ProductId, Sku};
use shop::domain::refund::RefundId;
use shop::domain::stock::{fell, rose, sold_out, StockLevel, StockWatch};
use shop::services::stock::StockSettings;
use shop::store::product_of_partition;

#[derive(Debug, Deserialize)]
pub struct StreamBatch {
    #[serde(rename = "Records", default)]
    records: Vec<StreamRecord>,
}

impl StreamBatch {
    /// Each record's sequence number and what it tells the order stream's reader.
    pub fn order_changes(&self) -> Vec<(String, OrderChange)> {
        self.records
            .iter()
            .map(|r| {
                let change = &r.dynamodb;
                let image = change.new_image.as_ref();
                let kind = image.and_then(|i| text_of(i.entity.as_ref()));
                let what = match (kind, image) {
                    (Some(ORDER_ENTITY), Some(i)) => {
                        match text_of(i.id.as_ref()).and_then(|id| OrderId::parse(id).ok()) {
                            // The mapping lets an order through when it is placed, and when
                            // it goes from awaiting payment to confirmed.
                            Some(id) if text_of(i.status.as_ref()) == Some(CONFIRMED) => {
                                OrderChange::Confirmed(id)
                            }
                            Some(id) => OrderChange::Placed(id),
                            None => OrderChange::Other,
                        }
                    }
                    (Some(REFUND_ENTITY), Some(i)) => match (
                        text_of(i.order_id.as_ref()).and_then(|id| OrderId::parse(id).ok()),
                        text_of(i.id.as_ref()).and_then(|id| RefundId::parse(id).ok()),
                    ) {
                        (Some(order_id), Some(refund_id)) => OrderChange::RefundClaimed {
                            order_id,
                            refund_id,
                        },
                        _ => OrderChange::Other,
                    },
                    _ => OrderChange::Other,
                };
                (change.sequence_number.clone(), what)
            })
            .collect()
    }

    /// Each record's sequence number and the product its item belongs to (the product
    /// item or a variant: both sit in the product's partition), `None` for other items.
    /// A variant write that left its `rev` as it was is left out: only the low-stock
    /// watcher writes so (its flag), and nothing in the index shows it.
    pub fn changed_products(&self) -> Vec<(&str, Option<ProductId>)> {
        self.records
            .iter()
            .filter(|r| !r.dynamodb.keeps_rev())
            .map(|r| {
                let change = &r.dynamodb;
                let pk = change.keys.as_ref().and_then(|k| k.pk.as_ref());
                (
                    change.sequence_number.as_str(),
                    pk.and_then(|v| product_of_partition(&v.s)),
                )
            })
            .collect()
    }

    /// Each variant the low-stock watcher must look at, with the sequence number of the
    /// record that asks: a change that took it from above its threshold to at or below
    /// (`stock::fell`: the old image against the new), or a flagged variant back above
    /// (`stock::rose`). Of one variant's watches in the batch only the last is kept: the
    /// watcher reads the variant's current state, so the earlier ones would find what the
    /// last finds.
    pub fn stock_watches(&self, settings: StockSettings) -> Vec<(String, StockWatch)> {
        let watches: Vec<(String, StockWatch)> = self
            .records
            .iter()
            .filter_map(|r| {
                let (image, before, after) = r.variant_levels(settings)?;
                let fell_or_rose = before.is_some_and(|before| fell(before, after)) || rose(after);
                fell_or_rose.then_some(())?;
                let watch = StockWatch {
                    product_id: ProductId::parse(text_of(image.product_id.as_ref())?).ok()?,
                    sku: Sku::parse(text_of(image.sku.as_ref())?).ok()?,
                };
                Some((r.dynamodb.sequence_number.clone(), watch))
            })
            .collect();
        last_of_each(watches)
    }

    /// The SKUs of the variants whose last available unit a change of the batch took
    /// (`stock::sold_out`).
    pub fn stock_outs(&self, settings: StockSettings) -> Vec<String> {
        self.records
            .iter()
            .filter_map(|r| r.variant_levels(settings))
            .filter(|(_, before, after)| before.is_some_and(|before| sold_out(before, *after)))
            .filter_map(|(image, _, _)| text_of(image.sku.as_ref()).map(str::to_owned))
            .collect()
    }
}

impl StreamRecord {
    /// A variant record's new image and its stock before and after (`None` for other items).
    fn variant_levels(
        &self,
        settings: StockSettings,
    ) -> Option<(&NewImage, Option<StockLevel>, StockLevel)> {
        let level = |stock: &VariantStock| {
            Some(StockLevel::of(
                number_of(stock.on_hand.as_ref())?,
                number_of(stock.reserved.as_ref()).unwrap_or(0),
                number_of(stock.low_stock_threshold.as_ref()),
                settings.default_threshold,
                stock.low_stock_since.is_some(),
            ))
        };
        let image = self.dynamodb.new_image.as_ref()?;
        if text_of(image.entity.as_ref()) != Some(VARIANT_ENTITY) {
            return None;
        }
        let after = level(&image.stock)?;
        let before = self
            .dynamodb
            .old_image
            .as_ref()
            .and_then(|old| level(&old.stock));
        Some((image, before, after))
    }
}

/// Keeps the last watch of each variant (see [`StreamBatch::stock_watches`]), in the
/// batch's order.
fn last_of_each(watches: Vec<(String, StockWatch)>) -> Vec<(String, StockWatch)> {
    let mut later = std::collections::HashSet::new();
    let mut kept: Vec<(String, StockWatch)> = watches
        .into_iter()
        .rev()
        .filter(|(_, w)| later.insert(w.group()))
        .collect();
    kept.reverse();
    kept
}

#[derive(Debug, Deserialize)]
struct StreamRecord {
    dynamodb: StreamChange,
}

#[derive(Debug, Deserialize)]
struct StreamChange {
    #[serde(rename = "SequenceNumber")]
    sequence_number: String,
    #[serde(rename = "Keys", default)]
    keys: Option<Keys>,
    #[serde(rename = "NewImage", default)]
    new_image: Option<NewImage>,
    #[serde(rename = "OldImage", default)]
    old_image: Option<OldImage>,
}

impl StreamChange {
    /// A variant's modification that kept its `rev` (every other write of a variant bumps it).
    fn keeps_rev(&self) -> bool {
        match (&self.old_image, &self.new_image) {
            (Some(old), Some(new)) => {
                text_of(new.entity.as_ref()) == Some(VARIANT_ENTITY)
                    && old.rev.is_some()
                    && number_of(old.rev.as_ref()) == number_of(new.rev.as_ref())
            }
            _ => false,
        }
    }
}

/// Of an old image, what tells a flag's write from a change, and a variant's stock.
#[derive(Debug, Deserialize)]
struct OldImage {
    rev: Option<NumberValue>,
    #[serde(flatten)]
    stock: VariantStock,
}

/// A variant's stock and low-stock fields, as an image has them.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct VariantStock {
    on_hand: Option<NumberValue>,
    reserved: Option<NumberValue>,
    low_stock_threshold: Option<NumberValue>,
    low_stock_since: Option<StringValue>,
}

fn text_of(v: Option<&StringValue>) -> Option<&str> {
    v.map(|v| v.s.as_str())
}

fn number_of(v: Option<&NumberValue>) -> Option<i64> {
    v.and_then(|v| v.n.parse().ok())
}

#[derive(Debug, Deserialize)]
struct Keys {
    #[serde(rename = "PK")]
    pk: Option<StringValue>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewImage {
    entity: Option<StringValue>,
    id: Option<StringValue>,
    status: Option<StringValue>,
    order_id: Option<StringValue>,
    // A variant's.
    product_id: Option<StringValue>,
    sku: Option<StringValue>,
    rev: Option<NumberValue>,
    #[serde(flatten)]
    stock: VariantStock,
}

/// The item kinds the order stream's mapping lets through (template.yaml, `NewOrders`).
const ORDER_ENTITY: &str = "order";
const REFUND_ENTITY: &str = "refund";
const CONFIRMED: &str = "confirmed";
/// The item kind the low-stock watcher looks at (of the product reader's records).
const VARIANT_ENTITY: &str = "variant";

/// What one record of the order stream is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderChange {
    /// A new order awaiting payment.
    Placed(OrderId),
    /// An order just paid: its co-purchases are to be counted.
    Confirmed(OrderId),
    /// A refund claim to execute.
    RefundClaimed {
        order_id: OrderId,
        refund_id: RefundId,
    },
    /// Anything else (the mapping's filter lets nothing else through).
    Other,
}

#[derive(Debug, Deserialize)]
struct StringValue {
    #[serde(rename = "S")]
    s: String,
}

#[derive(Debug, Deserialize)]
struct NumberValue {
    #[serde(rename = "N")]
    n: String,
}

/// Failed records of a stream batch (`ReportBatchItemFailures`): the mapping retries
/// from the first of them.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StreamBatchResponse {
    batch_item_failures: Vec<ItemFailure>,
}

impl StreamBatchResponse {
    pub fn add_failure(&mut self, sequence: &str) {
        self.batch_item_failures.push(ItemFailure {
            item_identifier: sequence.to_owned(),
        });
    }

    /// The failed records' sequence numbers.
    pub fn failed_sequences(&self) -> Vec<&str> {
        self.batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect()
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ItemFailure {
    item_identifier: String,
}

#[cfg(test)]
mod tests;
