//! What an imported product means for the table: compared with what is stored, a
//! product is created, updated (only its changed and new variants are written), left
//! alone, or refused. Importing a file twice therefore writes nothing the second time.

use super::group::ProductGroup;
use crate::domain::catalog::{price_from, ListingHold, Product, ProductStatus, Variant};
use crate::domain::ids::{ProductId, Sku, UserId};

/// What became of one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowOutcome {
    Created,
    Updated,
    Unchanged,
    Rejected,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// The table already holds what the file says.
    Unchanged,
    Create {
        product: Product,
        variants: Vec<Variant>,
    },
    /// The product's next record, and the variants to write: new ones (whose SKUs are
    /// claimed in `new_skus`) and changed ones. Stock is `onHand`; `reserved` is the store's.
    Update {
        product: Product,
        expected_version: u64,
        variants: Vec<Variant>,
        new_skus: Vec<Sku>,
    },
    /// The stored product refuses these rows: (column, reason).
    Refused {
        column: &'static str,
        reason: String,
    },
}

impl Plan {
    /// The product record a plan writes, if it writes one.
    pub fn product(&self) -> Option<&Product> {
        match self {
            Plan::Create { product, .. } | Plan::Update { product, .. } => Some(product),
            Plan::Unchanged | Plan::Refused { .. } => None,
        }
    }
}

/// The plan for `group`, imported by `seller` as product `id`, against what is stored,
/// and each row's outcome if it is carried out (parallel to `group.lines`).
pub fn plan(
    group: &ProductGroup,
    id: &ProductId,
    seller: &UserId,
    current: Option<(&Product, &[Variant])>,
    now: &str,
) -> (Plan, Vec<RowOutcome>) {
    let draft = &group.product;
    let rows = group.lines.len();
    let Some((stored, stored_variants)) = current else {
        let variants: Vec<Variant> = draft
            .variants
            .iter()
            .map(|d| variant(id, d, None))
            .collect();
        let product = Product {
            id: id.clone(),
            seller_id: seller.clone(),
            name: draft.name.clone(),
            description: draft.description.clone(),
            brand: draft.brand.clone(),
            category_id: draft.category_id.clone(),
            status: draft.status,
            rating: Default::default(),
            created_at: now.to_owned(),
            updated_at: now.to_owned(),
            price_from: price_from(&variants),
            version: 1,
            hold: None,
        };
        return (
            Plan::Create { product, variants },
            vec![RowOutcome::Created; rows],
        );
    };
    let refuse = |column, reason: &str| {
        (
            Plan::Refused {
                column,
                reason: reason.to_owned(),
            },
            vec![RowOutcome::Rejected; rows],
        )
    };
    if stored.seller_id != *seller {
        return refuse("handle", "names another seller's product");
    }
    if let (Some(hold), ProductStatus::Active) = (stored.hold, draft.status) {
        return refuse(
            "status",
            match hold {
                ListingHold::Moderation => "an administrator took this listing down",
                ListingHold::SellerSuspended => {
                    "the listing was withdrawn with the seller's suspension"
                }
            },
        );
    }
    if let Some(other) = stored_variants
        .iter()
        .find(|v| v.price.currency != draft.variants[0].price.currency)
    {
        return refuse(
            "currency",
            &format!(
                "must match the product's other variants ({})",
                other.price.currency
            ),
        );
    }
    let fields_changed = stored.name != draft.name
        || stored.description != draft.description
        || stored.brand != draft.brand
        || stored.category_id != draft.category_id
        || stored.status != draft.status;
    let mut outcomes = Vec::with_capacity(rows);
    let mut writes = Vec::new();
    let mut new_skus = Vec::new();
    let mut merged: Vec<Variant> = stored_variants.to_vec();
    for d in &draft.variants {
        match stored_variants.iter().position(|v| v.sku == d.sku) {
            None => {
                let v = variant(id, d, None);
                new_skus.push(v.sku.clone());
                merged.push(v.clone());
                writes.push(v);
                outcomes.push(RowOutcome::Created);
            }
            Some(i) => {
                let old = &stored_variants[i];
                let changed = old.attributes != d.attributes
                    || old.price != d.price
                    || old.sale_price != d.sale_price
                    || old.on_hand != d.on_hand;
                if changed {
                    let v = variant(id, d, Some(old));
                    merged[i] = v.clone();
                    writes.push(v);
                }
                outcomes.push(if changed || fields_changed {
                    RowOutcome::Updated
                } else {
                    RowOutcome::Unchanged
                });
            }
        }
    }
    let new_count = merged.len();
    if new_count > crate::domain::catalog::input_limits::MAX_VARIANTS {
        return refuse("sku", "the product would hold more variants than allowed");
    }
    if writes.is_empty() && !fields_changed {
        return (Plan::Unchanged, outcomes);
    }
    let product = Product {
        name: draft.name.clone(),
        description: draft.description.clone(),
        brand: draft.brand.clone(),
        category_id: draft.category_id.clone(),
        status: draft.status,
        updated_at: now.to_owned(),
        price_from: price_from(&merged),
        version: stored.version + 1,
        ..stored.clone()
    };
    (
        Plan::Update {
            product,
            expected_version: stored.version,
            variants: writes,
            new_skus,
        },
        outcomes,
    )
}

