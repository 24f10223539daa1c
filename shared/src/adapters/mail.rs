//! Mail: the queue that use cases hand mails to (SQS), and the sender that the
//! mailer function delivers them with (SESv2; moto locally through
//! `AWS_ENDPOINT_URL_SESV2`, since community LocalStack has no SESv2).

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::domain::error::ShopError;
use crate::domain::mail::{Mail, Rendered};

/// Where use cases hand mails over: the mailer's queue ([`SqsMailQueue`]), a recording
/// fake in the service tests.
#[async_trait::async_trait]
pub trait MailQueue: Send + Sync {
    async fn enqueue(&self, mail: &Mail) -> Result<(), ShopError>;
}

/// Sends rendered mails: SES ([`SesMailer`]), a recording fake in the service tests.
#[async_trait::async_trait]
pub trait Mailer: Send + Sync {
    /// The name mails are signed with.
    fn shop_name(&self) -> &str;
    /// Sends one mail; returns the provider's message id.
    async fn send(&self, mail: &Rendered) -> Result<String, ShopError>;
}

/// [`MailQueue`] on SQS: the mailer function's queue.
#[derive(Clone, Debug)]
pub struct SqsMailQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl SqsMailQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: String) -> Self {
        SqsMailQueue { client, url }
    }
}

#[async_trait::async_trait]
impl MailQueue for SqsMailQueue {
    async fn enqueue(&self, mail: &Mail) -> Result<(), ShopError> {
        self.client
            .send_message()
            .queue_url(&self.url)
            .message_body(mail.to_queue())
            .send()
            .await
            .map_err(|e| ShopError::internal(aws_sdk_sqs::error::DisplayErrorContext(e)))?;
        Ok(())
    }
}

/// [`Mailer`] through SESv2, from the shop's verified sender address.
#[derive(Clone, Debug)]
pub struct SesMailer {
    client: aws_sdk_sesv2::Client,
    from: String,
    shop_name: String,
}

fn content(data: &str) -> Result<Content, ShopError> {
    Content::builder()
        .data(data)
        .charset("UTF-8")
        .build()
        .map_err(ShopError::internal)
}

impl SesMailer {
    pub fn new(client: aws_sdk_sesv2::Client, from: String, shop_name: String) -> Self {
        SesMailer {
            client,
            from,
            shop_name,
        }
    }
}

#[async_trait::async_trait]
impl Mailer for SesMailer {
    fn shop_name(&self) -> &str {
        &self.shop_name
    }

    /// Sends one mail; returns SES's message id.
    async fn send(&self, mail: &Rendered) -> Result<String, ShopError> {
        let message = Message::builder()
            .subject(content(&mail.subject)?)
            .body(Body::builder().text(content(&mail.text)?).build())
            .build();
        let out = self
            .client
            .send_email()
            .from_email_address(&self.from)
            .destination(Destination::builder().to_addresses(&mail.to).build())
            .content(EmailContent::builder().simple(message).build())
            .send()
            .await
            .map_err(|e| ShopError::internal(aws_sdk_sesv2::error::DisplayErrorContext(e)))?;
        Ok(out.message_id().unwrap_or_default().to_owned())
    }
}
