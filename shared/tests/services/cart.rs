//! Carts: the line cap, stock, concurrent adds, and the IAM actions the use cases need.

use shop::domain::cart::{AddItemInput, MAX_CART_LINES};
use shop::services::cart;
use shop::ShopError;

use crate::support::*;

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
    // Creating a product: the seller's account, then one transaction, authorised per item
    // (category check + puts).
    assert_eq!(
        taken(&recorded),
        [
            "dynamodb:GetItem",
            "dynamodb:ConditionCheckItem",
            "dynamodb:PutItem"
        ]
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
