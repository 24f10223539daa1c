//! Seller accounts: only approved sellers write; a suspension withdraws exactly the
//! listings that were live and reinstatement brings exactly those back; an
//! administrator's takedown sticks; a seller's own listings page and filter by status.

use serde_json::json;
use shop::domain::auth::Role;
use shop::domain::catalog::{ListingHold, ProductStatus, ProductUpdateInput};
use shop::domain::ids::{ProductId, SellerId};
use shop::domain::seller::{Seller, SellerAction, SellerStatus};
use shop::services::{catalog, sellers};
use shop::store::Store;
use shop::ShopError;

use crate::support::*;

fn update(status: &str) -> shop::domain::catalog::ProductUpdate {
    let input: ProductUpdateInput = serde_json::from_value(json!({
        "name": "Trail Shoe", "brand": "Acme", "categoryId": "shoes", "status": status
    }))
    .unwrap();
    input.parse().unwrap()
}

/// The ids of the products a category listing shows.
async fn in_category(store: &Store, shoes: &shop::domain::ids::CategoryId) -> Vec<ProductId> {
    let page = catalog::category_products(store, shoes, 100, None)
        .await
        .unwrap();
    page.items.into_iter().map(|p| p.id).collect()
}

#[tokio::test]
async fn a_pending_seller_lists_nothing_until_approved() {
    let Bench { store, shoes, .. } = bench().await;
    let seller = caller(&[Role::Seller]);
    let admin = caller(&[Role::Admin]);
    let draft = || {
        product_input(&shoes, &[(&sku("PEND"), 1000, "USD", 1)])
            .parse()
            .unwrap()
    };

    let refused = catalog::create_product(&store, &seller, draft()).await;
    assert!(
        matches!(refused, Err(ShopError::Forbidden(_))),
        "no account: {refused:?}"
    );

    let application = Seller::application(&seller.user_id, "Pending Shop", "t0");
    store.create_seller(&application).await.unwrap();
    let refused = catalog::create_product(&store, &seller, draft()).await;
    assert!(
        matches!(refused, Err(ShopError::Forbidden(_))),
        "pending: {refused:?}"
    );
    let public = sellers::public_profile(&store, &application.seller_id).await;
    assert!(
        matches!(public, Err(ShopError::NotFound(_))),
        "a pending seller has no public page"
    );

    let queue = sellers::list(&store, &admin, SellerStatus::Pending, 10, None)
        .await
        .unwrap();
    assert_eq!(
        queue.items.iter().map(|s| s.id.clone()).collect::<Vec<_>>(),
        vec![application.seller_id.clone()]
    );
    let not_admin = sellers::act(
        &store,
        &seller,
        &application.seller_id,
        SellerAction::Approve,
    )
    .await;
    assert!(matches!(not_admin, Err(ShopError::Forbidden(_))));

    let approved = sellers::act(
        &store,
        &admin,
        &application.seller_id,
        SellerAction::Approve,
    )
    .await
    .unwrap();
    assert_eq!(approved.seller.status, SellerStatus::Approved);
    catalog::create_product(&store, &seller, draft())
        .await
        .unwrap();
    let public = sellers::public_profile(&store, &application.seller_id)
        .await
        .unwrap();
    assert_eq!(public.display_name, "Pending Shop");
    let queue = sellers::list(&store, &admin, SellerStatus::Pending, 10, None)
        .await
        .unwrap();
    assert!(queue.items.is_empty(), "approved accounts leave the queue");
}

