//! Indexing (the stream consumer's use case) against DynamoDB Local, with the search
//! index as a recording fake: what each product's state becomes in the index, which
//! versions guard the writes, and what the report asks the stream to retry.

use std::sync::Mutex;

use shop::adapters::search::{DocumentIndex, IndexWrite, Overwrite, WriteOutcome};
use shop::domain::ids::ProductId;
use shop::domain::search::document_version;
use shop::services::{catalog, search};
use shop::ShopError;

use crate::support::*;

/// One recorded write: (product id, `Some(version)` for a put, `None` for a delete,
/// the document's name and price_from for a put).
type Recorded = (String, Option<u64>, Option<(String, Option<i64>)>);

/// One bulk request: the index named (the alias when `None`), the overwrite rule, its writes.
type Bulk = (Option<String>, Overwrite, Vec<Recorded>);

/// Records every bulk request and answers each write with the next scripted outcome
/// (`Written` once the script runs out).
#[derive(Default)]
struct RecordingIndex {
    calls: Mutex<Vec<Bulk>>,
    script: Mutex<Vec<WriteOutcome>>,
}

#[async_trait::async_trait]
impl DocumentIndex for RecordingIndex {
    async fn write(
        &self,
        writes: &[IndexWrite],
        index: Option<&str>,
        overwrite: Overwrite,
    ) -> Result<Vec<WriteOutcome>, ShopError> {
        let recorded = writes
            .iter()
            .map(|w| match w {
                IndexWrite::Put { version, document } => (
                    document.id.clone(),
                    Some(*version),
                    Some((document.name.clone(), document.price_from)),
                ),
                IndexWrite::Delete { id } => (id.clone(), None, None),
            })
            .collect();
        self.calls
            .lock()
            .unwrap()
            .push((index.map(str::to_owned), overwrite, recorded));
        let mut script = self.script.lock().unwrap();
        Ok(writes
            .iter()
            .map(|_| {
                if script.is_empty() {
                    WriteOutcome::Written
                } else {
                    script.remove(0)
                }
            })
            .collect())
    }
}

#[tokio::test]
async fn each_product_is_written_at_its_version_and_a_deleted_one_is_deleted() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let kept = listed(&store, &seller, &shoes, &[(&sku("IDX"), 1_999, "USD", 4)]).await;
    let gone = listed(&store, &seller, &shoes, &[(&sku("IDX"), 2_500, "USD", 1)]).await;
    catalog::delete_product(&store, &seller, &gone.id)
        .await
        .unwrap();
    let never = ProductId::generate();
    let index = RecordingIndex::default();

    let report = search::index_products(
        &store,
        &index,
        &[kept.id.clone(), gone.id.clone(), never.clone()],
        None,
    )
    .await
    .unwrap();

    let (product, variants) = store.get_product(&kept.id).await.unwrap().unwrap();
    let calls = index.calls.lock().unwrap();
    assert_eq!(calls.len(), 1, "one bulk request for the batch");
    let (into, overwrite, writes) = &calls[0];
    assert_eq!(
        (into.as_deref(), *overwrite),
        (None, Overwrite::Older),
        "the stream writes through the alias, never over an equal or newer state"
    );
    assert_eq!(
        writes,
        &vec![
            (
                kept.id.to_string(),
                Some(document_version(&product, &variants)),
                Some((product.name.clone(), Some(1_999)))
            ),
            (gone.id.to_string(), None, None),
            (never.to_string(), None, None),
        ]
    );
    assert_eq!(
        (report.written, report.deleted, report.unchanged),
        (1, 2, 0)
    );
    assert!(report.failed.is_empty());
}

#[tokio::test]
async fn refused_writes_are_reported_for_retry_and_current_ones_counted_as_unchanged() {
    let Bench {
        store,
        shoes,
        seller,
        ..
    } = bench().await;
    let a = listed(&store, &seller, &shoes, &[(&sku("IDX"), 1_000, "USD", 1)]).await;
    let b = listed(&store, &seller, &shoes, &[(&sku("IDX"), 1_000, "USD", 1)]).await;
    let index = RecordingIndex::default();
    *index.script.lock().unwrap() = vec![
        WriteOutcome::AlreadyCurrent,
        WriteOutcome::Failed("es_rejected_execution_exception".into()),
    ];

    let report = search::index_products(
        &store,
        &index,
        &[a.id.clone(), b.id.clone()],
        Some("products-next"),
    )
    .await
    .unwrap();

    let calls = index.calls.lock().unwrap();
    assert_eq!(
        (calls[0].0.as_deref(), calls[0].1),
        (Some("products-next"), Overwrite::OlderOrEqual),
        "a rebuild writes into its new index and rewrites equal versions"
    );
    assert_eq!((report.written, report.unchanged), (0, 1));
    assert_eq!(report.failed, vec![b.id.clone()]);
}
