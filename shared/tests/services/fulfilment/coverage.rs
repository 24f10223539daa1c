//! The carrier's coverage against DynamoDB Local, its file in the in-memory carrier bucket:
//! a file with a bad row changes nothing and names the rows; a good one becomes current
//! whole; a later upload wins over a late-arriving earlier one; the version before the
//! previous is removed; an address the carrier does not serve is refused at placement
//! before anything is reserved, and a served order carries its delivery estimate.

use serde_json::json;
use time::macros::datetime;

use shop::clock;
use shop::domain::auth::Caller;
use shop::domain::error::ShopError;
use shop::domain::fulfilment::{CoverageRow, Serviceability};
use shop::domain::order::PendingLimits;
use shop::domain::seller::ProfilePatchInput;
use shop::services::fulfilment::coverage::{self, LoadOutcome, COVERAGE_KEY};
use shop::services::{checkout, sellers};
use shop::store::Store;

use super::fakes::Files;
use crate::fake_gateway::FakeGateway;
use crate::orders::stock;
use crate::support::*;

async fn served(store: &Store, country: &str, postcode: &str) -> Serviceability {
    coverage::serviceability(store, country, postcode)
        .await
        .unwrap()
}

async fn current(store: &Store) -> String {
    store.coverage_pointer().await.unwrap().unwrap().version
}

async fn upload(
    store: &Store,
    files: &Files,
    content: &str,
    sequencer: &str,
) -> (String, LoadOutcome) {
    let etag = files.drop_file(COVERAGE_KEY, content);
    let outcome = coverage::load(store, files, COVERAGE_KEY, &etag, sequencer)
        .await
        .unwrap();
    (etag, outcome)
}

const V1: &str =
    "country,postalPrefix,transitDays\nFR,,2\nFR,97,none\nFR,971,4\nGB,,3\nGB,BT,none\n";
const V2: &str = "country,postalPrefix,transitDays\r\nFR,,3\r\n";
const V3: &str = "country,postalPrefix,transitDays\nDE,,1\n";

#[tokio::test]
async fn a_coverage_file_is_loaded_whole_or_not_at_all_and_the_latest_upload_wins() {
    let store = fresh_store().await;
    let files = Files::default();
    // A bad file: nothing changes, and the report names each bad row.
    let bad = "country,postalPrefix,transitDays\nFR,,2\nfr,,2\nFR,20,31\nFR,,4\n";
    let (_, outcome) = upload(&store, &files, bad, "05").await;
    assert_eq!(outcome, LoadOutcome::Refused);
    assert_eq!(current(&store).await, TEST_COVERAGE);
    let errors = files
        .text("carrier/reports/coverage.csv.errors.csv")
        .unwrap();
    let rows: Vec<&str> = errors
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(2).last().unwrap())
        .collect();
    assert_eq!(rows, ["country", "transitDays", "postalPrefix"], "{errors}");
    let wrong_header = upload(&store, &files, "country,prefix,days\nFR,,2\n", "06")
        .await
        .1;
    assert_eq!(wrong_header, LoadOutcome::Refused);

    // v1: current whole; the longest prefix decides.
    let (v1, outcome) = upload(&store, &files, V1, "10").await;
    assert_eq!(outcome, LoadOutcome::Loaded);
    assert_eq!(current(&store).await, v1);
    assert_eq!(
        served(&store, "FR", "75001").await,
        Serviceability::Served { transit_days: 2 }
    );
    assert_eq!(
        served(&store, "FR", "97200").await,
        Serviceability::NotServed
    );
    assert_eq!(
        served(&store, "FR", "97110").await,
        Serviceability::Served { transit_days: 4 }
    );
    assert_eq!(
        served(&store, "GB", "bt1 5gs").await,
        Serviceability::NotServed
    );
    assert_eq!(
        served(&store, "DE", "10115").await,
        Serviceability::NotServed,
        "not in v1"
    );
    // The same event again: nothing.
    assert_eq!(
        coverage::load(&store, &files, COVERAGE_KEY, &v1, "10")
            .await
            .unwrap(),
        LoadOutcome::AlreadyLoaded
    );
    let summary: serde_json::Value = serde_json::from_str(
        &files
            .text("carrier/reports/coverage.csv.summary.json")
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        (
            summary["outcome"].clone(),
            summary["rows"].clone(),
            summary["countries"].clone()
        ),
        (json!("loaded"), json!(5), json!(["FR", "GB"]))
    );

    // v2 replaces it; the version before v1 (the tests' own) is removed, v1 is kept a while.
    let (v2, outcome) = upload(&store, &files, V2, "20").await;
    assert_eq!(outcome, LoadOutcome::Loaded);
    assert_eq!(current(&store).await, v2);
    assert_eq!(
        served(&store, "FR", "97200").await,
        Serviceability::Served { transit_days: 3 }
    );
    assert_eq!(
        served(&store, "GB", "N1 9GU").await,
        Serviceability::NotServed
    );
    let all = |v: &str, c: &str| {
        let (store, v, c) = (store.clone(), v.to_owned(), c.to_owned());
        async move { store.coverage_rows(&v, &c, &[String::new()]).await.unwrap() }
    };
    assert!(
        all(TEST_COVERAGE, "FR").await.is_empty(),
        "the version before the previous is gone"
    );
    assert_eq!(
        all(&v1, "FR").await,
        [(String::new(), Some(2))],
        "the previous stays"
    );

    // An earlier upload whose event comes late: loaded, superseded, its rows removed.
    let (v3, outcome) = upload(&store, &files, V3, "15").await;
    assert_eq!(outcome, LoadOutcome::Superseded);
    assert_eq!(current(&store).await, v2);
    assert!(all(&v3, "DE").await.is_empty());

    // v1's content uploaded again later: current again (its rows rewritten, nothing lost).
    let (again, outcome) = upload(&store, &files, V1, "30").await;
    assert_eq!(
        (again.as_str(), outcome),
        (v1.as_str(), LoadOutcome::Loaded)
    );
    assert_eq!(current(&store).await, v1);
    assert_eq!(
        served(&store, "GB", "N1 9GU").await,
        Serviceability::Served { transit_days: 3 }
    );
    assert_eq!(
        all(&v2, "FR").await,
        [(String::new(), Some(3))],
        "v2 is now the previous"
    );
}

