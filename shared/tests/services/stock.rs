//! Low stock: the watcher's use case against DynamoDB Local — one alert per crossing
//! however many watches race, a restock re-arms it, a delivery that failed half-way is
//! finished by the next watch without repeating what was done.

use std::sync::Mutex;

use serde_json::json;
use shop::adapters::stock::StockEvents;
use shop::domain::auth::Role;
use shop::domain::catalog::ProductInput;
use shop::domain::ids::{ProductId, Sku};
use shop::domain::mail::Mail;
use shop::domain::stock::{StockLowEvent, StockWatch};
use shop::services::catalog;
use shop::services::stock::{watch, StockSettings, WatchOutcome};
use shop::store::Store;
use shop::ShopError;

use crate::fulfilment::fakes::Mails;
use crate::support::{bench, sku, Bench};

/// `stock.low` events as published.
#[derive(Default)]
struct Events {
    published: Mutex<Vec<StockLowEvent>>,
    down: Mutex<bool>,
}

#[async_trait::async_trait]
impl StockEvents for Events {
    async fn stock_low(&self, event: &StockLowEvent) -> Result<(), ShopError> {
        if *self.down.lock().unwrap() {
            return Err(ShopError::Unavailable("the event bus is down".into()));
        }
        self.published.lock().unwrap().push(event.clone());
        Ok(())
    }
}

const SETTINGS: StockSettings = StockSettings {
    default_threshold: 2,
};

/// The seller's profile, so its mails have an address.
async fn with_address(store: &Store, b: &Bench) -> String {
    let email = format!("{}@example.com", sku("seller").to_lowercase());
    crate::support::verified_profile(store, &b.seller, &email, "Acme Outdoor", Role::Seller).await;
    email
}

/// A product of one variant with `on_hand` units and the seller's threshold of 5.
async fn variant(b: &Bench, on_hand: i64) -> (ProductId, Sku) {
    let code = sku("LOW");
    let input: ProductInput = serde_json::from_value(json!({
        "name": "Trail Shoe", "brand": "Acme", "categoryId": b.shoes.as_str(),
        "variants": [{"sku": code, "price": 1500, "currency": "USD", "onHand": on_hand,
                      "lowStockThreshold": 5, "reorderQuantity": 40}],
    }))
    .unwrap();
    let view = catalog::create_product(&b.store, &b.seller, input.parse().unwrap())
        .await
        .unwrap();
    (view.id, Sku::parse(&code).unwrap())
}

/// The seller sets `on_hand` (an edit: a change like any order).
async fn set_stock(b: &Bench, product: &ProductId, sku: &Sku, on_hand: i64) {
    let input: shop::domain::catalog::VariantInput = serde_json::from_value(json!({
        "price": 1500, "currency": "USD", "onHand": on_hand,
        "lowStockThreshold": 5, "reorderQuantity": 40,
    }))
    .unwrap();
    catalog::put_variant(&b.store, &b.seller, product, input.parse(sku).unwrap())
        .await
        .unwrap();
}

fn changed(product: &ProductId, sku: &Sku) -> StockWatch {
    StockWatch {
        product_id: product.clone(),
        sku: sku.clone(),
    }
}

fn low_stock_mails(mails: &Mails) -> Vec<Mail> {
    mails
        .queued
        .lock()
        .unwrap()
        .iter()
        .filter(|m| matches!(m, Mail::SellerLowStock { .. }))
        .cloned()
        .collect()
}

