//! Catalog imports: their records (in the seller account's partition, so a seller only
//! ever reads its own), and the writes an imported product needs.

use aws_sdk_dynamodb::types::{ReturnValue, TransactWriteItem};

use super::catalog_writes::seller_not_approved;
use super::cursor::Index;
use super::keys;
use super::{
    conditional, from_item, key, n, s, to_item, updated, value, Item, Page, Read, Store, TxOutcome,
};
use crate::domain::error::ShopError;
use crate::domain::ids::{ImportId, SellerId, Sku};
use crate::domain::import::{Import, ImportCounts, ImportStatus, Plan};

/// What an action of an imported product's transaction is about: (the SKU, whether it
/// is the SKU's claim); `None` for the product itself and its category.
type About<'p> = Option<(&'p Sku, bool)>;

/// The most actions of one transaction (DynamoDB's limit).
pub const MAX_PACK_ACTIONS: usize = 100;

/// Why an imported product's transaction was refused, as far as it concerns rows.
#[derive(Debug, PartialEq, Eq)]
pub enum ImportRefusal {
    UnknownCategory,
    /// These SKUs are claimed by other products.
    SkusTaken(Vec<Sku>),
    /// These variants' `onHand` would fall below the units checkouts reserved.
    BelowReserved(Vec<Sku>),
    /// The product changed since it was read (or a concurrent transaction touched it).
    Changed,
}

fn import_item(import: &Import) -> Result<Item, ShopError> {
    to_item(
        import,
        keys::seller_account_pk(&import.seller_id),
        keys::import_sk(&import.id),
        "import",
    )
}

impl Store {
    pub async fn create_import(&self, import: &Import) -> Result<(), ShopError> {
        if self.put_if_absent(import_item(import)?).await? {
            Ok(())
        } else {
            Err(ShopError::Conflict("the import exists".into()))
        }
    }

    pub async fn get_import(
        &self,
        seller: &SellerId,
        id: &ImportId,
    ) -> Result<Option<Import>, ShopError> {
        self.read(
            key(keys::seller_account_pk(seller), keys::import_sk(id)),
            Read::Consistent,
        )
        .await
    }

