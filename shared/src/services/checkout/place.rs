//! `POST /orders`: the order placed in one transaction that reserves its stock, then
//! its checkout execution started. Who may call: a signed-in customer, for themselves
//! (the customer is the verified `sub`, never input).

use std::collections::HashSet;

use crate::adapters::saga::StartCheckout;
use crate::clock::now_sortable;
use crate::domain::auth::Caller;
use crate::domain::error::{FieldError, ShopError};
use crate::domain::fulfilment::CollectionSchedule;
use crate::domain::ids::{OrderId, Sku};
use crate::domain::order::{
    build_order, Address, Destination, IdempotencyKey, NewOrder, PendingLimits, PlaceOrder,
    WantedLine,
};
use crate::services::fulfilment::coverage;
use crate::store::{IdempotencyRecord, Placement, Store};
use crate::telemetry;

/// Attempts at the placement transaction when stock moved under it without running out
/// (another checkout reserving, a sale confirming, a seller editing the variant).
const PLACEMENT_ATTEMPTS: u32 = 4;

/// The answer to `POST /orders`: the order placed, first or again for a retry (the
/// HTTP edge answers both as created, with the first answer's body).
#[derive(Debug)]
pub struct PlacedOrder {
    pub order_id: OrderId,
    pub body: serde_json::Value,
    /// A retry answered from the idempotency record.
    pub replayed: bool,
}

/// Places an order for `request` and starts its checkout. The start is harmless to
/// repeat (a retry starts the running execution again: a no-op), and if it fails the
/// order still stands: the table's stream starts it (`start-checkout`), and with it the
/// timeout that releases the stock.
pub async fn place_order<S: StartCheckout + ?Sized>(
    store: &Store,
    starter: &S,
    caller: &Caller,
    key: &IdempotencyKey,
    request: PlaceOrder,
    limits: PendingLimits,
    schedule: &CollectionSchedule,
) -> Result<PlacedOrder, ShopError> {
    let placed = place(store, caller, key, request, limits, schedule).await?;
    if !placed.replayed {
        telemetry::order_placed(placed.order_id.as_str());
    }
    if let Err(err) = starter.start(&placed.order_id).await {
        tracing::warn!(order_id = %placed.order_id, error = %err, "starting the checkout failed; the stream starts it");
    }
    Ok(placed)
}

/// The address an order or a quote goes to: the one sent, or the caller's saved one.
pub(super) async fn destination_address(
    store: &Store,
    caller: &Caller,
    destination: &Destination,
) -> Result<Address, ShopError> {
    match destination {
        Destination::Address(address) => Ok(address.clone()),
        Destination::AddressId(id) => {
            crate::services::profile::address_for_order(store, caller, id).await
        }
    }
}

