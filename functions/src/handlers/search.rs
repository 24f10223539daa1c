//! Search: the stream indexer and the public search routes.

use lambda_http::Request;
use lambda_runtime::LambdaEvent;
use shop::adapters::search::{IndexWriter, SearchIndex};
use shop::adapters::stock::StockWatchQueue;
use shop::domain::ids::ProductId;
use shop::domain::search::{SearchRequest, SuggestRequest};
use shop::http::{query_pairs, Reply};
use shop::services::search as svc;
use shop::services::stock::StockSettings;
use shop::store::Store;
use shop::ShopError;

use crate::stream::{StreamBatch, StreamBatchResponse};

/// The table's stream (product and variant items only, by the mapping's filter) →
/// the index, and the low-stock watcher's queue. Each product changed in the batch is
/// indexed once, from its current state; a product that failed is reported by its first
/// record, and the mapping retries from there.
///
/// The watcher is fed from here rather than by a mapping of its own: DynamoDB Streams
/// serves at most two readers per shard at once, and the table has two (this one and the
/// order stream's); this reader already gets every variant record.
pub async fn index_products(
    deps: &(Store, IndexWriter, StockWatchQueue, StockSettings),
    event: LambdaEvent<StreamBatch>,
) -> Result<StreamBatchResponse, crate::Error> {
    let (store, index, watch_queue, settings) = deps;
    let records = event.payload.changed_products();
    let mut products: Vec<(&str, ProductId)> = Vec::new();
    for (sequence, id) in records {
        match id {
            Some(id) if !products.iter().any(|(_, seen)| *seen == id) => {
                products.push((sequence, id))
            }
            Some(_) => {}
            None => tracing::warn!(sequence, "stream record of no product skipped"),
        }
    }
    let ids: Vec<ProductId> = products.iter().map(|(_, id)| id.clone()).collect();
    let mut response = StreamBatchResponse::default();
    // A batch of the low-stock watcher's flags alone has nothing to index.
    let indexed = if ids.is_empty() {
        Ok(Default::default())
    } else {
        svc::index_products(store, &**index, &ids, None).await
    };
    match indexed {
        Ok(report) => {
            for (sequence, id) in &products {
                if report.failed.contains(id) {
                    response.add_failure(sequence);
                }
            }
            tracing::info!(
                products = ids.len(),
                written = report.written,
                deleted = report.deleted,
                unchanged = report.unchanged,
                failed = report.failed.len(),
                "indexed"
            );
        }
        Err(err) => {
            // Nothing could be indexed (the category tree was unreadable): retry all.
            tracing::warn!(error = %err, "indexing failed; the stream retries the batch");
            if let Some((sequence, _)) = products.first() {
                response.add_failure(sequence);
            }
        }
    }
    // In the batch's order; the first that cannot be queued is retried with the records
    // after it (those queued already are dropped as repeats).
    shop::telemetry::stock_outs(event.payload.stock_outs(*settings));
    let watches = event.payload.stock_watches(*settings);
    if let Err((at, err)) = watch_queue.send_in_order(&watches).await {
        let sequence = &watches[at].0;
        tracing::warn!(sequence, error = %err, "stock watch not queued; the stream retries from it");
        response.add_failure(sequence);
    }
    Ok(response)
}

/// `Server-Timing` with the index's own time, so a client (or the benchmark) sees
/// how much of a search's latency is the search itself.
fn timed(reply: Result<Reply, ShopError>, took_ms: u64) -> Result<Reply, ShopError> {
    Ok(reply?.header("server-timing", format!("search;dur={took_ms}")))
}

/// `GET /search` — anonymous. Filters, sort, facets and paging: see README's "Search".
pub async fn search_products(index: &SearchIndex, req: Request) -> Result<Reply, ShopError> {
    let request = SearchRequest::parse(&query_pairs(&req))?;
    let (page, took) = svc::search(index, &request).await?;
    shop::telemetry::searched(request.text.as_deref(), page.total, took);
    timed(Reply::ok(page), took)
}

/// `GET /search/suggest?q=` — anonymous; type-ahead over names and brands.
pub async fn suggest_products(index: &SearchIndex, req: Request) -> Result<Reply, ShopError> {
    let request = SuggestRequest::parse(&query_pairs(&req))?;
    let (suggestions, took) = svc::suggest(index, &request).await?;
    timed(Reply::ok(suggestions), took)
}
