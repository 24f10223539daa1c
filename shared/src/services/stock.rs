//! The low-stock watcher: one variant at a time, as the table stream's product reader
//! queued it on a fall or a rise (`StockWatchQueue.fifo`, a variant's watches in order). It
//! reads the variant strongly consistent and decides by the pure rules of `domain::stock`:
//! low and unflagged, it flags the variant and writes its alert in one transaction (so one
//! crossing is one alert however many orders made it), then the alert is delivered — the
//! seller's mail queued, `stock.low` published — each step marked when done. A watch
//! that finds the variant flagged with its last alert not fully delivered (the watcher
//! died in between, or an outlet failed) does what is left.

use crate::adapters::mail::MailQueue;
use crate::adapters::stock::StockEvents;
use crate::clock::now_rfc3339;
use crate::domain::catalog::{Product, Variant};
use crate::domain::error::ShopError;
use crate::domain::ids::SellerId;
use crate::domain::mail::Mail;
use crate::domain::stock::{
    alert_id, decide, StockDecision, StockLevel, StockLowEvent, StockWatch,
};
use crate::services::sellers::seller_contact;
use crate::store::{AlertStep, StockAlertRecord, Store};

/// The shop's low-stock setting: the threshold of a variant whose seller set none
/// (`DEFAULT_LOW_STOCK_THRESHOLD`, the template's `DefaultLowStockThreshold`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StockSettings {
    pub default_threshold: i64,
}

impl StockSettings {
    /// The variant's stock as the rules judge it.
    pub fn level(&self, variant: &Variant) -> StockLevel {
        StockLevel::of(
            variant.on_hand,
            variant.reserved,
            variant.low_stock_threshold,
            self.default_threshold,
            variant.low_stock_since.is_some(),
        )
    }
}

/// What one watch did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchOutcome {
    /// The product or the variant is gone.
    Gone,
    /// A new crossing: the alert (its id) was written and delivered.
    Alerted(String),
    /// An earlier alert (its id) that was written but not delivered, delivered now.
    Delivered(String),
    /// Back above its threshold: the flag is cleared.
    Cleared,
    /// Nothing to do (or another watcher did it first).
    Unchanged,
}

pub async fn watch<Q, E>(
    store: &Store,
    mail: &Q,
    events: &E,
    settings: StockSettings,
    watch: &StockWatch,
) -> Result<WatchOutcome, ShopError>
where
    Q: MailQueue + ?Sized,
    E: StockEvents + ?Sized,
{
    let Some((product, variants)) = store.get_product(&watch.product_id).await? else {
        return Ok(WatchOutcome::Gone);
    };
    let Some(variant) = variants.into_iter().find(|v| v.sku == watch.sku) else {
        return Ok(WatchOutcome::Gone);
    };
    let seller = SellerId::of(&product.seller_id);
    let level = settings.level(&variant);
    match decide(level) {
        StockDecision::Alert => {
            let crossing = variant.low_stock_alerts + 1;
            let event = StockLowEvent {
                alert_id: alert_id(&variant.sku, crossing),
                seller_id: seller.clone(),
                product_id: product.id.clone(),
                sku: variant.sku.clone(),
                product_name: product.name.clone(),
                available: level.available,
                threshold: level.threshold,
                reorder_quantity: variant.reorder_quantity,
                at: now_rfc3339(),
            };
            let letter = low_stock_mail(store, &product, &seller, &event).await?;
            if !store
                .record_stock_alert(&seller, crossing, letter.as_ref(), &event)
                .await?
            {
                return Ok(WatchOutcome::Unchanged);
            }
            let alert = StockAlertRecord {
                mailed: letter.is_none(),
                mail: letter,
                event,
                published: false,
            };
            deliver(store, mail, events, &seller, crossing, &alert).await?;
            Ok(WatchOutcome::Alerted(alert.event.alert_id))
        }
        StockDecision::Clear => Ok(if store.clear_low_stock(&product.id, &variant.sku).await? {
            WatchOutcome::Cleared
        } else {
            WatchOutcome::Unchanged
        }),
        StockDecision::Nothing if level.flagged && variant.low_stock_alerts > 0 => {
            // Still in the fall its last alert told of: finish that alert if it was not.
            let crossing = variant.low_stock_alerts;
            match store.stock_alert(&seller, &variant.sku, crossing).await? {
                Some(alert) if !(alert.mailed && alert.published) => {
                    deliver(store, mail, events, &seller, crossing, &alert).await?;
                    Ok(WatchOutcome::Delivered(alert.event.alert_id))
                }
                _ => Ok(WatchOutcome::Unchanged),
            }
        }
        StockDecision::Nothing => Ok(WatchOutcome::Unchanged),
    }
}

/// The seller's low-stock mail, or `None` (logged) for a seller with no address on file:
/// the event still goes out.
async fn low_stock_mail(
    store: &Store,
    product: &Product,
    seller: &SellerId,
    event: &StockLowEvent,
) -> Result<Option<Mail>, ShopError> {
    Ok(seller_contact(store, &product.seller_id, seller)
        .await?
        .map(|(to, name)| Mail::SellerLowStock {
            to,
            name,
            product_id: event.product_id.to_string(),
            product_name: event.product_name.clone(),
            sku: event.sku.to_string(),
            available: event.available,
            threshold: event.threshold,
            reorder_quantity: event.reorder_quantity,
            alert_id: event.alert_id.clone(),
        }))
}

/// Does what is left of the alert's delivery: queues its mail, publishes its event, each
/// marked when done. A failure leaves the rest for the watch's retry; a step is repeated
/// only if the watcher dies between doing and marking it.
async fn deliver<Q, E>(
    store: &Store,
    mail: &Q,
    events: &E,
    seller: &SellerId,
    crossing: u64,
    alert: &StockAlertRecord,
) -> Result<(), ShopError>
where
    Q: MailQueue + ?Sized,
    E: StockEvents + ?Sized,
{
    let event = &alert.event;
    if let (false, Some(letter)) = (alert.mailed, &alert.mail) {
        mail.enqueue(letter).await?;
        store
            .stock_alert_step_done(seller, &event.sku, crossing, AlertStep::Mailed)
            .await?;
    }
    if !alert.published {
        events.stock_low(event).await?;
        store
            .stock_alert_step_done(seller, &event.sku, crossing, AlertStep::Published)
            .await?;
    }
    tracing::info!(
        alert = %event.alert_id,
        available = event.available,
        threshold = event.threshold,
        mailed = alert.mail.is_some(),
        "low stock alert delivered"
    );
    Ok(())
}
