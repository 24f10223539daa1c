//! Recommendations from co-purchases ("customers who bought this also bought"): item to
//! item, as Amazon's are. Each confirmed order counts, once, every ordered pair of its
//! products, and how many orders held each product; each product keeps its top
//! [`TOP_N`] partners, each category (and the shop) its top [`TOP_N`] products by orders.
//! Pure: which products an order counts, the pairs, how a top list takes new counts,
//! and how a customer's recommendations are ranked.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::domain::ids::ProductId;

/// Partners kept per product, and products kept per popularity list.
pub const TOP_N: usize = 20;
/// Distinct products of one order that are counted (its first ones, in line order): an
/// order of 8 products writes 8 × 7 = 56 pair counts, so one order's work is bounded
/// (and fits one transaction with its marker and order counts: 1 + 56 + 8 = 65 of 100).
pub const MAX_PRODUCTS_COUNTED: usize = 8;
/// Most recommendations in one answer.
pub const MAX_RECOMMENDATIONS: usize = 20;

/// A product and how often it was bought (with another, or at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Ranked {
    pub product_id: ProductId,
    pub count: u64,
}

/// The distinct products an order counts: the first [`MAX_PRODUCTS_COUNTED`], in line order.
pub fn products_counted<'a>(lines: impl IntoIterator<Item = &'a ProductId>) -> Vec<ProductId> {
    let mut out: Vec<ProductId> = Vec::new();
    for id in lines {
        if out.len() == MAX_PRODUCTS_COUNTED {
            break;
        }
        if !out.contains(id) {
            out.push(id.clone());
        }
    }
    out
}

/// Every ordered pair (a, b), a ≠ b: each product's count of the other.
pub fn pairs(products: &[ProductId]) -> Vec<(ProductId, ProductId)> {
    let mut out = Vec::with_capacity(products.len() * products.len().saturating_sub(1));
    for a in products {
        for b in products.iter().filter(|b| *b != a) {
            out.push((a.clone(), b.clone()));
        }
    }
    out
}

fn order(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.count
        .cmp(&a.count)
        .then_with(|| a.product_id.cmp(&b.product_id))
}

/// `current` with `updates` (new counts, which only ever grow) taken in: most counted
/// first (equal counts by id), at most `n`. A product outside the list enters when its
/// new count beats the last; as every count changes only through an order, which brings
/// its update here, the list stays the exact top `n`.
pub fn merge_top(current: &[Ranked], updates: &[Ranked], n: usize) -> Vec<Ranked> {
    let mut by_id: HashMap<&ProductId, u64> =
        current.iter().map(|r| (&r.product_id, r.count)).collect();
    for u in updates {
        let entry = by_id.entry(&u.product_id).or_insert(0);
        *entry = (*entry).max(u.count);
    }
    let mut merged: Vec<Ranked> = by_id
        .into_iter()
        .map(|(id, count)| Ranked {
            product_id: id.clone(),
            count,
        })
        .collect();
    merged.sort_by(order);
    merged.truncate(n);
    merged
}

/// Why a product is recommended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Bought together with something the customer bought.
    BoughtTogether,
    /// Bought together with something on the customer's wishlist.
    Wishlist,
    /// Among the most ordered (in a category, or the shop): the customer has no history.
    Popular,
}

/// A candidate before the catalog says whether it can be sold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub product_id: ProductId,
    pub reason: Reason,
    pub score: u64,
}

/// A customer's candidates from the partner lists of what they bought and what they
/// wish for: a product they bought is never one; a product reached twice keeps its best
/// score (a purchase's reason first on a tie); best first.
pub fn rank(
    bought: &[(ProductId, Vec<Ranked>)],
    wished: &[(ProductId, Vec<Ranked>)],
) -> Vec<Candidate> {
    let owned: Vec<&ProductId> = bought.iter().map(|(p, _)| p).collect();
    let mut best: HashMap<ProductId, Candidate> = HashMap::new();
    let sources = bought
        .iter()
        .map(|s| (s, Reason::BoughtTogether))
        .chain(wished.iter().map(|s| (s, Reason::Wishlist)));
    for ((_, partners), reason) in sources {
        for partner in partners {
            if owned.contains(&&partner.product_id) {
                continue;
            }
            let candidate = Candidate {
                product_id: partner.product_id.clone(),
                reason,
                score: partner.count,
            };
            best.entry(partner.product_id.clone())
                .and_modify(|c| {
                    if candidate.score > c.score {
                        *c = candidate.clone();
                    }
                })
                .or_insert(candidate);
        }
    }
    let mut out: Vec<Candidate> = best.into_values().collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.product_id.cmp(&b.product_id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(id: &str) -> ProductId {
        ProductId::parse(id).unwrap()
    }

    fn r(id: &str, count: u64) -> Ranked {
        Ranked {
            product_id: p(id),
            count,
        }
    }

    #[test]
    fn an_order_counts_its_first_distinct_products_only() {
        let lines: Vec<ProductId> = ["a", "b", "a", "c"].iter().map(|s| p(s)).collect();
        assert_eq!(products_counted(&lines), [p("a"), p("b"), p("c")]);
        let many: Vec<ProductId> = (0..25).map(|i| p(&format!("p{i}"))).collect();
        let counted = products_counted(&many);
        assert_eq!(counted.len(), MAX_PRODUCTS_COUNTED);
        assert_eq!(counted[0], p("p0"));
        assert_eq!(pairs(&counted).len(), 56);
        assert_eq!(pairs(&[p("a")]).len(), 0);
        assert_eq!(
            pairs(&[p("a"), p("b")]),
            [(p("a"), p("b")), (p("b"), p("a"))]
        );
    }

    #[test]
    fn a_top_list_takes_new_counts_and_keeps_the_best_n() {
        let current = vec![r("a", 5), r("b", 3), r("c", 1)];
        let merged = merge_top(&current, &[r("d", 4), r("c", 2)], 3);
        assert_eq!(merged, [r("a", 5), r("d", 4), r("b", 3)]);
        // An older (smaller) count never lowers one; ties go by id.
        assert_eq!(merge_top(&merged, &[r("a", 1)], 3)[0], r("a", 5));
        assert_eq!(
            merge_top(&[], &[r("y", 2), r("x", 2)], 5),
            [r("x", 2), r("y", 2)]
        );
    }

    #[test]
    fn recommendations_leave_out_what_was_bought_and_keep_each_products_best_reason() {
        let bought = vec![
            (p("shoe"), vec![r("sock", 9), r("lace", 2), r("hat", 1)]),
            (p("hat"), vec![r("shoe", 4)]),
        ];
        let wished = vec![(p("tent"), vec![r("pole", 5), r("lace", 3), r("shoe", 7)])];
        let ranked = rank(&bought, &wished);
        let got: Vec<(&str, Reason, u64)> = ranked
            .iter()
            .map(|c| (c.product_id.as_str(), c.reason, c.score))
            .collect();
        assert_eq!(
            got,
            [
                ("sock", Reason::BoughtTogether, 9),
                ("pole", Reason::Wishlist, 5),
                ("lace", Reason::Wishlist, 3),
            ]
        );
        assert!(rank(&[], &[]).is_empty());
    }
}
