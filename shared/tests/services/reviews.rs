//! Reviews against DynamoDB Local: only a buyer whose shipment was delivered may review;
//! the automatic pass; and the product's summary exact under concurrent approvals,
//! rejections and edits (recomputed from the reviews and compared).

use serde_json::json;
use shop::domain::auth::{Caller, Role};
use shop::domain::ids::ProductId;
use shop::domain::reviews::{
    moderation, Content, Review, ReviewId, ReviewInput, ReviewSort, ReviewStatus, Stars,
};
use shop::services::reviews as svc;
use shop::store::{keys, ReviewWrite, Store};
use shop::ShopError;

use crate::fulfilment::two_sellers;
use crate::returns::delivered;
use crate::support::*;

fn content(stars: i64, body: &str) -> Content {
    serde_json::from_value::<ReviewInput>(
        json!({"rating": stars, "title": "My view", "body": body}),
    )
    .unwrap()
    .parse()
    .unwrap()
}

const CLEAN: &str = "Comfortable from the first day, and the sole grips on wet rock.";

async fn product_rating(store: &Store, id: &ProductId) -> shop::domain::catalog::RatingSummary {
    store.get_product(id).await.unwrap().unwrap().0.rating
}

/// Every review of the product, read from its partition, and the summary they make.
async fn recomputed(store: &Store, id: &ProductId) -> (Vec<Review>, [u64; 5]) {
    let out = store
        .client()
        .query()
        .table_name(store.table())
        .key_condition_expression("PK = :pk AND begins_with(SK, :r)")
        .expression_attribute_values(
            ":pk",
            aws_sdk_dynamodb::types::AttributeValue::S(keys::product_reviews_pk(id)),
        )
        .expression_attribute_values(
            ":r",
            aws_sdk_dynamodb::types::AttributeValue::S(keys::REVIEW_PREFIX.into()),
        )
        .consistent_read(true)
        .send()
        .await
        .unwrap();
    let reviews: Vec<Review> = out
        .items
        .unwrap_or_default()
        .into_iter()
        .map(|i| shop::store::from_item(i).unwrap())
        .collect();
    let mut histogram = [0u64; 5];
    for r in reviews
        .iter()
        .filter(|r| r.status == ReviewStatus::Approved)
    {
        histogram[usize::from(r.content.stars.get() - 1)] += 1;
    }
    (reviews, histogram)
}

#[tokio::test]
async fn only_a_buyer_with_a_delivered_shipment_may_review_and_a_clean_review_counts_at_once() {
    let t = two_sellers().await;
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    let product = order.lines[0].product_id.clone();
    let stranger = caller(&[Role::Customer]);
    // Paid but not delivered yet: not a verified buyer.
    let early = svc::submit(&t.store, &t.shopper, &product, content(5, CLEAN)).await;
    assert!(matches!(early, Err(ShopError::Forbidden(_))), "{early:?}");
    delivered(&t, 1).await;
    let err = svc::submit(&t.store, &stranger, &product, content(5, CLEAN)).await;
    assert!(matches!(err, Err(ShopError::Forbidden(_))), "{err:?}");

    let review = svc::submit(&t.store, &t.shopper, &product, content(4, CLEAN))
        .await
        .unwrap();
    assert_eq!(review.status, Some(ReviewStatus::Approved));
    let rating = product_rating(&t.store, &product).await;
    assert_eq!((rating.count, rating.total_stars, rating.stars4), (1, 4, 1));
    let again = svc::submit(&t.store, &t.shopper, &product, content(1, CLEAN)).await;
    assert!(matches!(again, Err(ShopError::Conflict(_))), "{again:?}");

    // An edit with a link waits for a moderator, out of the summary meanwhile.
    let held = svc::edit(
        &t.store,
        &t.shopper,
        &product,
        content(2, "Cheaper at https://example.net today!"),
    )
    .await
    .unwrap();
    assert_eq!(held.status, Some(ReviewStatus::Pending));
    assert_eq!(
        held.held_for.as_deref(),
        Some(&[moderation::LINK.to_owned()][..])
    );
    assert_eq!(product_rating(&t.store, &product).await.count, 0);
    let admin = caller(&[Role::Admin]);
    let id = ReviewId::of_product(&product, &t.shopper.user_id);
    let queue = svc::queue(&t.store, &admin, ReviewStatus::Pending, 50, None)
        .await
        .unwrap();
    assert!(queue.items.iter().any(|q| q.review.id == id.to_string()));
    assert!(matches!(
        svc::approve(&t.store, &t.shopper, &id).await,
        Err(ShopError::Forbidden(_))
    ));
    svc::approve(&t.store, &admin, &id).await.unwrap();
    let rating = product_rating(&t.store, &product).await;
    assert_eq!(
        (
            rating.count,
            rating.total_stars,
            rating.stars2,
            rating.stars4
        ),
        (1, 2, 1, 0)
    );
    let listed = svc::list(&t.store, &product, ReviewSort::Newest, None, 10, None)
        .await
        .unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.summary.histogram, [0, 1, 0, 0, 0]);
}

