//! Catalog and wishlists: ownership, currency, SKU uniqueness, hidden inactive products.

use serde_json::json;
use shop::domain::auth::Role;
use shop::domain::catalog::{ProductUpdateInput, VariantInput};
use shop::domain::ids::{ProductId, Sku};
use shop::services::{catalog, wishlist};
use shop::ShopError;

use crate::support::*;

#[tokio::test]
async fn a_seller_changes_only_its_own_products() {
    let Bench { store, shoes, .. } = bench().await;
    let owner = approved_seller(&store).await;
    let rival = approved_seller(&store).await;
    let admin = caller(&[Role::Admin]);
    let s = sku("OWN");
    let product = listed(&store, &owner, &shoes, &[(&s, 1000, "USD", 5)]).await;
    let update: ProductUpdateInput = serde_json::from_value(json!({
        "name": "Renamed", "brand": "Acme", "categoryId": "shoes", "status": "active"
    }))
    .unwrap();
    let update = update.parse().unwrap();
    let before = store.get_product(&product.id).await.unwrap().unwrap();

    let refused = catalog::update_product(&store, &rival, &product.id, update.clone()).await;
    assert!(
        matches!(refused, Err(ShopError::Forbidden(_))),
        "{refused:?}"
    );
    let refused = catalog::delete_product(&store, &rival, &product.id).await;
    assert!(
        matches!(refused, Err(ShopError::Forbidden(_))),
        "{refused:?}"
    );
    assert_eq!(
        store.get_product(&product.id).await.unwrap().unwrap(),
        before
    );

    let renamed = catalog::update_product(&store, &admin, &product.id, update)
        .await
        .unwrap();
    assert_eq!(renamed.name, "Renamed");
    let customer = caller(&[Role::Customer]);
    let refused = catalog::delete_product(&store, &customer, &product.id).await;
    assert!(
        matches!(refused, Err(ShopError::Forbidden(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_variants_currency_must_match_its_products() {
    let Bench { store, shoes, .. } = bench().await;
    let seller = approved_seller(&store).await;
    let s = sku("CUR");
    let product = listed(&store, &seller, &shoes, &[(&s, 1000, "USD", 5)]).await;
    let new_sku = Sku::parse(&sku("CUR")).unwrap();
    let input: VariantInput =
        serde_json::from_value(json!({"price": 900, "currency": "EUR", "onHand": 1})).unwrap();
    let refused =
        catalog::put_variant(&store, &seller, &product.id, input.parse(&new_sku).unwrap()).await;
    match refused {
        Err(ShopError::Invalid(errors)) => assert_eq!(errors[0].field, "currency"),
        other => panic!("expected a currency error, got {other:?}"),
    }
    let (_, variants) = store.get_product(&product.id).await.unwrap().unwrap();
    assert_eq!(variants.len(), 1, "nothing written");
}

#[tokio::test]
async fn a_sku_belongs_to_one_product_shop_wide() {
    let Bench { store, shoes, .. } = bench().await;
    let first = approved_seller(&store).await;
    let second = approved_seller(&store).await;
    let s = sku("UNIQ");
    let product = listed(&store, &first, &shoes, &[(&s, 1000, "USD", 5)]).await;
    let draft = product_input(&shoes, &[(&s, 500, "USD", 1)])
        .parse()
        .unwrap();
    let refused = catalog::create_product(&store, &second, draft).await;
    assert!(
        matches!(refused, Err(ShopError::Conflict(_))),
        "{refused:?}"
    );
    let owner = store.sku_owner(&Sku::parse(&s).unwrap()).await.unwrap();
    assert_eq!(owner, Some(product.id.clone()));
    // Deleting the product frees the SKU for anyone.
    catalog::delete_product(&store, &first, &product.id)
        .await
        .unwrap();
    let draft = product_input(&shoes, &[(&s, 500, "USD", 1)])
        .parse()
        .unwrap();
    catalog::create_product(&store, &second, draft)
        .await
        .unwrap();
}

#[tokio::test]
async fn wishlists_add_once_and_hide_what_left_the_catalog() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let product = listed(&store, &seller, &shoes, &[(&sku("WISH"), 1000, "USD", 5)]).await;
    let (_, created) = wishlist::add(&store, &shopper, product.id.clone())
        .await
        .unwrap();
    assert!(created);
    let (_, created) = wishlist::add(&store, &shopper, product.id.clone())
        .await
        .unwrap();
    assert!(!created, "a second add keeps the first entry");
    let missing = ProductId::parse("no-such-product").unwrap();
    let refused = wishlist::add(&store, &shopper, missing).await;
    assert!(
        matches!(refused, Err(ShopError::NotFound(_))),
        "{refused:?}"
    );

    let items = wishlist::list(&store, &shopper).await.unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0].product.is_some());
    let update: ProductUpdateInput = serde_json::from_value(json!({
        "name": "Trail Shoe", "brand": "Acme", "categoryId": "shoes", "status": "inactive"
    }))
    .unwrap();
    catalog::update_product(&store, &seller, &product.id, update.parse().unwrap())
        .await
        .unwrap();
    let items = wishlist::list(&store, &shopper).await.unwrap();
    assert!(
        items[0].product.is_none(),
        "an inactive product is not shown"
    );
}
