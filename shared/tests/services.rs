//! Use cases against DynamoDB Local: the rules that need the table (caps, ownership,
//! uniqueness, conditional writes) tested in milliseconds, without the stack.

mod support;

use serde_json::json;
use shop::domain::auth::Role;
use shop::domain::cart::{AddItemInput, MAX_CART_LINES};
use shop::domain::catalog::{ProductUpdateInput, VariantInput};
use shop::domain::ids::{ProductId, Sku};
use shop::services::{cart, catalog, wishlist};
use shop::ShopError;
use support::*;

fn add(sku: &str, quantity: i64) -> shop::domain::cart::AddItem {
    AddItemInput {
        sku: sku.to_owned(),
        quantity,
    }
    .parse()
    .unwrap()
}

#[tokio::test]
async fn a_cart_holds_at_most_its_line_cap() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    // MAX_CART_LINES + 1 SKUs, over as many products as the variant cap needs.
    let skus: Vec<String> = (0..=MAX_CART_LINES).map(|_| sku("CAP")).collect();
    for chunk in skus.chunks(40) {
        let variants: Vec<_> = chunk.iter().map(|s| (s.as_str(), 1000, "USD", 5)).collect();
        listed(&store, &seller, &shoes, &variants).await;
    }
    for s in &skus[..MAX_CART_LINES] {
        cart::add_item(&store, &shopper, add(s, 1)).await.unwrap();
    }
    let over = cart::add_item(&store, &shopper, add(&skus[MAX_CART_LINES], 1)).await;
    assert!(matches!(over, Err(ShopError::Conflict(_))), "{over:?}");
    // Adding to a line already there is still allowed at the cap.
    let priced = cart::add_item(&store, &shopper, add(&skus[0], 1))
        .await
        .unwrap();
    assert_eq!(priced.lines.len(), MAX_CART_LINES);
    assert_eq!(
        store.cart_lines(&shopper.user_id).await.unwrap().len(),
        MAX_CART_LINES
    );
}

#[tokio::test]
async fn a_cart_line_cannot_exceed_what_is_available() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let s = sku("STOCK");
    listed(&store, &seller, &shoes, &[(&s, 2500, "USD", 3)]).await;
    cart::add_item(&store, &shopper, add(&s, 2)).await.unwrap();
    match cart::add_item(&store, &shopper, add(&s, 2)).await {
        Err(ShopError::InsufficientStock { available, .. }) => assert_eq!(available, 3),
        other => panic!("expected InsufficientStock, got {other:?}"),
    }
    let lines = store.cart_lines(&shopper.user_id).await.unwrap();
    assert_eq!(
        lines[0].quantity, 2,
        "a refused add leaves the line as it was"
    );
}

#[tokio::test]
async fn concurrent_adds_to_one_line_never_lose_an_update() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let s = sku("RACE");
    listed(&store, &seller, &shoes, &[(&s, 100, "USD", 99)]).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (store, shopper, s) = (store.clone(), shopper.clone(), s.clone());
        tasks.spawn(async move { cart::add_item(&store, &shopper, add(&s, 1)).await });
    }
    let mut succeeded = 0;
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(_) => succeeded += 1,
            // The loser of a race is told to retry; it never overwrites the winner.
            Err(ShopError::Conflict(_)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert!(succeeded >= 1);
    let lines = store.cart_lines(&shopper.user_id).await.unwrap();
    assert_eq!(
        lines[0].quantity, succeeded,
        "every successful add counted once"
    );
}

