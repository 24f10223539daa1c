//! The mailer — fed by the mail queue (SQS), never by a route.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use shop::adapters::mail::SesMailer;
use shop::services::mail as svc;
use shop::ShopError;

use crate::batch::{self, Records};

/// Sends every mail of the batch and reports the ones that failed, so only those are
/// retried (`ReportBatchItemFailures`); after the queue's `maxReceiveCount` a failing
/// message moves to the DLQ without holding back the rest of its batch.
pub async fn deliver(
    mailer: &SesMailer,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    Ok(
        batch::sqs(event.payload, Records::ONE_AT_A_TIME, |record| async move {
            let ses_id = svc::deliver(mailer, record.body.as_deref().unwrap_or_default()).await?;
            tracing::info!(message_id = ?record.message_id, ses_id, "mail sent");
            Ok::<_, ShopError>(())
        })
        .await,
    )
}