/// The test coverage with the FR overseas departments (`97…`) excluded.
async fn exclude_overseas(store: &Store) {
    let row = CoverageRow {
        country: "FR".into(),
        prefix: "97".into(),
        transit_days: None,
    };
    store
        .put_coverage_rows(TEST_COVERAGE, &[row])
        .await
        .unwrap();
}

fn request(sku: &str, postcode: &str) -> serde_json::Value {
    json!({
        "lines": [{"sku": sku, "quantity": 2}],
        "shippingAddress": {"name": "Ada", "line1": "1 Rue de Rivoli", "city": "Fort-de-France",
                            "postalCode": postcode, "country": "FR"},
        "paymentMethodId": "pm_card_visa"
    })
}

async fn place(
    store: &Store,
    shopper: &Caller,
    body: serde_json::Value,
) -> Result<checkout::PlacedOrder, ShopError> {
    let request = crate::orders::quoted_request(store, shopper, body).await;
    crate::orders::place_request(store, shopper, request, PendingLimits::default()).await
}

#[tokio::test]
async fn an_unserved_address_is_refused_before_anything_is_reserved() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    exclude_overseas(&store).await;
    let tee = sku("COVER");
    let product = listed(&store, &seller, &shoes, &[(&tee, 1_500, "EUR", 5)]).await;
    let refused = place(&store, &shopper, request(&tee, "97200")).await;
    match refused {
        Err(ShopError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1);
            assert_eq!(errors[0].field, "shippingAddress.postalCode");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(stock(&store, &product.id, &tee).await, (5, 0));
    let orders = store
        .customer_orders(&shopper.user_id, None, 10, None)
        .await
        .unwrap();
    assert!(orders.items.is_empty());
    // The quote says the same; the mainland is served.
    let quote = serde_json::from_value::<shop::domain::order::QuoteOrderInput>(json!({
        "lines": [{"sku": tee, "quantity": 2}],
        "shippingAddress": request(&tee, "97200")["shippingAddress"]
    }))
    .unwrap()
    .parse()
    .unwrap();
    assert!(matches!(
        checkout::quote_order(&store, &shopper, &quote, &schedule()).await,
        Err(ShopError::Invalid(_))
    ));
    assert!(place(&store, &shopper, request(&tee, "75001"))
        .await
        .is_ok());
    assert_eq!(stock(&store, &product.id, &tee).await, (5, 2));
}

#[tokio::test]
async fn an_order_and_its_shipments_carry_the_slowest_sellers_estimate() {
    let Bench {
        store,
        shoes,
        seller: a,
        shopper,
    } = bench().await;
    let b = approved_seller(&store).await;
    let patch: ProfilePatchInput = serde_json::from_value(json!({"handlingDays": 4})).unwrap();
    sellers::update_profile(&store, &b, patch.parse().unwrap())
        .await
        .unwrap();
    let (ska, skb) = (sku("EST-A"), sku("EST-B"));
    listed(&store, &a, &shoes, &[(&ska, 1_000, "EUR", 5)]).await;
    listed(&store, &b, &shoes, &[(&skb, 1_000, "EUR", 5)]).await;
    let mut body = request(&ska, "75001");
    body["lines"] = json!([{"sku": ska, "quantity": 1}, {"sku": skb, "quantity": 1}]);
    // Monday 10:00: B packs by Friday night, so the next collection is Tuesday the 15th's,
    // and the test coverage's 2 transit days make it Thursday the 17th.
    let monday = datetime!(2026-12-07 10:00 UTC);
    let placed = clock::frozen_at(monday, place(&store, &shopper, body))
        .await
        .unwrap();
    assert_eq!(placed.body["estimatedDelivery"], "2026-12-17");
    let order = store.get_order(&placed.order_id).await.unwrap().unwrap();
    assert_eq!(
        (order.estimated_delivery.as_deref(), order.transit_days),
        (Some("2026-12-17"), Some(2))
    );
    checkout::confirm(
        &store,
        &FakeGateway::default(),
        &placed.order_id,
        Some("pi_1"),
    )
    .await
    .unwrap();
    let shipments = store
        .order_with_shipments(&placed.order_id)
        .await
        .unwrap()
        .unwrap()
        .shipments;
    assert_eq!(shipments.len(), 2);
    for s in shipments {
        assert_eq!(s.estimated_delivery.as_deref(), Some("2026-12-17"));
    }
    // Seller A alone packs in a day: Tuesday night, Friday's collection, Tuesday the 15th.
    let (sellers, slots) = ([a.user_id.clone()], schedule());
    let only_a = coverage::estimated_delivery(&store, &sellers, 2, &slots);
    assert_eq!(
        clock::frozen_at(monday, only_a).await.unwrap(),
        "2026-12-15"
    );
}
