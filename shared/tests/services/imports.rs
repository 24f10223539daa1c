//! An imported product's writes against DynamoDB Local: created once, unchanged when the
//! same rows come again, refused row by row where the table says no (a SKU another
//! product holds, stock below what checkouts reserved), never touching `reserved`.

use shop::domain::catalog::Variant;
use shop::domain::ids::{Handle, ProductId, SellerId, Sku};
use shop::domain::import::{plan, Batcher, Plan, ProductGroup, RowInput, RowOutcome};
use shop::store::{ImportRefusal, Store};

use crate::support::*;

/// One product of `rows` (sku, price, onHand), as the import groups it.
fn group(handle: &str, rows: &[(&str, i64, i64)]) -> ProductGroup {
    let mut batcher = Batcher::new(10);
    for (i, (sku, price, on_hand)) in rows.iter().enumerate() {
        let row = RowInput {
            handle: handle.into(),
            name: "Imported Shoe".into(),
            brand: "Acme".into(),
            category_id: "shoes".into(),
            sku: (*sku).into(),
            price: *price,
            currency: "USD".into(),
            on_hand: *on_hand,
            ..RowInput::default()
        };
        batcher.push(row.check(i as u64 + 2).unwrap()).unwrap();
    }
    batcher.finish().remove(0).groups.remove(0)
}

async fn plan_for(
    store: &Store,
    seller: &shop::domain::auth::Caller,
    g: &ProductGroup,
) -> (Plan, Vec<RowOutcome>) {
    let id = ProductId::for_import(&seller.user_id, &Handle::parse(g.handle.as_str()).unwrap());
    let current = store.get_product(&id).await.unwrap();
    plan(
        g,
        &id,
        &seller.user_id,
        current.as_ref().map(|(p, v)| (p, v.as_slice())),
        "2026-11-27T10:00:00Z",
    )
}

async fn stock(
    store: &Store,
    g: &ProductGroup,
    seller: &shop::domain::auth::Caller,
) -> Vec<(String, i64, i64)> {
    let id = ProductId::for_import(&seller.user_id, &g.handle);
    let (_, variants) = store.get_product(&id).await.unwrap().unwrap();
    let mut out: Vec<_> = variants
        .iter()
        .map(|v: &Variant| (v.sku.to_string(), v.on_hand, v.reserved))
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn an_imported_product_is_written_once_and_refused_where_the_table_says_no() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let account = SellerId::of(&seller.user_id);
    let (a, b, taken) = (sku("IMP"), sku("IMP"), sku("TAKEN"));
    let g = group("shoe-1", &[(&a, 1000, 5), (&b, 1200, 2)]);

    let (created, outcomes) = plan_for(&store, &seller, &g).await;
    assert!(matches!(created, Plan::Create { .. }));
    assert_eq!(outcomes, [RowOutcome::Created; 2]);
    assert_eq!(
        store.write_import(&account, &created).await.unwrap(),
        Ok(())
    );
    let (again, outcomes) = plan_for(&store, &seller, &g).await;
    assert_eq!(
        (again, outcomes),
        (Plan::Unchanged, vec![RowOutcome::Unchanged; 2])
    );

    // Another seller's product holds a SKU the file names: that row is refused, by claim.
    let rival = approved_seller(&store).await;
    listed(&store, &rival, &shoes, &[(&taken, 500, "USD", 1)]).await;
    let clash = group("shoe-1", &[(&a, 1000, 5), (&b, 1200, 2), (&taken, 900, 1)]);
    let (update, _) = plan_for(&store, &seller, &clash).await;
    assert_eq!(
        store.write_import(&account, &update).await.unwrap(),
        Err(ImportRefusal::SkusTaken(vec![Sku::parse(&taken).unwrap()]))
    );

    // A checkout holds 3 units of `a`: its onHand may not drop below them, and `reserved` stays.
    let id = ProductId::for_import(&seller.user_id, &g.handle);
    store
        .client()
        .update_item()
        .table_name(store.table())
        .key(
            "PK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("PRODUCT#{id}")),
        )
        .key(
            "SK",
            aws_sdk_dynamodb::types::AttributeValue::S(format!("VARIANT#{a}")),
        )
        .update_expression("SET reserved = :three")
        .expression_attribute_values(
            ":three",
            aws_sdk_dynamodb::types::AttributeValue::N("3".into()),
        )
        .send()
        .await
        .unwrap();
    let below = group("shoe-1", &[(&a, 1000, 2), (&b, 1200, 2)]);
    let (update, _) = plan_for(&store, &seller, &below).await;
    assert_eq!(
        store.write_import(&account, &update).await.unwrap(),
        Err(ImportRefusal::BelowReserved(vec![Sku::parse(&a).unwrap()]))
    );
    let more = group("shoe-1", &[(&a, 1000, 9), (&b, 1200, 2)]);
    let (update, outcomes) = plan_for(&store, &seller, &more).await;
    assert_eq!(outcomes, [RowOutcome::Updated, RowOutcome::Unchanged]);
    assert_eq!(store.write_import(&account, &update).await.unwrap(), Ok(()));
    let mut expected = vec![(a.clone(), 9, 3), (b.clone(), 2, 0)];
    expected.sort();
    assert_eq!(stock(&store, &g, &seller).await, expected);
}

