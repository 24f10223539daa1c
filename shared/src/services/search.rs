//! Search use cases: keeping the index current from the table, answering searches
//! and suggestions (public, anonymous), and rebuilding the index for recovery.
//!
//! The stream only says *which* products changed. The indexer reads each one's
//! current state from the table (one strongly consistent query per product) and
//! writes it under an external version that grows with every write of the product
//! or its variants, so a redelivered, reordered or stale record can only ever write
//! the newest state, and an equal version is refused by the index as already there.

use futures_util::future::join_all;
use std::collections::HashMap;

use crate::adapters::search::{definition_index_name, IndexWrite, SearchIndex, WriteOutcome};
use crate::domain::catalog::Category;
use crate::domain::error::ShopError;
use crate::domain::ids::{CategoryId, ProductId};
use crate::domain::search::{
    category_path, document_version, search_body, suggest_body, SearchDocument, SearchPage,
    SearchRequest, SuggestRequest, Suggestions,
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

/// Writes the current state of `ids` into the index (`into`, else the alias).
pub async fn index_products(
    store: &Store,
    index: &SearchIndex,
    ids: &[ProductId],
    into: Option<&str>,
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
    let outcomes = match index.write(&writes, into).await {
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
    Ok(match index.search(search_body(request)).await? {
        Some(response) => {
            let took = response.took;
            (SearchPage::from_response(request, response), took)
        }
        None => (SearchPage::empty(), 0),
    })
}

pub async fn suggest(
    index: &SearchIndex,
    request: &SuggestRequest,
) -> Result<(Suggestions, u64), ShopError> {
    Ok(match index.suggest(suggest_body(request)).await? {
        Some(response) => {
            let took = response.took;
            (Suggestions::from_response(request, response), took)
        }
        None => (
            Suggestions {
                suggestions: Vec::new(),
            },
            0,
        ),
    })
}

/// Progress of a rebuild, reported after every page of the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RebuildProgress {
    pub pass: u8,
    pub scanned: usize,
    pub written: usize,
    pub unchanged: usize,
    pub failed: usize,
}

pub const REBUILD_PAGE: i32 = 200;

async fn rebuild_pass(
    store: &Store,
    index: &SearchIndex,
    target: &str,
    pass: u8,
    progress: &mut dyn FnMut(RebuildProgress),
) -> Result<IndexReport, ShopError> {
    let mut total = IndexReport::default();
    let mut scanned = 0;
    let mut position = Some(ScanPosition::start());
    while let Some(from) = position.take() {
        let (ids, next) = store.scan_product_ids(from, REBUILD_PAGE).await?;
        scanned += ids.len();
        for chunk in ids.chunks(100) {
            total.add(index_products(store, index, chunk, Some(target)).await?);
        }
        progress(RebuildProgress {
            pass,
            scanned,
            written: total.written,
            unchanged: total.unchanged,
            failed: total.failed.len(),
        });
        position = next;
    }
    Ok(total)
}

/// Rebuilds the index from the table: into the index of the current definition
/// (created if missing; with `recreate`, dropped and created empty first), then
/// points the alias at it. When that moved the alias, the stream wrote to the old
/// index meanwhile, so a second pass catches what changed during the first (the
/// unchanged are refused by version and cost nothing); then the old index goes.
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
    let mut report = rebuild_pass(store, index, &target, 1, progress).await?;
    if !previous.iter().any(|p| p == &target) {
        index.point_alias(&target, &previous).await?;
        report.add(rebuild_pass(store, index, &target, 2, progress).await?);
        for old in previous.iter().filter(|p| p.as_str() != target) {
            index.delete_index(old).await?;
        }
    }
    Ok(report)
}
