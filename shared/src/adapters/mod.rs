//! Adapters to services other than the table: each knows one external API and
//! speaks the domain's types to the use cases.

pub mod bucket;
pub mod carrier;
pub mod cognito;
pub mod copurchase;
pub mod mail;
pub mod refunds;
pub mod saga;
pub mod search;
pub mod stock;
pub mod stripe;
pub mod uploads;

/// Sends `message` as JSON to the SQS queue at `url`; a failure is `Unavailable` (the
/// caller's work is retried), naming `what` was being queued.
pub(crate) async fn send_json(
    client: &aws_sdk_sqs::Client,
    url: &str,
    message: &impl serde::Serialize,
    what: &str,
) -> Result<(), crate::domain::error::ShopError> {
    let body = serde_json::to_string(message).map_err(crate::domain::error::ShopError::internal)?;
    client
        .send_message()
        .queue_url(url)
        .message_body(body)
        .send()
        .await
        .map_err(|e| {
            crate::domain::error::ShopError::Unavailable(format!(
                "queueing {what}: {}",
                aws_sdk_sqs::error::DisplayErrorContext(e)
            ))
        })?;
    Ok(())
}