    /// A seller's imports, newest first.
    pub async fn list_imports(
        &self,
        seller: &SellerId,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Page<Import>, ShopError> {
        self.index_page(
            Index::Table,
            keys::seller_account_pk(seller),
            Some(keys::IMPORT_PREFIX),
            false,
            limit,
            cursor,
            None,
        )
        .await?
        .map(from_item)
    }

    /// Starts run `run_id` of the upload with `etag`: from `waiting_upload`, or again when
    /// a run of the same upload died (claimed before `stale_before`, Unix seconds) and fewer
    /// than `max_attempts` runs were made. `None` when the import is not to be run now
    /// (finished, running, or another upload's).
    #[allow(clippy::too_many_arguments)]
    pub async fn claim_import(
        &self,
        seller: &SellerId,
        id: &ImportId,
        etag: &str,
        now: &str,
        now_unix: i64,
        run_id: &str,
        max_attempts: u32,
        stale_before: i64,
    ) -> Result<Option<Import>, ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(
                keys::seller_account_pk(seller),
                keys::import_sk(id),
            )))
            .update_expression(
                "SET #status = :running, sourceEtag = :etag, startedAt = :now, runId = :run, \
                 claimedAt = :nowUnix ADD attempts :one",
            )
            .condition_expression(
                "#status = :waiting OR (#status = :running AND sourceEtag = :etag \
                 AND attempts < :max AND claimedAt < :stale)",
            )
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":running", value(&ImportStatus::Running)?)
            .expression_attribute_values(":waiting", value(&ImportStatus::WaitingUpload)?)
            .expression_attribute_values(":etag", s(etag))
            .expression_attribute_values(":now", s(now))
            .expression_attribute_values(":nowUnix", n(now_unix))
            .expression_attribute_values(":run", s(run_id))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(max_attempts))
            .expression_attribute_values(":stale", n(stale_before))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        updated(result)
    }

    /// Records a running import's counts so far.
    pub async fn import_progress(
        &self,
        import: &Import,
        counts: &ImportCounts,
    ) -> Result<(), ShopError> {
        let result = self
            .client()
            .update_item()
            .table_name(self.table())
            .set_key(Some(key(
                keys::seller_account_pk(&import.seller_id),
                keys::import_sk(&import.id),
            )))
            .update_expression("SET counts = :counts")
            .condition_expression("#status = :running AND runId = :run")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":counts", value(counts)?)
            .expression_attribute_values(":running", value(&ImportStatus::Running)?)
            .expression_attribute_values(":run", s(import.run_id.as_deref().unwrap_or_default()))
            .send()
            .await;
        // Another run took the import over: its progress counts, not ours.
        conditional(result)?;
        Ok(())
    }

    /// Ends an import, done or failed, if its run (`finished.run_id`) still holds it;
    /// `false` when another run took it over.
    pub async fn finish_import(&self, finished: &Import) -> Result<bool, ShopError> {
        let result = self
            .client()
            .put_item()
            .table_name(self.table())
            .set_item(Some(import_item(finished)?))
            .condition_expression("runId = :run")
            .expression_attribute_values(":run", s(finished.run_id.as_deref().unwrap_or_default()))
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// The actions of one imported product's plan (without its category check), and
    /// what each is about: (the SKU, whether it is the SKU's claim).
    fn plan_actions<'p>(
        &self,
        plan: &'p Plan,
    ) -> Result<Vec<(TransactWriteItem, About<'p>)>, ShopError> {
        let mut out = Vec::new();
        match plan {
            Plan::Create { product, variants } => {
                out.push((self.product_create(product)?, None));
                for v in variants {
                    out.push((self.variant_create(v)?, Some((&v.sku, false))));
                    out.push((self.sku_claim(v)?, Some((&v.sku, true))));
                }
            }
            Plan::Update {
                product,
                expected_version,
                variants,
                new_skus,
            } => {
                out.push((
                    self.product_put_if_version(product, *expected_version)?,
                    None,
                ));
                for v in variants {
                    out.push((self.variant_upsert(v)?, Some((&v.sku, false))));
                }
                for v in variants.iter().filter(|v| new_skus.contains(&v.sku)) {
                    out.push((self.sku_claim(v)?, Some((&v.sku, true))));
                }
            }
            Plan::Unchanged | Plan::Refused { .. } => {}
        }
        Ok(out)
    }

    /// Carries out imported products' plans, packed in order into transactions of at
    /// most [`MAX_PACK_ACTIONS`] actions (one category check per category of a pack):
    /// each pack is written whole or not at all. Answers the indices of the plans whose
    /// pack was cancelled: the caller writes those products alone, to learn which rows
    /// the table refuses.
    ///
    /// Every pack checks that the seller's account is still approved (its first action):
    /// a suspension that lands while an import runs stops its writes with
    /// [`seller_not_approved`].
    pub async fn write_import_packs(
        &self,
        seller: &SellerId,
        plans: &[&Plan],
    ) -> Result<Vec<usize>, ShopError> {
        let mut refused = Vec::new();
        let mut pack = Vec::new();
        let mut actions = vec![self.seller_approved(seller)?];
        let mut categories = Vec::new();
        for (i, plan) in plans.iter().enumerate() {
            let Some(product) = plan.product() else {
                continue;
            };
            let body: Vec<TransactWriteItem> = self
                .plan_actions(plan)?
                .into_iter()
                .map(|(a, _)| a)
                .collect();
            let checked = categories.contains(&&product.category_id);
            let need = body.len() + usize::from(!checked);
            if !pack.is_empty() && actions.len() + need > MAX_PACK_ACTIONS {
                let full = std::mem::replace(&mut actions, vec![self.seller_approved(seller)?]);
                self.write_pack(full, &mut pack, &mut refused).await?;
                categories.clear();
            }
            if !categories.contains(&&product.category_id) {
                categories.push(&product.category_id);
                actions.push(self.category_exists(product)?);
            }
            actions.extend(body);
            pack.push(i);
        }
        self.write_pack(actions, &mut pack, &mut refused).await?;
        Ok(refused)
    }

    /// Writes one pack (its first action the seller's approval); a cancelled one's plan
    /// indices go to `refused`. Empties `pack`.
    async fn write_pack(
        &self,
        actions: Vec<TransactWriteItem>,
        pack: &mut Vec<usize>,
        refused: &mut Vec<usize>,
    ) -> Result<(), ShopError> {
        if !pack.is_empty() {
            match self.try_transact(actions).await? {
                TxOutcome::Written => {}
                TxOutcome::Cancelled(c) if c.failed(0) => return Err(seller_not_approved()),
                TxOutcome::Cancelled(_) => refused.extend(pack.iter().copied()),
            }
        }
        pack.clear();
        Ok(())
    }

    /// Carries out an imported product's plan in one transaction: the product with its
    /// category checked, its new and changed variants (never `reserved`), and a claim for
    /// each new SKU, so SKUs stay unique shop-wide.
    /// The seller's approval is checked in the same transaction, as in a pack.
    pub async fn write_import(
        &self,
        seller: &SellerId,
        plan: &Plan,
    ) -> Result<Result<(), ImportRefusal>, ShopError> {
        let Some(product) = plan.product() else {
            return Ok(Ok(()));
        };
        let mut actions = vec![
            self.category_exists(product)?,
            self.seller_approved(seller)?,
        ];
        let mut about: Vec<About<'_>> = vec![None, None];
        for (action, what) in self.plan_actions(plan)? {
            actions.push(action);
            about.push(what);
        }
        let TxOutcome::Cancelled(c) = self.try_transact(actions).await? else {
            return Ok(Ok(()));
        };
        if c.failed(1) {
            return Err(seller_not_approved());
        }
        if c.failed(0) {
            return Ok(Err(ImportRefusal::UnknownCategory));
        }
        let failed = |claims: bool| -> Vec<Sku> {
            about
                .iter()
                .enumerate()
                .filter_map(|(i, a)| match a {
                    Some((sku, is_claim)) if *is_claim == claims && c.failed(i) => {
                        Some((*sku).clone())
                    }
                    _ => None,
                })
                .collect()
        };
        let taken = failed(true);
        if !taken.is_empty() {
            return Ok(Err(ImportRefusal::SkusTaken(taken)));
        }
        let below = failed(false);
        if !below.is_empty() && matches!(plan, Plan::Update { .. }) {
            return Ok(Err(ImportRefusal::BelowReserved(below)));
        }
        Ok(Err(ImportRefusal::Changed))
    }
}
