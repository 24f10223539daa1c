//! Writing one imported product, row by row where the table refuses some.

use crate::clock::now_rfc3339;
use crate::domain::error::ShopError;
use crate::domain::ids::{ProductId, SellerId, UserId};
use crate::domain::import::{plan, Plan, ProductGroup, Rejection, RowOutcome};
use crate::store::{ImportRefusal, Store};

/// Tries of one product when its transaction meets a concurrent change.
const PRODUCT_TRIES: usize = 3;

/// Writes one imported product: plans it against what is stored and carries the plan
/// out; rows the table refuses (a SKU another product holds, stock below what checkouts
/// reserved) are rejected and the rest written. Each row's outcome, with its rejection.
pub(super) async fn write_product(
    store: &Store,
    seller: &UserId,
    mut group: ProductGroup,
) -> Result<Vec<(RowOutcome, Option<Rejection>)>, ShopError> {
    let id = ProductId::for_import(seller, &group.handle);
    let account = SellerId::of(seller);
    let mut rejected: Vec<(RowOutcome, Option<Rejection>)> = Vec::new();
    for _ in 0..PRODUCT_TRIES {
        let current = store.get_product(&id).await?;
        let current_ref = current.as_ref().map(|(p, vs)| (p, vs.as_slice()));
        let (plan, outcomes) = plan(&group, &id, seller, current_ref, &now_rfc3339());
        if let Plan::Refused { column, reason } = &plan {
            rejected.extend(group.lines.iter().map(|l| {
                (
                    RowOutcome::Rejected,
                    Some(Rejection::new(*l, column, reason)),
                )
            }));
            return Ok(rejected);
        }
        let refusal = match store.write_import(&account, &plan).await? {
            Ok(()) => {
                rejected.extend(outcomes.into_iter().map(|o| (o, None)));
                return Ok(rejected);
            }
            Err(refusal) => refusal,
        };
        let (skus, reason) = match refusal {
            ImportRefusal::UnknownCategory => {
                let reason = "is not a known category";
                rejected.extend(group.lines.iter().map(|l| {
                    (
                        RowOutcome::Rejected,
                        Some(Rejection::new(*l, "categoryId", reason)),
                    )
                }));
                return Ok(rejected);
            }
            ImportRefusal::Changed => continue,
            ImportRefusal::SkusTaken(skus) => (skus, "is already used by another product"),
            ImportRefusal::BelowReserved(skus) => {
                (skus, "onHand is below the units reserved by open checkouts")
            }
        };
        // Drop the refused rows and write the rest.
        let mut variants = Vec::new();
        let mut lines = Vec::new();
        for (v, line) in group.product.variants.into_iter().zip(group.lines) {
            if skus.contains(&v.sku) {
                let column = if reason.starts_with("onHand") {
                    "onHand"
                } else {
                    "sku"
                };
                rejected.push((
                    RowOutcome::Rejected,
                    Some(Rejection::new(line, column, reason)),
                ));
            } else {
                variants.push(v);
                lines.push(line);
            }
        }
        if variants.is_empty() {
            return Ok(rejected);
        }
        group.product.variants = variants;
        group.lines = lines;
    }
    Err(ShopError::Unavailable(format!(
        "product {id} kept changing while it was imported"
    )))
}
