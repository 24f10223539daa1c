//! `FraudCheck`: the order's risk, scored from its customer's history, its card and
//! the shipping address, before any PaymentIntent exists.

use super::load_order;
use crate::adapters::stripe::PaymentGateway;
use crate::clock::sortable;
use crate::domain::error::ShopError;
use crate::domain::fraud::{assess, RiskAssessment, RiskSignals};
use crate::domain::ids::OrderId;
use crate::domain::order::{Order, OrderStatus};
use crate::store::Store;

/// Scores the order's risk from its customer's history, its card and the shipping address.
pub async fn fraud_check<G: PaymentGateway + ?Sized>(
    store: &Store,
    gateway: &G,
    id: &OrderId,
) -> Result<RiskAssessment, ShopError> {
    let order = load_order(store, id).await?;
    let now = crate::clock::now();
    let hour_ago = sortable(now - time::Duration::hours(1));
    let (history, profile, card) = tokio::try_join!(
        store.customer_orders(&order.customer_id, None, 50, None),
        store.get_profile(&order.customer_id),
        gateway.card(order.payment_method_id.as_str()),
    )?;
    let earlier: Vec<&Order> = history.items.iter().filter(|o| o.id != order.id).collect();
    let paid: Vec<i64> = earlier
        .iter()
        .filter(|o| o.status == OrderStatus::Confirmed && o.currency == order.currency)
        .map(|o| o.total.amount)
        .collect();
    let account_age_days = profile.and_then(|p| {
        time::OffsetDateTime::parse(
            &p.created_at,
            &time::format_description::well_known::Rfc3339,
        )
        .ok()
        .map(|created| (now - created).whole_days())
    });
    let card_orders_last_hour = match card.as_ref().and_then(|c| c.fingerprint.as_deref()) {
        Some(fp) => {
            let expires = now.unix_timestamp() + 2 * 24 * 60 * 60;
            store
                .record_card_use(fp, &order, &hour_ago, expires)
                .await?
        }
        None => 0,
    };
    let signals = RiskSignals {
        order_total: order.total.amount,
        average_paid_order: (!paid.is_empty())
            .then(|| paid.iter().sum::<i64>() / paid.len() as i64),
        customer_orders_last_hour: earlier.iter().filter(|o| o.created_at > hour_ago).count()
            as u32,
        card_orders_last_hour,
        account_age_days,
        shipping_country: order.shipping_address.country.clone(),
        card_country: card.and_then(|c| c.country),
    };
    Ok(assess(&signals))
}
