//! Recommendations: the co-purchase counter (the queue only), a product's "bought
//! together" list (anyone) and a customer's recommendations (a signed-in customer).

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::Request;
use lambda_runtime::LambdaEvent;
use shop::adapters::copurchase::CoPurchaseMessage;
use shop::domain::ids::{CategoryId, ProductId};
use shop::http::{caller, path_param, query_param, Reply};
use shop::services::recommend as svc;
use shop::store::Store;
use shop::ShopError;

use crate::batch::{self, Records};

/// The co-purchase queue's batch size (template.yaml, `CountCoPurchasesFunction`).
const BATCH: usize = 10;

/// Each confirmed order counted once (a redelivered message counts nothing twice), and
/// the top lists it touches brought up to date.
pub async fn count_co_purchases(
    store: &Store,
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    Ok(batch::sqs(
        event.payload,
        Records::concurrent(BATCH),
        |record| async move {
            let body = record.body.as_deref().unwrap_or_default();
            let message: CoPurchaseMessage = serde_json::from_str(body)
                .map_err(|e| ShopError::Malformed(format!("co-purchase message: {e}")))?;
            let report = svc::count_order(store, &message.order_id).await?;
            tracing::info!(
                order_id = %message.order_id,
                products = report.products,
                counted = report.counted,
                counts_written = report.counts_written,
                lists_written = report.lists_written,
                items_written = report.items_written(),
                "co-purchases counted"
            );
            Ok::<_, ShopError>(())
        },
    )
    .await)
}

/// `GET /products/{id}/related` — anyone: bought together with it, active and in stock.
pub async fn related_products(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let id = path_param(&req, "id", ProductId::parse)?;
    Reply::ok(serde_json::json!({ "items": svc::related(store, &id).await? }))
}

/// `GET /me/recommendations?category=` — a signed-in customer: each answer says why
/// (`bought_together`, `wishlist`, `popular`).
pub async fn my_recommendations(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let category = query_param(&req, "category")
        .map(|c| {
            CategoryId::parse(&c)
                .map_err(|e| ShopError::Malformed(format!("category {}", e.message)))
        })
        .transpose()?;
    Reply::ok(serde_json::json!({
        "items": svc::for_customer(store, &caller, category.as_ref()).await?
    }))
}