fn variant(
    id: &ProductId,
    d: &crate::domain::catalog::VariantDraft,
    old: Option<&Variant>,
) -> Variant {
    Variant {
        product_id: id.clone(),
        sku: d.sku.clone(),
        attributes: d.attributes.clone(),
        price: d.price,
        sale_price: d.sale_price,
        on_hand: d.on_hand,
        reserved: old.map_or(0, |v| v.reserved),
        version: old.map_or(1, |v| v.version + 1),
        rev: old.map_or(0, |v| v.rev),
        // An import row has no stock rules: the variant keeps its seller's.
        low_stock_threshold: old.and_then(|v| v.low_stock_threshold),
        reorder_quantity: old.and_then(|v| v.reorder_quantity),
        low_stock_since: old.and_then(|v| v.low_stock_since.clone()),
        low_stock_alerts: old.map_or(0, |v| v.low_stock_alerts),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::row::RowInput;
    use crate::domain::import::Batcher;

    fn group(rows: &[(&str, i64, i64)], name: &str) -> ProductGroup {
        let mut b = Batcher::new(10);
        for (i, (sku, price, on_hand)) in rows.iter().enumerate() {
            let row = RowInput {
                handle: "h".into(),
                name: name.into(),
                brand: "Acme".into(),
                category_id: "shoes".into(),
                sku: (*sku).into(),
                price: *price,
                currency: "USD".into(),
                on_hand: *on_hand,
                ..RowInput::default()
            };
            b.push(row.check(i as u64 + 2).unwrap()).unwrap();
        }
        b.finish().remove(0).groups.remove(0)
    }

    fn stored(g: &ProductGroup, seller: &UserId) -> (Product, Vec<Variant>) {
        let id = ProductId::parse("p").unwrap();
        match plan(g, &id, seller, None, "t0").0 {
            Plan::Create { product, variants } => (product, variants),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_new_product_is_created_whole() {
        let seller = UserId::parse("u").unwrap();
        let g = group(&[("A", 1000, 1), ("B", 900, 2)], "Shoe");
        let (p, vs) = stored(&g, &seller);
        assert_eq!(
            (p.version, p.price_from.unwrap().amount, vs.len()),
            (1, 900, 2)
        );
    }

    #[test]
    fn the_same_rows_again_write_nothing() {
        let seller = UserId::parse("u").unwrap();
        let g = group(&[("A", 1000, 1), ("B", 900, 2)], "Shoe");
        let (p, vs) = stored(&g, &seller);
        let (plan, outcomes) = plan(&g, &p.id, &seller, Some((&p, &vs)), "t1");
        assert_eq!(plan, Plan::Unchanged);
        assert_eq!(outcomes, [RowOutcome::Unchanged; 2]);
    }

    #[test]
    fn only_changed_and_new_variants_are_written_and_reservations_kept() {
        let seller = UserId::parse("u").unwrap();
        let (p, mut vs) = stored(&group(&[("A", 1000, 5), ("B", 900, 2)], "Shoe"), &seller);
        vs[0].reserved = 3;
        let g = group(&[("A", 1000, 7), ("B", 900, 2), ("C", 500, 1)], "Shoe");
        let (plan, outcomes) = plan(&g, &p.id, &seller, Some((&p, &vs)), "t1");
        assert_eq!(
            outcomes,
            [
                RowOutcome::Updated,
                RowOutcome::Unchanged,
                RowOutcome::Created
            ]
        );
        match plan {
            Plan::Update {
                product,
                expected_version,
                variants,
                new_skus,
            } => {
                assert_eq!((expected_version, product.version), (1, 2));
                assert_eq!(product.price_from.unwrap().amount, 500);
                let written: Vec<_> = variants
                    .iter()
                    .map(|v| (v.sku.as_str(), v.on_hand, v.reserved))
                    .collect();
                assert_eq!(written, [("A", 7, 3), ("C", 1, 0)]);
                assert_eq!(new_skus, [Sku::parse("C").unwrap()]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_renamed_product_updates_every_row_and_a_held_one_refuses_activation() {
        let seller = UserId::parse("u").unwrap();
        let (mut p, vs) = stored(&group(&[("A", 1000, 5)], "Shoe"), &seller);
        let renamed = group(&[("A", 1000, 5)], "Better Shoe");
        let (plan1, outcomes) = plan(&renamed, &p.id, &seller, Some((&p, &vs)), "t1");
        assert!(matches!(plan1, Plan::Update { ref variants, .. } if variants.is_empty()));
        assert_eq!(outcomes, [RowOutcome::Updated]);
        p.hold = Some(ListingHold::Moderation);
        p.status = ProductStatus::Inactive;
        let (refused, outcomes) = plan(&renamed, &p.id, &seller, Some((&p, &vs)), "t1");
        assert!(matches!(
            refused,
            Plan::Refused {
                column: "status",
                ..
            }
        ));
        assert_eq!(outcomes, [RowOutcome::Rejected]);
        let other = UserId::parse("v").unwrap();
        let (foreign, _) = plan(&renamed, &p.id, &other, Some((&p, &vs)), "t1");
        assert!(matches!(
            foreign,
            Plan::Refused {
                column: "handle",
                ..
            }
        ));
    }
}
