//! DynamoDB stream batches as the shop's stream functions read them: only the
//! fields they use (each record's sequence number, keys and new image's kind, ids and a
//! variant's stock), and the partial-batch answer (`ReportBatchItemFailures`).

use serde::{Deserialize, Serialize};
use shop::domain::ids::{OrderId, ProductId, Sku};
use shop::domain::refund::RefundId;
use shop::domain::stock::{fell, rose, StockLevel, StockWatch};
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
        let level = |stock: &VariantStock| {
            Some(StockLevel::of(
                number_of(stock.on_hand.as_ref())?,
                number_of(stock.reserved.as_ref()).unwrap_or(0),
                number_of(stock.low_stock_threshold.as_ref()),
                settings.default_threshold,
                stock.low_stock_since.is_some(),
            ))
        };
        let watches: Vec<(String, StockWatch)> = self
            .records
            .iter()
            .filter_map(|r| {
                let image = r.dynamodb.new_image.as_ref()?;
                if text_of(image.entity.as_ref()) != Some(VARIANT_ENTITY) {
                    return None;
                }
                let after = level(&image.stock)?;
                let before = r
                    .dynamodb
                    .old_image
                    .as_ref()
                    .and_then(|old| level(&old.stock));
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
mod tests {
    use super::*;

    /// A variant's image: `(onHand, reserved, flagged)`, threshold 5.
    fn image(sku: &str, (on_hand, reserved, flagged): (i64, i64, bool)) -> serde_json::Value {
        let mut image = serde_json::json!({
            "PK": {"S": "PRODUCT#p1"}, "SK": {"S": format!("VARIANT#{sku}")},
            "entity": {"S": "variant"}, "productId": {"S": "p1"}, "sku": {"S": sku},
            "onHand": {"N": on_hand.to_string()}, "reserved": {"N": reserved.to_string()},
            "lowStockThreshold": {"N": "5"},
        });
        if flagged {
            image["lowStockSince"] = serde_json::json!({"S": "2026-12-07T10:00:00Z"});
        }
        image
    }

    /// A variant's record as the table's stream delivers it; `old` absent for an INSERT.
    fn record(
        seq: u32,
        sku: &str,
        old: Option<(i64, i64, bool)>,
        new: (i64, i64, bool),
    ) -> serde_json::Value {
        let mut change = serde_json::json!({
            "SequenceNumber": format!("{seq:04}"), "Keys": {"PK": {"S": "PRODUCT#p1"}},
            "NewImage": image(sku, new),
        });
        if let Some(old) = old {
            change["OldImage"] = image(sku, old);
        }
        serde_json::json!({ "eventName": if old.is_some() { "MODIFY" } else { "INSERT" }, "dynamodb": change })
    }

    fn watches(records: Vec<serde_json::Value>) -> Vec<(String, String)> {
        let batch: StreamBatch =
            serde_json::from_value(serde_json::json!({ "Records": records })).unwrap();
        batch
            .stock_watches(StockSettings {
                default_threshold: 2,
            })
            .into_iter()
            .map(|(seq, w)| (seq, w.sku.to_string()))
            .collect()
    }

    #[test]
    fn falls_and_rises_are_watched_nothing_else() {
        let got = watches(vec![
            record(1, "A", Some((10, 0, false)), (9, 0, false)), // still above 5
            record(2, "B", Some((10, 4, false)), (10, 5, false)), // 6 -> 5 available: a fall
            record(3, "C", Some((4, 0, true)), (3, 0, true)),    // low and flagged: known
            record(4, "D", Some((3, 0, true)), (9, 0, true)),    // restocked above: a rise
            record(5, "E", None, (1, 0, false)),                 // created low: never fell
            record(6, "F", Some((5, 0, false)), (4, 0, false)),  // low before and after
        ]);
        assert_eq!(
            got,
            [("0002".into(), "B".into()), ("0004".into(), "D".into())]
        );
    }

    #[test]
    fn of_one_variant_s_watches_in_a_batch_the_last_is_kept() {
        let got = watches(vec![
            record(1, "A", Some((10, 0, false)), (10, 5, false)),
            record(2, "B", Some((9, 0, false)), (5, 0, false)),
            record(3, "A", Some((5, 0, true)), (20, 0, true)),
        ]);
        assert_eq!(
            got,
            [("0002".into(), "B".into()), ("0003".into(), "A".into())]
        );
    }

    #[test]
    fn the_default_threshold_applies_to_a_variant_without_its_own() {
        let mut r = record(1, "A", Some((3, 0, false)), (2, 0, false));
        for side in ["NewImage", "OldImage"] {
            r["dynamodb"][side]
                .as_object_mut()
                .unwrap()
                .remove("lowStockThreshold");
        }
        assert_eq!(
            watches(vec![r.clone()]).len(),
            1,
            "3 -> 2 available, default 2: a fall"
        );
        r["dynamodb"]["NewImage"]["onHand"] = serde_json::json!({"N": "3"});
        assert!(watches(vec![r]).is_empty());
    }

    #[test]
    fn a_flag_s_write_is_not_indexed_again() {
        let mut flagged = record(2, "A", Some((3, 0, false)), (3, 0, true));
        flagged["dynamodb"]["NewImage"]["rev"] = serde_json::json!({"N": "7"});
        flagged["dynamodb"]["OldImage"]["rev"] = serde_json::json!({"N": "7"});
        let mut sold = record(3, "A", Some((3, 0, true)), (2, 0, true));
        sold["dynamodb"]["NewImage"]["rev"] = serde_json::json!({"N": "8"});
        sold["dynamodb"]["OldImage"]["rev"] = serde_json::json!({"N": "7"});
        let batch: StreamBatch =
            serde_json::from_value(serde_json::json!({ "Records": [flagged, sold] })).unwrap();
        let changed: Vec<&str> = batch.changed_products().iter().map(|(s, _)| *s).collect();
        assert_eq!(changed, ["0003"]);
    }

    #[test]
    fn removed_items_and_other_entities_are_not_watched() {
        let mut product = record(1, "A", Some((9, 0, false)), (0, 0, false));
        product["dynamodb"]["NewImage"]["entity"] = serde_json::json!({"S": "product"});
        let removed = serde_json::json!({
            "eventName": "REMOVE",
            "dynamodb": {"SequenceNumber": "0002", "Keys": {"PK": {"S": "PRODUCT#p1"}},
                         "OldImage": image("B", (9, 0, false))},
        });
        assert!(watches(vec![product, removed]).is_empty());
    }
}
