//! Co-purchase counts and recommendations against DynamoDB Local: an order counts once,
//! its work is bounded (items written at 5 and 25 lines), related lists leave out what
//! cannot be bought, and a customer without history gets the popular products.

use shop::domain::auth::{Caller, Role};
use shop::domain::ids::{OrderId, ProductId};
use shop::domain::order::PendingLimits;
use shop::domain::recommend::{Reason, MAX_PRODUCTS_COUNTED};
use shop::services::checkout;
use shop::services::recommend as svc;
use shop::store::{keys, Store};

use crate::support::*;

/// `n` new products of the bench's seller, each with one variant of `stock` units.
async fn products(b: &Bench, n: usize, stock: i64) -> Vec<(ProductId, String)> {
    let mut out = Vec::new();
    for _ in 0..n {
        let s = sku("REC");
        let view = listed(&b.store, &b.seller, &b.shoes, &[(&s, 1_000, "USD", stock)]).await;
        out.push((view.id, s));
    }
    out
}

async fn order(store: &Store, who: &Caller, items: &[(ProductId, String)]) -> OrderId {
    let lines: Vec<(&str, u32)> = items.iter().map(|(_, s)| (s.as_str(), 1)).collect();
    crate::orders::place(store, who, &lines, PendingLimits::default())
        .await
        .unwrap()
        .order_id
}

#[tokio::test]
async fn an_order_counts_once_and_its_work_is_bounded() {
    let b = bench().await;
    let five = products(&b, 5, 10).await;
    let id = order(&b.store, &b.shopper, &five).await;
    let first = svc::count_order(&b.store, &id).await.unwrap();
    assert!(first.counted);
    // The marker, 5 × 4 pair counts and 5 order counts; 5 partner lists, the category's
    // list and the shop's.
    assert_eq!((first.counts_written, first.lists_written), (26, 7));
    let again = svc::count_order(&b.store, &id).await.unwrap();
    assert_eq!(
        (again.counted, again.items_written()),
        (false, 0),
        "a redelivery counts nothing"
    );
    let counts = b
        .store
        .pair_counts(&five[0].0, &[five[1].0.clone()])
        .await
        .unwrap();
    assert_eq!(counts[0].count, 1);

    let many = products(&b, 25, 10).await;
    let big = order(&b.store, &b.shopper, &many).await;
    let report = svc::count_order(&b.store, &big).await.unwrap();
    assert_eq!(report.products, MAX_PRODUCTS_COUNTED);
    assert_eq!(report.counts_written, 1 + 8 * 7 + 8);
    let uncounted = b
        .store
        .pair_counts(&many[0].0, &[many[20].0.clone()])
        .await
        .unwrap();
    assert!(
        uncounted.is_empty(),
        "products past the cap are not counted"
    );
}

#[tokio::test]
async fn related_products_rank_by_orders_and_leave_out_what_cannot_be_bought() {
    let b = bench().await;
    let p = products(&b, 4, 10).await;
    let sold_out = products(&b, 1, 1).await;
    let (shoe, sock, lace, tent) = (&p[0], &p[1], &p[2], &p[3]);
    // shoe+sock twice, shoe+lace once, shoe+tent once, shoe+sold_out once.
    for items in [
        vec![shoe.clone(), sock.clone()],
        vec![shoe.clone(), sock.clone(), lace.clone()],
        vec![shoe.clone(), tent.clone(), sold_out[0].clone()],
    ] {
        let who = caller(&[Role::Customer]);
        let id = order(&b.store, &who, &items).await;
        svc::count_order(&b.store, &id).await.unwrap();
    }
    // The sold-out product's one unit is reserved by that order; the tent goes off sale.
    shop::services::catalog::deactivate_product(&b.store, &caller(&[Role::Admin]), &tent.0)
        .await
        .unwrap();
    let related = svc::related(&b.store, &shoe.0).await.unwrap();
    let got: Vec<(&ProductId, u64)> = related.iter().map(|r| (&r.product.id, r.score)).collect();
    assert_eq!(got, [(&sock.0, 2), (&lace.0, 1)]);
    assert!(related.iter().all(|r| r.reason == Reason::BoughtTogether));

    // A customer who bought the shoe is offered the sock, never the shoe; a new customer
    // is offered the most ordered products.
    let buyer = caller(&[Role::Customer]);
    let id = order(&b.store, &buyer, std::slice::from_ref(shoe)).await;
    let gateway = crate::fake_gateway::FakeGateway::default();
    checkout::start_payment(&b.store, &gateway, &id, "token")
        .await
        .unwrap();
    checkout::confirm(&b.store, &gateway, &id, Some("pi_1"))
        .await
        .unwrap();
    let mine = svc::for_customer(&b.store, &buyer, None).await.unwrap();
    assert_eq!(mine[0].product.id, sock.0);
    assert!(mine
        .iter()
        .all(|r| r.product.id != shoe.0 && r.reason == Reason::BoughtTogether));
    let newcomer = caller(&[Role::Customer]);
    let popular = svc::for_customer(&b.store, &newcomer, None).await.unwrap();
    assert_eq!(popular[0].product.id, shoe.0, "in every counted order");
    assert!(popular.iter().all(|r| r.reason == Reason::Popular));
    assert!(popular
        .iter()
        .all(|r| r.product.id != tent.0 && r.product.id != sold_out[0].0));
    let in_category = svc::for_customer(&b.store, &newcomer, Some(&b.shoes))
        .await
        .unwrap();
    assert_eq!(in_category[0].product.id, shoe.0);
    let empty = b
        .store
        .top_list(keys::popular_pk("no-such-category"))
        .await
        .unwrap();
    assert!(empty.items.is_empty());
}
