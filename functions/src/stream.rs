//! DynamoDB stream batches as the shop's stream functions read them: only the
//! fields they use (each record's sequence number, keys and new image's id), and
//! the partial-batch answer (`ReportBatchItemFailures`).

use serde::{Deserialize, Serialize};
use shop::domain::ids::{OrderId, ProductId};
use shop::store::product_of_partition;

#[derive(Debug, Deserialize)]
pub struct StreamBatch {
    #[serde(rename = "Records", default)]
    records: Vec<StreamRecord>,
}

impl StreamBatch {
    /// Each record's sequence number and its new order's id (`None` when it has none).
    pub fn new_orders(&self) -> Vec<(String, Option<OrderId>)> {
        self.records
            .iter()
            .map(|r| {
                let change = &r.dynamodb;
                let id = change.new_image.as_ref().and_then(|i| i.id.as_ref());
                (
                    change.sequence_number.clone(),
                    id.and_then(|v| OrderId::parse(&v.s).ok()),
                )
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

#[derive(Debug, Deserialize)]
struct Keys {
    #[serde(rename = "PK")]
    pk: Option<StringValue>,
}

#[derive(Debug, Deserialize)]
struct NewImage {
    id: Option<StringValue>,
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
