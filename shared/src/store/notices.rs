//! Mails written with the change they tell of: a transactional outbox in the order's
//! partition (`ORDER#<orderId>` / `NOTICE#<news>#<subject>`, TTL 30 days). A change and
//! its mail are written together or not at all, and news told twice is one notice; the
//! notice is then queued (`services::notices::flush`) and marked. Used for shipment news
//! from the carrier, cancellations and refunds.

use aws_sdk_dynamodb::types::TransactWriteItem;

use super::keys;
use super::{conditional, key, n, s, sdk_error, Item, Store};
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::mail::Mail;

/// A mail written with the change it tells of: `news` (what kind, e.g. `delivered`,
/// `order_cancelled`) about `subject` (a shipment's, an order's or a refund's id), once.
#[derive(Debug, Clone)]
pub struct Notice {
    pub news: &'static str,
    pub subject: String,
    pub mail: Mail,
}

/// A notice not yet on the mail queue.
#[derive(Debug, Clone)]
pub struct PendingNotice {
    pub sk: String,
    pub mail: String,
}

/// Days a notice is kept after its mail was queued (or not).
const NOTICE_DAYS: i64 = 30;

impl Store {
    /// The notice's write, for the transaction of the change it tells of; refused if the
    /// same news of the same subject was told already.
    pub(crate) fn notice_put(
        &self,
        order: &OrderId,
        notice: &Notice,
    ) -> Result<TransactWriteItem, ShopError> {
        self.put_new(notice_item(order, notice))
    }

    /// The order's notices whose mail is not queued yet.
    pub async fn pending_notices(&self, order: &OrderId) -> Result<Vec<PendingNotice>, ShopError> {
        let items = self
            .query_prefix(keys::order_pk(order), keys::NOTICE_PREFIX, true)
            .await?;
        Ok(items
            .into_iter()
            .filter(|item| !item.contains_key("queuedAt"))
            .filter_map(|item| {
                let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok()).cloned();
                Some(PendingNotice {
                    sk: text(keys::SK)?,
                    mail: text("mail")?,
                })
            })
            .collect())
    }

    /// Takes the notice `sk` to queue its mail at `now`: `false` when it is queued already,
    /// or another attempt took it less than `lease` seconds ago.
    pub async fn claim_notice(
        &self,
        order: &OrderId,
        sk: &str,
        now: i64,
        lease: i64,
    ) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::order_pk(order), sk)))
            .update_expression("SET sendingAt = :now")
            .condition_expression(
                "attribute_exists(PK) AND attribute_not_exists(queuedAt) \
                 AND (attribute_not_exists(sendingAt) OR sendingAt < :stale)",
            )
            .expression_attribute_values(":now", n(now))
            .expression_attribute_values(":stale", n(now - lease))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// The notice's mail could not be queued: another flush may take it at once. Best
    /// effort: a notice not given back is taken again after its lease.
    pub async fn release_notice(&self, order: &OrderId, sk: &str) {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::order_pk(order), sk)))
            .update_expression("REMOVE sendingAt")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(queuedAt)")
            .send()
            .await;
        if let Err(err) = conditional(result) {
            tracing::warn!(notice = sk, error = %err, "notice not given back; its lease lapses");
        }
    }

    /// The notice's mail is on the mail queue.
    pub async fn notice_queued(&self, order: &OrderId, sk: &str) -> Result<(), ShopError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::order_pk(order), sk)))
            .update_expression("SET queuedAt = :at")
            .expression_attribute_values(":at", s(crate::clock::now_sortable()))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }
}

fn notice_item(order: &OrderId, notice: &Notice) -> Item {
    let mut item = key(
        keys::order_pk(order),
        keys::notice_sk(notice.news, &notice.subject),
    );
    item.extend([
        (keys::ENTITY.to_owned(), s("notice")),
        ("news".to_owned(), s(notice.news)),
        ("subject".to_owned(), s(&notice.subject)),
        ("mail".to_owned(), s(notice.mail.to_queue())),
        ("createdAt".to_owned(), s(crate::clock::now_sortable())),
        (
            "expiresAt".to_owned(),
            n(crate::clock::unix_now() + NOTICE_DAYS * 24 * 60 * 60),
        ),
    ]);
    item
}
