//! Recommendations: counting each confirmed order's co-purchases (the order stream's
//! reader queues the order; `count-co-purchases` counts it), a product's "bought
//! together" list, and a customer's recommendations. Who may call: counting, the queue
//! only; `GET /products/{id}/related`, anyone; `GET /me/recommendations`, a signed-in
//! customer, for themselves.

use std::collections::BTreeSet;

use futures_util::future::join_all;
use serde::Serialize;

use crate::clock::unix_now;
use crate::domain::auth::Caller;
use crate::domain::catalog::{availability, Availability, ProductSummary};
use crate::domain::error::ShopError;
use crate::domain::ids::{CategoryId, OrderId, ProductId};
use crate::domain::recommend::{
    merge_top, products_counted, rank, Candidate, Ranked, Reason, MAX_RECOMMENDATIONS, TOP_N,
};
use crate::store::{keys, Store};

/// Attempts at a top list's conditional write while other orders merge into it.
const MERGE_ATTEMPTS: u32 = 8;
/// A customer's orders the recommendations look at: their newest 50.
const ORDERS_CONSIDERED: i32 = 50;

/// What counting an order did: the figures `infra/bench/copurchase.py` reports.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CountReport {
    pub products: usize,
    /// `false` when the order had been counted before (a redelivered message).
    pub counted: bool,
    /// Items the counting transaction wrote: the marker, the pair counts, the order counts.
    pub counts_written: usize,
    /// Top lists rewritten (a list a merge leaves as it was is not written).
    pub lists_written: usize,
}

impl CountReport {
    pub fn items_written(&self) -> usize {
        self.counts_written + self.lists_written
    }
}

/// Merges `updates` into the top list at `pk`; whether it was written.
async fn merge_into(store: &Store, pk: String, updates: &[Ranked]) -> Result<bool, ShopError> {
    for _ in 0..MERGE_ATTEMPTS {
        let list = store.top_list(pk.clone()).await?;
        let merged = merge_top(&list.items, updates, TOP_N);
        if merged == list.items {
            return Ok(false);
        }
        if store
            .put_top_list(pk.clone(), &merged, list.version)
            .await?
        {
            return Ok(true);
        }
    }
    Err(ShopError::Unavailable(format!(
        "top list {pk} kept changing; the message is retried"
    )))
}

/// Counts a confirmed order's co-purchases once, then brings every list it touches up
/// to date (also when it was counted before: a merge that failed the first time is
/// finished by the message's redelivery).
pub async fn count_order(store: &Store, order_id: &OrderId) -> Result<CountReport, ShopError> {
    let Some(order) = store.get_order(order_id).await? else {
        // Orders are never deleted: a message naming none was not sent by the stream's
        // reader, and retrying it would never count anything.
        tracing::warn!(%order_id, "no such order to count");
        return Ok(CountReport::default());
    };
    let products = products_counted(order.lines.iter().map(|l| &l.product_id));
    let mut report = CountReport {
        products: products.len(),
        ..Default::default()
    };
    if products.is_empty() {
        return Ok(report);
    }
    report.counted = store
        .count_copurchases(order_id, &products, unix_now())
        .await?;
    if report.counted {
        let p = products.len();
        report.counts_written = 1 + p * (p - 1) + p;
    }
    for a in &products {
        let others: Vec<ProductId> = products.iter().filter(|b| *b != a).cloned().collect();
        if others.is_empty() {
            continue;
        }
        let counts = store.pair_counts(a, &others).await?;
        if merge_into(store, keys::related_pk(a), &counts).await? {
            report.lists_written += 1;
        }
    }
    let counts = store.order_counts(&products).await?;
    let catalog = store.products(&products).await?;
    let categories: BTreeSet<&CategoryId> = catalog.iter().map(|p| &p.category_id).collect();
    for category in categories {
        let in_category: Vec<Ranked> = counts
            .iter()
            .filter(|c| {
                catalog
                    .iter()
                    .any(|p| p.id == c.product_id && &p.category_id == category)
            })
            .cloned()
            .collect();
        if merge_into(store, keys::popular_pk(category.as_str()), &in_category).await? {
            report.lists_written += 1;
        }
    }
    if merge_into(store, keys::popular_pk(keys::POPULAR_EVERYWHERE), &counts).await? {
        report.lists_written += 1;
    }
    Ok(report)
}