/// Prices the order's lines now, reserves their stock and records the answer under the
/// idempotency key, in one transaction. An address the carrier does not serve is refused
/// before anything is read of the lines, so nothing is reserved or written.
async fn place(
    store: &Store,
    caller: &Caller,
    key: &IdempotencyKey,
    request: PlaceOrder,
    limits: PendingLimits,
    schedule: &CollectionSchedule,
) -> Result<PlacedOrder, ShopError> {
    let digest = key.digest();
    let fingerprint = request.fingerprint();
    if let Some(record) = store.idempotency_record(&caller.user_id, &digest).await? {
        return replay(record, &fingerprint);
    }
    let address = destination_address(store, caller, &request.destination).await?;
    let transit_days = coverage::require_served(store, &address).await?;
    let (wanted, from_cart) = wanted_lines(store, caller, request.lines.as_deref()).await?;
    let order_id = OrderId::generate();
    for attempt in 0..PLACEMENT_ATTEMPTS {
        if attempt > 0 {
            // A refused placement may have lost to a copy of this very request: the key wins.
            if let Some(record) = store.idempotency_record(&caller.user_id, &digest).await? {
                return replay(record, &fingerprint);
            }
        }
        let pairs: Vec<_> = wanted
            .iter()
            .map(|w| (w.product_id.clone(), w.sku.clone()))
            .collect();
        let offers = store.offers(&pairs).await?;
        let order = match build_order(
            NewOrder {
                id: order_id.clone(),
                customer_id: &caller.user_id,
                customer_email: caller.email.clone(),
                now: now_sortable(),
                address: address.clone(),
                payment_method_id: request.payment_method_id.clone(),
                expected_total: request.expected_total,
            },
            &wanted,
            &offers,
        ) {
            Ok(order) => coverage::with_estimate(store, order, transit_days, schedule).await?,
            // Stock or price refused: unless a concurrent copy of this request already placed
            // the order under the same key, whose answer the customer must get instead.
            Err(refusal) => {
                return match store.idempotency_record(&caller.user_id, &digest).await? {
                    Some(record) => replay(record, &fingerprint),
                    None => Err(refusal),
                }
            }
        };
        let body = serde_json::to_value(order.view()).map_err(ShopError::internal)?;
        let record = IdempotencyRecord {
            request_fingerprint: fingerprint.clone(),
            order_id: order_id.clone(),
            response: body.to_string(),
        };
        let now_unix = crate::clock::unix_now();
        match store
            .place_order(&order, &offers, &digest, &record, limits, now_unix)
            .await?
        {
            Placement::Placed => {
                if from_cart {
                    let skus: Vec<Sku> = order.lines.iter().map(|l| l.sku.clone()).collect();
                    // The order stands whatever happens to the cart: a failure here leaves
                    // lines the customer can remove, never a lost order.
                    if let Err(err) = store.delete_cart_lines(&caller.user_id, &skus).await {
                        tracing::warn!(order_id = %order_id, error = %err, "emptying the cart failed");
                    }
                }
                return Ok(PlacedOrder {
                    order_id,
                    body,
                    replayed: false,
                });
            }
            Placement::KeyTaken => {
                let record = store
                    .idempotency_record(&caller.user_id, &digest)
                    .await?
                    .ok_or_else(|| ShopError::internal("idempotency key taken but not readable"))?;
                return replay(record, &fingerprint);
            }
            Placement::TooManyPending => {
                return match store.idempotency_record(&caller.user_id, &digest).await? {
                    Some(record) => replay(record, &fingerprint),
                    None => Err(limits.refusal(order.units())),
                }
            }
            Placement::CatalogMoved => {
                tracing::info!(order_id = %order_id, attempt, "stock moved during placement; reading again");
                let jitter = u64::from(uuid::Uuid::new_v4().as_bytes()[0] % 16);
                tokio::time::sleep(std::time::Duration::from_millis((10 << attempt) + jitter))
                    .await;
            }
        }
    }
    Err(ShopError::Unavailable(
        "these items are selling fast and stock kept changing; try again in a moment".into(),
    ))
}

fn replay(record: IdempotencyRecord, fingerprint: &str) -> Result<PlacedOrder, ShopError> {
    if record.request_fingerprint != fingerprint {
        return Err(ShopError::IdempotencyKeyReused);
    }
    Ok(PlacedOrder {
        order_id: record.order_id,
        body: serde_json::from_str(&record.response).map_err(ShopError::internal)?,
        replayed: true,
    })
}

/// The lines to buy: the request's own, or the caller's whole cart (then `true`).
pub(super) async fn wanted_lines(
    store: &Store,
    caller: &Caller,
    lines: Option<&[(Sku, u32)]>,
) -> Result<(Vec<WantedLine>, bool), ShopError> {
    match lines {
        Some(lines) => {
            let skus: Vec<Sku> = lines.iter().map(|(sku, _)| sku.clone()).collect();
            let owners = store.sku_owners(&skus).await?;
            let mut unknown = Vec::new();
            let mut wanted = Vec::with_capacity(lines.len());
            for (i, (sku, quantity)) in lines.iter().enumerate() {
                match owners.get(sku) {
                    Some(product_id) => wanted.push(WantedLine {
                        sku: sku.clone(),
                        product_id: product_id.clone(),
                        quantity: *quantity,
                    }),
                    None => unknown.push(FieldError::new(
                        &format!("lines[{i}].sku"),
                        &format!("{sku} is not on sale"),
                    )),
                }
            }
            if !unknown.is_empty() {
                return Err(ShopError::Invalid(unknown));
            }
            Ok((wanted, false))
        }
        None => {
            let cart = store.cart_lines(&caller.user_id).await?;
            let mut seen = HashSet::new();
            let wanted = cart
                .into_iter()
                .filter(|l| seen.insert(l.sku.clone()))
                .map(|l| WantedLine {
                    sku: l.sku,
                    product_id: l.product_id,
                    quantity: l.quantity,
                })
                .collect();
            Ok((wanted, true))
        }
    }
}
