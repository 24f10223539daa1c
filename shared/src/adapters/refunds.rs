//! The refund worker's two queues: claims handed to it for execution (`RefundQueue`, fed
//! by the order stream's reader) and refusals handed to people (`RefundDeadLetterQueue`,
//! where messages the worker failed on five times land too: its depth is what to alarm on).

use serde::{Deserialize, Serialize};

use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::refund::{Refund, RefundId};

/// One queued refund: which claim, and for a refusal, Stripe's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundMessage {
    pub order_id: OrderId,
    pub refund_id: RefundId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<String>,
}

/// Where a refund Stripe refused is reported for a person to act on: the dead-letter
/// queue ([`SqsRefundQueue`]), a recording fake in the service tests.
#[async_trait::async_trait]
pub trait RefundAlerts: Send + Sync {
    async fn refused(&self, refund: &Refund, code: &str) -> Result<(), ShopError>;
}

/// An SQS queue of [`RefundMessage`]s.
#[derive(Clone, Debug)]
pub struct SqsRefundQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl SqsRefundQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: String) -> Self {
        SqsRefundQueue { client, url }
    }

    pub async fn send(&self, message: &RefundMessage) -> Result<(), ShopError> {
        super::send_json(
            &self.client,
            &self.url,
            message,
            &format!("refund {}", message.refund_id),
        )
        .await
    }
}

/// The dead-letter queue, named apart so a function's dependencies say which queue it
/// writes to.
#[derive(Clone, Debug)]
pub struct FailedRefunds(pub SqsRefundQueue);

#[async_trait::async_trait]
impl RefundAlerts for FailedRefunds {
    async fn refused(&self, refund: &Refund, code: &str) -> Result<(), ShopError> {
        self.0
            .send(&RefundMessage {
                order_id: refund.order_id.clone(),
                refund_id: refund.id.clone(),
                failure_code: Some(code.to_owned()),
            })
            .await
    }
}