/// A product recommended, and why.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Recommendation {
    #[serde(flatten)]
    pub product: ProductSummary,
    pub reason: Reason,
    /// How many counted orders back it (held both products, or held it).
    pub score: u64,
}

/// The candidates a shopper may buy now (active, with a unit in stock), in order, at most
/// `limit`. Read `limit` at a time: most candidates can be sold, so the first reads
/// usually fill the answer and the rest are never read.
async fn sellable(
    store: &Store,
    candidates: Vec<Candidate>,
    limit: usize,
) -> Result<Vec<Recommendation>, ShopError> {
    let mut out = Vec::new();
    for chunk in candidates.chunks(limit.max(1)) {
        let reads = join_all(chunk.iter().map(|c| store.get_product(&c.product_id))).await;
        for (candidate, read) in chunk.iter().zip(reads) {
            if let Some((product, variants)) = read? {
                if availability(product.status, &variants) == Availability::Active {
                    out.push(Recommendation {
                        product: product.summary(),
                        reason: candidate.reason,
                        score: candidate.score,
                    });
                }
            }
            if out.len() == limit {
                return Ok(out);
            }
        }
    }
    Ok(out)
}

/// `GET /products/{id}/related`: bought together with it, sellable ones only.
pub async fn related(store: &Store, product: &ProductId) -> Result<Vec<Recommendation>, ShopError> {
    crate::services::catalog::get_product(store, product).await?;
    let list = store.top_list(keys::related_pk(product)).await?;
    let candidates = list
        .items
        .into_iter()
        .map(|r| Candidate {
            product_id: r.product_id,
            reason: Reason::BoughtTogether,
            score: r.count,
        })
        .collect();
    sellable(store, candidates, TOP_N).await
}

/// `GET /me/recommendations?category=`: from what the customer bought and wishes for,
/// through the partner lists; without history (or nothing sellable there), the most
/// ordered products of `category` (or of the shop).
pub async fn for_customer(
    store: &Store,
    caller: &Caller,
    category: Option<&CategoryId>,
) -> Result<Vec<Recommendation>, ShopError> {
    let (orders, wishlist) = tokio::try_join!(
        store.customer_orders(&caller.user_id, None, ORDERS_CONSIDERED, None),
        store.wishlist(&caller.user_id)
    )?;
    let bought: Vec<ProductId> = orders
        .items
        .iter()
        .filter(|o| o.status.is_paid())
        .flat_map(|o| o.lines.iter().map(|l| l.product_id.clone()))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let wished: Vec<ProductId> = wishlist.into_iter().map(|w| w.product_id).collect();
    let lists = store
        .top_lists(
            bought
                .iter()
                .chain(wished.iter())
                .map(keys::related_pk)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        )
        .await?;
    let partners = |ids: &[ProductId]| -> Vec<(ProductId, Vec<Ranked>)> {
        ids.iter()
            .map(|id| {
                let pk = keys::related_pk(id);
                let items = lists
                    .iter()
                    .find(|(k, _)| *k == pk)
                    .map(|(_, l)| l.items.clone())
                    .unwrap_or_default();
                (id.clone(), items)
            })
            .collect()
    };
    let mut candidates = rank(&partners(&bought), &partners(&wished));
    candidates.retain(|c| !wished.contains(&c.product_id));
    let personal = sellable(store, candidates, MAX_RECOMMENDATIONS).await?;
    if !personal.is_empty() {
        return Ok(personal);
    }
    let pk = keys::popular_pk(category.map_or(keys::POPULAR_EVERYWHERE, |c| c.as_str()));
    let popular = store
        .top_list(pk)
        .await?
        .items
        .into_iter()
        .filter(|r| !bought.contains(&r.product_id))
        .map(|r| Candidate {
            product_id: r.product_id,
            reason: Reason::Popular,
            score: r.count,
        })
        .collect();
    sellable(store, popular, MAX_RECOMMENDATIONS).await
}
