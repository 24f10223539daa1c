//! Search use cases: keeping the index current from the table, answering searches
//! and suggestions (public, anonymous), and rebuilding the index for recovery.
//!
//! The stream only says *which* products changed. The indexer reads each one's
//! current state from the table (one strongly consistent query per product) and
//! writes it under an external version that grows with every write of the product
//! or its variants, so a redelivered, reordered or stale record can only ever write
//! the newest state, and an equal version is refused by the index as already there.

use futures_util::future::join_all;
use std::collections::{HashMap, HashSet};

use crate::adapters::search::{
    definition_index_name, DocumentIndex, IndexWrite, Overwrite, SearchIndex, WriteOutcome,
};
use crate::domain::catalog::Category;
use crate::domain::error::ShopError;
use crate::domain::ids::{CategoryId, ProductId};
use crate::domain::search::{
    category_path, document_version, SearchDocument, SearchPage, SearchRequest, SuggestRequest,
    Suggestions,
};
use crate::store::{ScanPosition, Store};

/// What one round of indexing did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct IndexReport {
    pub written: usize,
    pub deleted: usize,
    /// Already in the index at this version or newer.
    pub unchanged: usize,
    /// Products to try again (the table or the index failed for them).
    pub failed: Vec<ProductId>,
}

impl IndexReport {
    fn add(&mut self, other: IndexReport) {
        self.written += other.written;
        self.deleted += other.deleted;
        self.unchanged += other.unchanged;
        self.failed.extend(other.failed);
    }
}

async fn category_tree(store: &Store) -> Result<HashMap<CategoryId, Category>, ShopError> {
    Ok(store
        .list_categories()
        .await?
        .into_iter()
        .map(|c| (c.id.clone(), c))
        .collect())
}

/// Writes the current state of `ids` into the index: through the alias, replacing only
/// older states (the stream), or into the index being rebuilt, replacing equal ones too.
pub async fn index_products<I: DocumentIndex + ?Sized>(
    store: &Store,
    index: &I,
    ids: &[ProductId],
    rebuilding: Option<&str>,
) -> Result<IndexReport, ShopError> {
    let categories = category_tree(store).await?;
    let reads = join_all(ids.iter().map(|id| store.get_product(id))).await;
    let mut report = IndexReport::default();
    let mut writes = Vec::new();
    for (id, read) in ids.iter().zip(reads) {
        match read {
            Ok(Some((product, variants))) => {
                let path = category_path(&categories, &product.category_id);
                writes.push(IndexWrite::Put {
                    version: document_version(&product, &variants),
                    document: Box::new(SearchDocument::build(&product, &variants, path)),
                });
            }
            Ok(None) => writes.push(IndexWrite::Delete { id: id.to_string() }),
            Err(err) => {
                tracing::warn!(product_id = %id, error = %err, "reading a product to index failed");
                report.failed.push(id.clone());
            }
        }
    }
    let overwrite = match rebuilding {
        Some(_) => Overwrite::OlderOrEqual,
        None => Overwrite::Older,
    };
    let outcomes = match index.write(&writes, rebuilding, overwrite).await {
        Ok(outcomes) => outcomes,
        Err(err) => {
            tracing::warn!(error = %err, products = writes.len(), "the bulk write failed");
            report
                .failed
                .extend(writes.iter().filter_map(|w| ProductId::parse(w.id()).ok()));
            return Ok(report);
        }
    };
    for (write, outcome) in writes.iter().zip(outcomes) {
        match (outcome, write) {
            (WriteOutcome::Written, IndexWrite::Put { .. }) => report.written += 1,
            (WriteOutcome::Written, IndexWrite::Delete { .. }) => report.deleted += 1,
            (WriteOutcome::AlreadyCurrent, _) => report.unchanged += 1,
            (WriteOutcome::Failed(reason), _) => {
                tracing::warn!(product_id = write.id(), %reason, "the index refused a product");
                if let Ok(id) = ProductId::parse(write.id()) {
                    report.failed.push(id);
                }
            }
        }
    }
    Ok(report)
}

/// A search's page and how long the index took for it (milliseconds).
pub async fn search(
    index: &SearchIndex,
    request: &SearchRequest,
) -> Result<(SearchPage, u64), ShopError> {
    Ok(index
        .search(request)
        .await?
        .unwrap_or_else(|| (SearchPage::empty(), 0)))
}

pub async fn suggest(
    index: &SearchIndex,
    request: &SuggestRequest,
) -> Result<(Suggestions, u64), ShopError> {
    Ok(index.suggest(request).await?.unwrap_or_else(|| {
        (
            Suggestions {
                suggestions: Vec::new(),
            },
            0,
        )
    }))
}