#[tokio::test]
async fn a_fall_alerts_once_and_a_restock_rearms_the_next() {
    let b = bench().await;
    let address = with_address(&b.store, &b).await;
    let (product, code) = variant(&b, 20).await;
    let (mails, events) = (Mails::default(), Events::default());
    let w = changed(&product, &code);

    // Above the threshold: nothing.
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Unchanged
    );
    set_stock(&b, &product, &code, 5).await;
    let first = format!("{code}.1");
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Alerted(first.clone())
    );
    // Later orders of the same fall: no second alert.
    set_stock(&b, &product, &code, 1).await;
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Unchanged
    );
    let sent = low_stock_mails(&mails);
    assert_eq!(sent.len(), 1);
    match &sent[0] {
        Mail::SellerLowStock {
            to,
            available,
            threshold,
            reorder_quantity,
            alert_id,
            ..
        } => {
            assert_eq!(
                (to, *available, *threshold, *reorder_quantity, alert_id),
                (&address, 5, 5, Some(40), &first)
            );
        }
        other => panic!("{other:?}"),
    }
    let published = events.published.lock().unwrap().clone();
    assert_eq!(published.len(), 1);
    assert_eq!(
        (
            published[0].alert_id.as_str(),
            published[0].reorder_quantity
        ),
        (first.as_str(), Some(40))
    );

    // Restocked above: cleared; the next fall is a second crossing.
    set_stock(&b, &product, &code, 30).await;
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Cleared
    );
    set_stock(&b, &product, &code, 4).await;
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Alerted(format!("{code}.2"))
    );
    assert_eq!(low_stock_mails(&mails).len(), 2);
    assert_eq!(events.published.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn watches_racing_on_one_fall_make_one_alert() {
    let b = bench().await;
    with_address(&b.store, &b).await;
    let (product, code) = variant(&b, 3).await;
    let (mails, events) = (Mails::default(), Events::default());
    let w = changed(&product, &code);
    let outcomes = futures_util::future::join_all(
        (0..12).map(|_| watch(&b.store, &mails, &events, SETTINGS, &w)),
    )
    .await;
    let alerted = outcomes
        .iter()
        .filter(|o| matches!(o, Ok(WatchOutcome::Alerted(_))))
        .count();
    assert_eq!(alerted, 1, "{outcomes:?}");
    assert!(outcomes.iter().all(Result::is_ok), "{outcomes:?}");
    assert_eq!(low_stock_mails(&mails).len(), 1);
    assert_eq!(events.published.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_delivery_that_failed_half_way_is_finished_without_repeating_the_mail() {
    let b = bench().await;
    with_address(&b.store, &b).await;
    let (product, code) = variant(&b, 20).await;
    set_stock(&b, &product, &code, 2).await;
    let (mails, events) = (Mails::default(), Events::default());
    let w = changed(&product, &code);
    *events.down.lock().unwrap() = true;
    assert!(watch(&b.store, &mails, &events, SETTINGS, &w)
        .await
        .is_err());
    assert_eq!(
        low_stock_mails(&mails).len(),
        1,
        "the mail went before the bus failed"
    );
    // The queue's redelivery: the flag is set, the alert half-delivered.
    *events.down.lock().unwrap() = false;
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Delivered(format!("{code}.1"))
    );
    assert_eq!(low_stock_mails(&mails).len(), 1, "not mailed twice");
    assert_eq!(events.published.lock().unwrap().len(), 1);
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Unchanged
    );
}

#[tokio::test]
async fn a_seller_without_an_address_still_gets_the_event() {
    let b = bench().await; // no profile: no address on file
    let (product, code) = variant(&b, 9).await;
    set_stock(&b, &product, &code, 0).await;
    let (mails, events) = (Mails::default(), Events::default());
    assert_eq!(
        watch(
            &b.store,
            &mails,
            &events,
            SETTINGS,
            &changed(&product, &code)
        )
        .await
        .unwrap(),
        WatchOutcome::Alerted(format!("{code}.1"))
    );
    assert!(low_stock_mails(&mails).is_empty());
    assert_eq!(events.published.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_deleted_product_is_gone_and_its_edit_keeps_the_flag() {
    let b = bench().await;
    let (product, code) = variant(&b, 1).await;
    let (mails, events) = (Mails::default(), Events::default());
    let w = changed(&product, &code);
    assert!(matches!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Alerted(_)
    ));
    // A seller's edit that stays low keeps the flag (the watcher's alone).
    set_stock(&b, &product, &code, 2).await;
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Unchanged
    );
    catalog::delete_product(&b.store, &b.seller, &product)
        .await
        .unwrap();
    assert_eq!(
        watch(&b.store, &mails, &events, SETTINGS, &w)
            .await
            .unwrap(),
        WatchOutcome::Gone
    );
}
