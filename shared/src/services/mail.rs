//! Delivering queued mails. Who may call: the mail queue only (the mailer function
//! has no route).

use crate::adapters::mail::Mailer;
use crate::domain::error::ShopError;
use crate::domain::mail::Mail;

/// Renders and sends one queued mail. A message that is not a shop mail is refused
/// before anything is sent, so the queue's redrive policy moves it to the DLQ.
pub async fn deliver<M: Mailer + ?Sized>(mailer: &M, body: &str) -> Result<String, ShopError> {
    let mail = Mail::from_queue(body).map_err(|e| ShopError::Malformed(e.to_string()))?;
    mailer.send(&mail.render(mailer.shop_name())).await
}