#[tokio::test]
async fn suspension_withdraws_live_listings_and_reinstatement_restores_exactly_those() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let admin = caller(&[Role::Admin]);
    let id = SellerId::of(&seller.user_id);
    let live = listed(&store, &seller, &shoes, &[(&sku("LIVE"), 1000, "USD", 3)]).await;
    let also_live = listed(&store, &seller, &shoes, &[(&sku("LIVE"), 1200, "USD", 3)]).await;
    let shelved = listed(&store, &seller, &shoes, &[(&sku("SHELF"), 900, "USD", 3)]).await;
    catalog::update_product(&store, &seller, &shelved.id, update("inactive"))
        .await
        .unwrap();
    let mut expected = vec![live.id.clone(), also_live.id.clone()];
    expected.sort();
    assert_eq!(in_category(&store, &shoes).await, expected);

    let suspended = sellers::act(&store, &admin, &id, SellerAction::Suspend)
        .await
        .unwrap();
    assert_eq!(
        (suspended.seller.status, suspended.listings_changed),
        (SellerStatus::Suspended, 2)
    );
    assert!(in_category(&store, &shoes).await.is_empty());
    for p in [&live, &also_live] {
        let refused = catalog::get_product(&store, &p.id).await;
        assert!(
            matches!(refused, Err(ShopError::NotFound(_))),
            "withdrawn: {refused:?}"
        );
    }
    let refused = catalog::update_product(&store, &seller, &shelved.id, update("active")).await;
    assert!(
        matches!(refused, Err(ShopError::Forbidden(_))),
        "a suspended seller writes nothing"
    );
    // An administrator's edit keeps the suspension's hold: reinstatement still restores it,
    // and nobody activates it while the seller is suspended.
    catalog::update_product(&store, &admin, &live.id, update("inactive"))
        .await
        .unwrap();
    let refused = catalog::update_product(&store, &admin, &live.id, update("active")).await;
    assert!(
        matches!(refused, Err(ShopError::Forbidden(_))),
        "{refused:?}"
    );
    let again = sellers::act(&store, &admin, &id, SellerAction::Suspend)
        .await
        .unwrap();
    assert_eq!(again.listings_changed, 0, "repeating changes nothing");

    let reinstated = sellers::act(&store, &admin, &id, SellerAction::Approve)
        .await
        .unwrap();
    assert_eq!(
        (reinstated.seller.status, reinstated.listings_changed),
        (SellerStatus::Approved, 2)
    );
    assert_eq!(
        in_category(&store, &shoes).await,
        expected,
        "the shelved listing stays shelved"
    );
    let (shelf, _) = store.get_product(&shelved.id).await.unwrap().unwrap();
    assert_eq!((shelf.status, shelf.hold), (ProductStatus::Inactive, None));
    let (back, _) = store.get_product(&also_live.id).await.unwrap().unwrap();
    assert_eq!((back.status, back.hold), (ProductStatus::Active, None));
    assert_eq!(
        back.version,
        also_live.version + 2,
        "each change is a new version for the index"
    );
    let (edited, _) = store.get_product(&live.id).await.unwrap().unwrap();
    assert_eq!((edited.status, edited.hold), (ProductStatus::Active, None));
}

#[tokio::test]
async fn an_administrators_takedown_sticks_until_an_administrator_lifts_it() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let admin = caller(&[Role::Admin]);
    let p = listed(&store, &seller, &shoes, &[(&sku("TAKE"), 1000, "USD", 3)]).await;
    let refused = catalog::deactivate_product(&store, &seller, &p.id).await;
    assert!(matches!(refused, Err(ShopError::Forbidden(_))));

    catalog::deactivate_product(&store, &admin, &p.id)
        .await
        .unwrap();
    catalog::deactivate_product(&store, &admin, &p.id)
        .await
        .unwrap();
    let (held, _) = store.get_product(&p.id).await.unwrap().unwrap();
    assert_eq!(
        (held.status, held.hold),
        (ProductStatus::Inactive, Some(ListingHold::Moderation))
    );
    assert_eq!(
        held.version,
        p.version + 1,
        "a repeated takedown writes nothing"
    );
    assert!(in_category(&store, &shoes).await.is_empty());

    let refused = catalog::update_product(&store, &seller, &p.id, update("active")).await;
    assert!(
        matches!(refused, Err(ShopError::Forbidden(_))),
        "{refused:?}"
    );
    catalog::update_product(&store, &seller, &p.id, update("inactive"))
        .await
        .unwrap();
    let (still, _) = store.get_product(&p.id).await.unwrap().unwrap();
    assert_eq!(
        still.hold,
        Some(ListingHold::Moderation),
        "an edit keeps the hold"
    );

    catalog::update_product(&store, &admin, &p.id, update("active"))
        .await
        .unwrap();
    assert_eq!(in_category(&store, &shoes).await, vec![p.id.clone()]);
}

#[tokio::test]
async fn a_sellers_own_listings_page_and_filter_by_status() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let other = approved_seller(&store).await;
    listed(&store, &other, &shoes, &[(&sku("OTHER"), 1000, "USD", 1)]).await;
    let mut active = Vec::new();
    for i in 0..5 {
        let p = listed(
            &store,
            &seller,
            &shoes,
            &[(&sku("MINE"), 1000 + i, "USD", 1)],
        )
        .await;
        if i % 2 == 1 {
            catalog::update_product(&store, &seller, &p.id, update("inactive"))
                .await
                .unwrap();
        } else {
            active.push(p.id);
        }
    }
    let all = sellers::own_products(&store, &seller, None, 100, None)
        .await
        .unwrap();
    assert_eq!(all.items.len(), 5, "every status, only the caller's");

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = sellers::own_products(
            &store,
            &seller,
            Some(ProductStatus::Active),
            2,
            cursor.as_deref(),
        )
        .await
        .unwrap();
        assert!(page.items.len() <= 2);
        assert!(page.items.iter().all(|l| l.status == ProductStatus::Active));
        seen.extend(page.items.into_iter().map(|l| l.summary.id));
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    seen.sort();
    active.sort();
    assert_eq!(seen, active);
    let customer = caller(&[Role::Customer]);
    assert!(matches!(
        sellers::own_products(&store, &customer, None, 10, None).await,
        Err(ShopError::Forbidden(_))
    ));
}