#[tokio::test]
async fn a_seller_changes_only_its_own_products() {
    let Bench { store, shoes, .. } = bench().await;
    let owner = caller(&[Role::Seller]);
    let rival = caller(&[Role::Seller]);
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
    let seller = caller(&[Role::Seller]);
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
    let first = caller(&[Role::Seller]);
    let second = caller(&[Role::Seller]);
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

fn pending_verification(email: &str, now: i64) -> shop::store::VerificationRecord {
    use shop::domain::verification::{digest, Code};
    let user_id = shop::domain::ids::UserId::parse("u-verify").unwrap();
    shop::store::VerificationRecord {
        digest: digest(user_id.as_str(), &Code::from_random(123_456)),
        user_id,
        email: email.to_owned(),
        name: "Ada".into(),
        role: "customer".into(),
        expires_at: now + 900,
        attempts: 0,
        sent_at: now,
    }
}

#[tokio::test]
async fn verification_attempts_stop_at_the_cap_even_when_concurrent() {
    use shop::domain::verification::{refusal, Refusal, MAX_ATTEMPTS};
    let store = fresh_store().await;
    let now = 1_900_000_000;
    store
        .put_verification(&pending_verification("ada@example.com", now))
        .await
        .unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..(MAX_ATTEMPTS * 2) {
        let store = store.clone();
        tasks.spawn(async move { store.count_attempt("ada@example.com", now).await.unwrap() });
    }
    let mut counted = 0;
    while let Some(result) = tasks.join_next().await {
        counted += u32::from(result.unwrap().is_some());
    }
    assert_eq!(
        counted, MAX_ATTEMPTS,
        "exactly the cap of attempts were counted"
    );
    let locked = store
        .get_verification("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        refusal(Some(&locked.pending()), now),
        Refusal::TooManyAttempts
    );
    // Expired: no attempt counts, whatever the code.
    store
        .put_verification(&pending_verification("bob@example.com", now))
        .await
        .unwrap();
    assert!(store
        .count_attempt("bob@example.com", now + 900)
        .await
        .unwrap()
        .is_none());
    assert!(store
        .count_attempt("nobody@example.com", now)
        .await
        .unwrap()
        .is_none());
}

#[tokio::test]
async fn a_new_code_replaces_the_old_only_after_the_resend_interval() {
    use shop::domain::verification::RESEND_AFTER_SECONDS;
    let store = fresh_store().await;
    let now = 1_900_000_000;
    let record = pending_verification("ada@example.com", now);
    store.put_verification(&record).await.unwrap();
    store.count_attempt("ada@example.com", now).await.unwrap();
    let early = now + RESEND_AFTER_SECONDS - 1;
    let replaced = store
        .replace_code(
            "ada@example.com",
            &record.user_id,
            "d2",
            early + 900,
            early,
            early - RESEND_AFTER_SECONDS,
        )
        .await
        .unwrap();
    assert!(!replaced, "too soon");
    let later = now + RESEND_AFTER_SECONDS;
    let other_user = shop::domain::ids::UserId::parse("u-other").unwrap();
    let replaced = store
        .replace_code(
            "ada@example.com",
            &other_user,
            "d2",
            later + 900,
            later,
            later - RESEND_AFTER_SECONDS,
        )
        .await
        .unwrap();
    assert!(!replaced, "another account's verification is not touched");
    let replaced = store
        .replace_code(
            "ada@example.com",
            &record.user_id,
            "d2",
            later + 900,
            later,
            later - RESEND_AFTER_SECONDS,
        )
        .await
        .unwrap();
    assert!(replaced);
    let now_stored = store
        .get_verification("ada@example.com")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            now_stored.digest.as_str(),
            now_stored.attempts,
            now_stored.sent_at
        ),
        ("d2", 0, later)
    );
}

#[tokio::test]
async fn completing_a_verification_stores_the_profile_and_ends_the_pending_one() {
    let store = fresh_store().await;
    let now = 1_900_000_000;
    let record = pending_verification("ada@example.com", now);
    store.put_verification(&record).await.unwrap();
    let profile = shop::store::Profile {
        user_id: record.user_id.clone(),
        email: record.email.clone(),
        name: record.name.clone(),
        role: record.role.clone(),
        created_at: "2026-11-27T00:00:00Z".into(),
    };
    store
        .complete_verification("ada@example.com", &profile)
        .await
        .unwrap();
    assert_eq!(
        store.get_profile(&record.user_id).await.unwrap(),
        Some(profile.clone())
    );
    assert!(store
        .get_verification("ada@example.com")
        .await
        .unwrap()
        .is_none());
    // A second completion (a retried request) finds nothing pending: refused, nothing changed.
    let again = store
        .complete_verification("ada@example.com", &profile)
        .await;
    assert!(matches!(again, Err(ShopError::Conflict(_))), "{again:?}");
}

#[tokio::test]
async fn the_call_audit_names_each_iam_action_a_use_case_needs() {
    let Bench {
        store,
        shoes,
        seller,
        shopper,
    } = bench().await;
    let (audited, recorded) = audited(&store);
    let s = sku("AUDIT");
    listed(&audited, &seller, &shoes, &[(&s, 1000, "USD", 5)]).await;
    let taken = |r: &std::sync::Mutex<Vec<String>>| std::mem::take(&mut *r.lock().unwrap());
    // Creating a product: one transaction, authorised per item (category check + puts).
    assert_eq!(
        taken(&recorded),
        ["dynamodb:ConditionCheckItem", "dynamodb:PutItem"]
    );
    cart::add_item(&audited, &shopper, add(&s, 1))
        .await
        .unwrap();
    let mut calls = taken(&recorded);
    calls.sort();
    calls.dedup();
    assert_eq!(
        calls,
        [
            "dynamodb:BatchGetItem",
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:Query"
        ]
    );
}
