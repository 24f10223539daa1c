//! Mail: the queue that use cases hand mails to (SQS), and the sender that the
//! mailer function delivers them with (SESv2; moto locally through
//! `AWS_ENDPOINT_URL_SESV2`, since community LocalStack has no SESv2).

use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};

use crate::domain::error::ShopError;
use crate::domain::mail::{Mail, Rendered};

/// Where use cases queue mails: the mailer's queue.
#[derive(Clone, Debug)]
pub struct MailQueue {
    client: aws_sdk_sqs::Client,
    url: String,
}

impl MailQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: String) -> Self {
        MailQueue { client, url }
    }

    pub async fn enqueue(&self, mail: &Mail) -> Result<(), ShopError> {
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

/// Sends rendered mails from the shop's verified sender address.
#[derive(Clone, Debug)]
pub struct Mailer {
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

impl Mailer {
    pub fn new(client: aws_sdk_sesv2::Client, from: String, shop_name: String) -> Self {
        Mailer {
            client,
            from,
            shop_name,
        }
    }

    pub fn shop_name(&self) -> &str {
        &self.shop_name
    }

    /// Sends one mail; returns SES's message id.
    pub async fn send(&self, mail: &Rendered) -> Result<String, ShopError> {
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