#[tokio::test]
async fn fifty_concurrent_approvals_rejections_and_edits_leave_an_exact_summary() {
    let t = two_sellers().await;
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    let product = order.lines[0].product_id.clone();
    let admin = caller(&[Role::Admin]);
    let authors: Vec<Caller> = (0..50).map(|_| caller(&[Role::Customer])).collect();
    // Fifty pending reviews (written as submission writes them: the purchase check is
    // the other test's subject).
    for (i, author) in authors.iter().enumerate() {
        let review = Review::submitted(
            ReviewId::of_product(&product, &author.user_id),
            author.user_id.clone(),
            "Ada L.".into(),
            content(1 + (i as i64 % 5), CLEAN),
            &shop::clock::now_sortable(),
        );
        assert_eq!(
            t.store.create_review(&review).await.unwrap(),
            ReviewWrite::Written
        );
    }
    // All at once: each review approved, and for some also rejected or edited (an edit
    // with clean text is approved again by the automatic pass).
    let ops = authors.iter().enumerate().flat_map(|(i, author)| {
        let id = ReviewId::of_product(&product, &author.user_id);
        let (store, admin, product) = (&t.store, &admin, &product);
        let approve = {
            let id = id.clone();
            Box::pin(async move { svc::approve(store, admin, &id).await.map(|_| ()) })
                as std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ShopError>>>>
        };
        let second: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), ShopError>>>> =
            match i % 3 {
                0 => Box::pin(async move {
                    svc::reject(store, admin, &id, "off-topic".into())
                        .await
                        .map(|_| ())
                }),
                1 => Box::pin(async move {
                    svc::edit(store, author, product, content(5 - (i as i64 % 5), CLEAN))
                        .await
                        .map(|_| ())
                }),
                _ => Box::pin(async move { svc::approve(store, admin, &id).await.map(|_| ()) }),
            };
        [approve, second]
    });
    let results = futures_util::future::join_all(ops).await;
    for err in results.iter().filter_map(|r| r.as_ref().err()) {
        // The losers of a race are told what they lost to: already decided, or moved.
        assert!(matches!(err, ShopError::Conflict(_)), "{err:?}");
    }
    let (reviews, histogram) = recomputed(&t.store, &product).await;
    assert_eq!(reviews.len(), 50);
    let rating = product_rating(&t.store, &product).await;
    assert_eq!(rating.histogram(), histogram, "summary {rating:?}");
    assert_eq!(rating.count, histogram.iter().sum::<u64>());
    let total: u64 = histogram
        .iter()
        .enumerate()
        .map(|(i, n)| (i as u64 + 1) * n)
        .sum();
    assert_eq!(rating.total_stars, total);
    for r in &reviews {
        let counted = (r.status == ReviewStatus::Approved).then_some(r.content.stars);
        assert_eq!(r.counted, counted, "{:?}", r.id);
    }
    assert!(rating.count > 0, "some reviews stayed approved");
    // The listing agrees with the summary.
    let mut seen = 0;
    let mut cursor = None;
    loop {
        let page = svc::list(
            &t.store,
            &product,
            ReviewSort::Rating,
            None,
            20,
            cursor.as_deref(),
        )
        .await
        .unwrap();
        seen += page.items.len();
        let stars: Vec<u8> = page.items.iter().map(|r| r.rating).collect();
        assert!(stars.windows(2).all(|w| w[0] >= w[1]), "{stars:?}");
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen as u64, rating.count);
    let fives = svc::list(
        &t.store,
        &product,
        ReviewSort::Helpful,
        Some(Stars::parse(5).unwrap()),
        50,
        None,
    )
    .await
    .unwrap();
    assert_eq!(fives.items.len() as u64, rating.stars5);
}

#[tokio::test]
async fn helpful_votes_count_once_per_voter_and_never_the_authors_own() {
    let t = two_sellers().await;
    let order = t.store.get_order(&t.order).await.unwrap().unwrap();
    let product = order.lines[0].product_id.clone();
    delivered(&t, 1).await;
    svc::submit(&t.store, &t.shopper, &product, content(5, CLEAN))
        .await
        .unwrap();
    let id = ReviewId::of_product(&product, &t.shopper.user_id);
    let voters: Vec<Caller> = (0..8).map(|_| caller(&[Role::Customer])).collect();
    // Each voter votes twice, all at once.
    let votes = voters
        .iter()
        .chain(voters.iter())
        .map(|v| svc::vote_helpful(&t.store, v, &id));
    let results = futures_util::future::join_all(votes).await;
    let counted = results
        .iter()
        .filter(|r| r.as_ref().is_ok_and(|v| v.counted))
        .count();
    assert_eq!(counted, 8, "{results:?}");
    let review = t.store.get_review(&id).await.unwrap().unwrap();
    assert_eq!(review.helpful, 8);
    assert!(matches!(
        svc::vote_helpful(&t.store, &t.shopper, &id).await,
        Err(ShopError::Forbidden(_))
    ));
    // Deleting the review takes its stars out of the summary.
    svc::delete(&t.store, &t.shopper, &id).await.unwrap();
    assert_eq!(product_rating(&t.store, &product).await.count, 0);
}