#[tokio::test]
async fn a_pack_of_products_is_written_whole_or_handed_back_whole() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let account = SellerId::of(&seller.user_id);
    let rival = approved_seller(&store).await;
    let taken = sku("TAKEN");
    listed(&store, &rival, &shoes, &[(&taken, 500, "USD", 1)]).await;
    let (a, b) = (sku("PACK"), sku("PACK"));
    let first = group("pack-1", &[(&a, 1000, 1)]);
    let second = group("pack-2", &[(&b, 1000, 1)]);
    let clash = group("pack-3", &[(&taken, 1000, 1)]);

    let mut plans = Vec::new();
    for g in [&first, &second, &clash] {
        plans.push(plan_for(&store, &seller, g).await.0);
    }
    let refs: Vec<&Plan> = plans.iter().collect();
    assert_eq!(
        store.write_import_packs(&account, &refs).await.unwrap(),
        [0, 1, 2]
    );
    for g in [&first, &second] {
        let id = ProductId::for_import(&seller.user_id, &g.handle);
        assert!(
            store.get_product(&id).await.unwrap().is_none(),
            "all or nothing"
        );
    }

    let refs: Vec<&Plan> = plans[..2].iter().collect();
    assert!(store
        .write_import_packs(&account, &refs)
        .await
        .unwrap()
        .is_empty());
    for g in [&first, &second] {
        let (again, _) = plan_for(&store, &seller, g).await;
        assert_eq!(again, Plan::Unchanged, "written");
    }
}

/// A suspension that lands while an import runs (after the run read the account) stops
/// its writes: each pack, and each product written alone, checks the account in its own
/// transaction. So do the API's writes.
#[tokio::test]
async fn a_suspended_sellers_writes_are_refused_in_their_own_transaction() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let account = SellerId::of(&seller.user_id);
    let live = listed(&store, &seller, &shoes, &[(&sku("LIVE"), 1000, "USD", 1)]).await;
    let g = group("late-1", &[(&sku("LATE"), 1000, 3)]);
    let (created, _) = plan_for(&store, &seller, &g).await;

    shop::services::sellers::act(
        &store,
        &caller(&[shop::domain::auth::Role::Admin]),
        &account,
        shop::domain::seller::SellerAction::Suspend,
    )
    .await
    .unwrap();

    let refused = store.write_import_packs(&account, &[&created]).await;
    assert!(
        matches!(refused, Err(shop::ShopError::Forbidden(_))),
        "{refused:?}"
    );
    let alone = store.write_import(&account, &created).await;
    assert!(
        matches!(alone, Err(shop::ShopError::Forbidden(_))),
        "{alone:?}"
    );
    let id = ProductId::for_import(&seller.user_id, &g.handle);
    assert!(
        store.get_product(&id).await.unwrap().is_none(),
        "nothing written"
    );

    // The API's writes, past the service's own check (as a request in flight would be).
    let (product, variants) = store.get_product(&live.id).await.unwrap().unwrap();
    let by = shop::store::WrittenBy::Seller(account.clone());
    let edit = store.update_product(&product, product.version, &by).await;
    assert!(
        matches!(edit, Err(shop::ShopError::Forbidden(_))),
        "{edit:?}"
    );
    let delete = store.delete_product(&product, &variants, &by).await;
    assert!(
        matches!(delete, Err(shop::ShopError::Forbidden(_))),
        "{delete:?}"
    );
    // An administrator's moderation still writes.
    store
        .update_product(&product, product.version, &shop::store::WrittenBy::Admin)
        .await
        .unwrap();
}
