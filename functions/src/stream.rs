//! DynamoDB stream batches as the shop's stream functions read them: only the
//! fields they use (each record's sequence number, keys and new image's kind and ids), and
//! the partial-batch answer (`ReportBatchItemFailures`).

use serde::{Deserialize, Serialize};
use shop::domain::ids::{OrderId, ProductId};
use shop::domain::refund::RefundId;
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
                    (Some(ORDER_ENTITY), Some(i)) => text_of(i.id.as_ref())
                        .and_then(|id| OrderId::parse(id).ok())
                        .map_or(OrderChange::Other, OrderChange::Placed),
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
    pub fn changed_products(&self) -> Vec<(&str, Option<ProductId>)> {
        self.records
            .iter()
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
}

fn text_of(v: Option<&StringValue>) -> Option<&str> {
    v.map(|v| v.s.as_str())
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
    order_id: Option<StringValue>,
}

/// The item kinds the order stream's mapping lets through (template.yaml, `NewOrders`).
const ORDER_ENTITY: &str = "order";
const REFUND_ENTITY: &str = "refund";

/// What one record of the order stream is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderChange {
    /// A new order awaiting payment.
    Placed(OrderId),
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