/// Progress of a rebuild, reported after every page of the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildProgress {
    pub pass: u8,
    pub scanned: usize,
    pub written: usize,
    pub deleted: usize,
    pub unchanged: usize,
    pub failed: usize,
}

fn progress_of(pass: u8, scanned: usize, report: &IndexReport) -> RebuildProgress {
    RebuildProgress {
        pass,
        scanned,
        written: report.written,
        deleted: report.deleted,
        unchanged: report.unchanged,
        failed: report.failed.len(),
    }
}

/// Documents checked per page when sweeping out those of deleted products.
const SWEEP_PAGE: usize = 1000;

pub const REBUILD_PAGE: i32 = 200;

/// One scan of the table's products into `target`; the ids it found are added to `seen`.
async fn rebuild_pass(
    store: &Store,
    index: &SearchIndex,
    target: &str,
    pass: u8,
    seen: &mut HashSet<String>,
    progress: &mut dyn FnMut(RebuildProgress),
) -> Result<IndexReport, ShopError> {
    let mut total = IndexReport::default();
    let mut scanned = 0;
    let mut position = Some(ScanPosition::start());
    while let Some(from) = position.take() {
        let (ids, next) = store.scan_product_ids(from, REBUILD_PAGE).await?;
        scanned += ids.len();
        seen.extend(ids.iter().map(|id| id.to_string()));
        for chunk in ids.chunks(100) {
            total.add(index_products(store, index, chunk, Some(target)).await?);
        }
        progress(progress_of(pass, scanned, &total));
        position = next;
    }
    Ok(total)
}

/// Documents in `target` whose product the scan did not find: each is indexed again
/// from the table, which deletes it if the product is gone (a deletion the stream
/// wrote elsewhere, or one that ended in the dead-letter queue), or writes it if the
/// product was created after the scan passed it.
async fn sweep(
    store: &Store,
    index: &SearchIndex,
    target: &str,
    pass: u8,
    seen: &HashSet<String>,
    report: &mut IndexReport,
    progress: &mut dyn FnMut(RebuildProgress),
) -> Result<(), ShopError> {
    let mut after: Option<String> = None;
    loop {
        let ids = index
            .document_ids(target, after.as_deref(), SWEEP_PAGE)
            .await?;
        let Some(last) = ids.last().cloned() else {
            return Ok(());
        };
        let unseen: Vec<ProductId> = ids
            .iter()
            .filter(|id| !seen.contains(*id))
            .filter_map(|id| ProductId::parse(id).ok())
            .collect();
        for chunk in unseen.chunks(100) {
            report.add(index_products(store, index, chunk, Some(target)).await?);
        }
        if !unseen.is_empty() {
            progress(progress_of(pass, seen.len(), report));
        }
        after = Some(last);
    }
}

/// Rebuilds the index from the table: into the index of the current definition
/// (created if missing; with `recreate`, dropped and created empty first), rewriting
/// every product's document (equal versions too: the category tree or the document's
/// rules may have changed), then points the alias at it. When that moved the alias,
/// the stream wrote to the old index meanwhile, so a second pass catches what changed
/// during the first; then the old index goes. Last, documents of products the table
/// no longer has are swept out.
pub async fn rebuild(
    store: &Store,
    index: &SearchIndex,
    recreate: bool,
    progress: &mut dyn FnMut(RebuildProgress),
) -> Result<IndexReport, ShopError> {
    let target = definition_index_name(index.alias());
    let previous = index.alias_targets().await?;
    if recreate {
        if previous.contains(&target) {
            return Err(ShopError::Conflict(format!(
                "{target} serves searches now: recreating it would empty the shop's results; \
                 change the definition file (a new index) or delete the index first"
            )));
        }
        let _ = index.delete_index(&target).await;
    }
    index.create_index(&target).await?;
    let mut seen = HashSet::new();
    let mut report = rebuild_pass(store, index, &target, 1, &mut seen, progress).await?;
    let mut last_pass = 1;
    if !previous.iter().any(|p| p == &target) {
        index.point_alias(&target, &previous).await?;
        last_pass = 2;
        report.add(rebuild_pass(store, index, &target, 2, &mut seen, progress).await?);
        for old in previous.iter().filter(|p| p.as_str() != target) {
            index.delete_index(old).await?;
        }
    }
    sweep(
        store,
        index,
        &target,
        last_pass,
        &seen,
        &mut report,
        progress,
    )
    .await?;
    Ok(report)
}
