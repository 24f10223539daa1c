//! Mails through a transactional outbox (`store::notices`): each mail is written as a
//! notice in the order's partition by the change it tells of (so a change and its mail
//! are written together or not at all, and news told twice is one notice), then queued
//! here. A notice whose queueing failed stays pending and goes out with the next flush of
//! its order (a redelivered event file, a repeated cancellation flush it again).

use crate::adapters::mail::MailQueue;
use crate::clock::unix_now;
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::mail::Mail;
use crate::store::Store;

/// Seconds a flush holds a notice while it queues its mail; after that, another may.
const NOTICE_LEASE_SECONDS: i64 = 60;

/// Queues the mail of every pending notice of `order`; answers how many it queued. A
/// mail is queued twice only if a flush dies between queueing it and recording that (the
/// at-least-once of every queue).
pub async fn flush<Q: MailQueue + ?Sized>(
    store: &Store,
    queue: &Q,
    order: &OrderId,
) -> Result<usize, ShopError> {
    let mut queued = 0;
    for notice in store.pending_notices(order).await? {
        if !store
            .claim_notice(order, &notice.sk, unix_now(), NOTICE_LEASE_SECONDS)
            .await?
        {
            continue;
        }
        let mail = Mail::from_queue(&notice.mail)
            .map_err(|e| ShopError::internal(format!("notice {}: {e}", notice.sk)))?;
        if let Err(err) = queue.enqueue(&mail).await {
            // Given back at once, so the next flush need not wait for the lease.
            store.release_notice(order, &notice.sk).await;
            return Err(err);
        }
        store.notice_queued(order, &notice.sk).await?;
        queued += 1;
    }
    Ok(queued)
}
