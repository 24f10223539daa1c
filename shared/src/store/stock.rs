//! The low-stock flag on a variant (`lowStockSince`, with `lowStockAlerts` counting the
//! seller's alerts) and the alerts themselves, kept as an outbox in the seller's partition
//! (`SELLER#<sellerId>` / `STOCKALERT#<sku>#<n>`, TTL 90 days): an alert is written in the
//! same transaction as the flag that makes it once-per-crossing, then delivered — its mail
//! queued and its event published, each marked when done — so a watcher that died between
//! the steps finds what is left and does only that.

use aws_sdk_dynamodb::types::Update;

use super::keys;
use super::{build, conditional, key, n, s, tx, Read, Store, TxOutcome};
use crate::domain::error::ShopError;
use crate::domain::ids::{ProductId, SellerId, Sku};
use crate::domain::mail::Mail;
use crate::domain::stock::StockLowEvent;

/// Days an alert is kept.
const ALERT_DAYS: i64 = 90;

/// An alert as stored: what to deliver, and what of it was.
#[derive(Debug, Clone)]
pub struct StockAlertRecord {
    /// The seller's mail; `None` for a seller without an address on file.
    pub mail: Option<Mail>,
    pub event: StockLowEvent,
    /// The mail is queued (or there is none).
    pub mailed: bool,
    pub published: bool,
}

/// A step of an alert's delivery, marked on it when done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertStep {
    Mailed,
    Published,
}

impl AlertStep {
    fn attribute(self) -> &'static str {
        match self {
            AlertStep::Mailed => "mailedAt",
            AlertStep::Published => "publishedAt",
        }
    }
}

impl Store {
    /// Flags the variant low and writes its alert number `crossing`, in one transaction:
    /// only while the variant exists, is not flagged and has had `crossing − 1` alerts.
    /// `false` when another watcher flagged it first (nothing written).
    pub async fn record_stock_alert(
        &self,
        seller: &SellerId,
        crossing: u64,
        mail: Option<&Mail>,
        event: &StockLowEvent,
    ) -> Result<bool, ShopError> {
        let flag = Update::builder()
            .table_name(self.table())
            .set_key(Some(key(
                keys::product_pk(&event.product_id),
                keys::variant_sk(&event.sku),
            )))
            .update_expression("SET lowStockSince = :at, lowStockAlerts = :crossing")
            .condition_expression(
                "attribute_exists(PK) AND attribute_not_exists(lowStockSince) \
                 AND (attribute_not_exists(lowStockAlerts) OR lowStockAlerts = :before)",
            )
            .expression_attribute_values(":at", s(&event.at))
            .expression_attribute_values(":crossing", n(crossing))
            .expression_attribute_values(":before", n(crossing - 1))
            .build();
        let mut alert = key(
            keys::seller_account_pk(seller),
            keys::stock_alert_sk(&event.sku, crossing),
        );
        alert.extend([
            (keys::ENTITY.to_owned(), s("stock_alert")),
            ("alertId".to_owned(), s(&event.alert_id)),
            (
                "event".to_owned(),
                s(serde_json::to_string(event).map_err(ShopError::internal)?),
            ),
            ("createdAt".to_owned(), s(&event.at)),
            (
                "expiresAt".to_owned(),
                n(crate::clock::unix_now() + ALERT_DAYS * 24 * 60 * 60),
            ),
        ]);
        if let Some(mail) = mail {
            alert.insert("mail".to_owned(), s(mail.to_queue()));
        }
        let actions = vec![tx(build(flag)?), self.put_new(alert)?];
        Ok(matches!(
            self.try_transact(actions).await?,
            TxOutcome::Written
        ))
    }

    /// Clears the flag of a variant back above its threshold. `false` when it was not set.
    pub async fn clear_low_stock(&self, product: &ProductId, sku: &Sku) -> Result<bool, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(keys::product_pk(product), keys::variant_sk(sku))))
            .update_expression("REMOVE lowStockSince")
            .condition_expression("attribute_exists(lowStockSince)")
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// Alert number `crossing` of the variant `sku`, as stored.
    pub async fn stock_alert(
        &self,
        seller: &SellerId,
        sku: &Sku,
        crossing: u64,
    ) -> Result<Option<StockAlertRecord>, ShopError> {
        let Some(item) = self
            .read_item(
                key(
                    keys::seller_account_pk(seller),
                    keys::stock_alert_sk(sku, crossing),
                ),
                Read::Consistent,
            )
            .await?
        else {
            return Ok(None);
        };
        let text = |name: &str| item.get(name).and_then(|v| v.as_s().ok());
        let event = text("event")
            .ok_or_else(|| ShopError::internal("stock alert without its event"))
            .and_then(|e| serde_json::from_str(e).map_err(ShopError::internal))?;
        let mail = text("mail")
            .map(|m| Mail::from_queue(m).map_err(ShopError::internal))
            .transpose()?;
        Ok(Some(StockAlertRecord {
            mailed: mail.is_none() || item.contains_key(AlertStep::Mailed.attribute()),
            mail,
            event,
            published: item.contains_key(AlertStep::Published.attribute()),
        }))
    }

    /// One step of the alert's delivery is done.
    pub async fn stock_alert_step_done(
        &self,
        seller: &SellerId,
        sku: &Sku,
        crossing: u64,
        step: AlertStep,
    ) -> Result<(), ShopError> {
        self.client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(
                keys::seller_account_pk(seller),
                keys::stock_alert_sk(sku, crossing),
            )))
            .update_expression(format!("SET {} = :at", step.attribute()))
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":at", s(crate::clock::now_sortable()))
            .send()
            .await
            .map_err(super::sdk_error)?;
        Ok(())
    }
}
