//! The queue of confirmed orders whose co-purchases are to be counted, fed by the order
//! stream's reader (`start-checkout`) and taken by `count-co-purchases`.

use serde::{Deserialize, Serialize};

use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;

/// One queued order to count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CoPurchaseMessage {
    pub order_id: OrderId,
}

#[derive(Clone, Debug)]
pub struct CoPurchaseQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl CoPurchaseQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: String) -> Self {
        CoPurchaseQueue { client, url }
    }

    pub async fn send(&self, order_id: &OrderId) -> Result<(), ShopError> {
        let message = CoPurchaseMessage {
            order_id: order_id.clone(),
        };
        super::send_json(
            &self.client,
            &self.url,
            &message,
            &format!("order {order_id} for co-purchase counts"),
        )
        .await
    }
}
