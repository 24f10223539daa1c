//! The mailer — fed by the mail queue (SQS), never by a route.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use shop::adapters::mail::Mailer;
use shop::services::mail as svc;

/// Sends every mail of the batch and reports the ones that failed, so only those are
/// retried (`ReportBatchItemFailures`); after the queue's `maxReceiveCount` a failing
/// message moves to the DLQ without holding back the rest of its batch.
pub async fn deliver(
    mailer: &Mailer,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    let mut response = SqsBatchResponse::default();
    for record in event.payload.records {
        let id = record.message_id.unwrap_or_default();
        match svc::deliver(mailer, record.body.as_deref().unwrap_or_default()).await {
            Ok(ses_id) => tracing::info!(message_id = %id, ses_id, "mail sent"),
            Err(err) => {
                tracing::warn!(message_id = %id, error = %err, "mail not sent; left for retry");
                response.add_failure(id);
            }
        }
    }
    Ok(response)
}
