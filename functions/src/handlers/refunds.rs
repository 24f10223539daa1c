//! Refunds: the refund worker — fed by the refund queue only (claims the order stream's
//! reader forwards), never by a route — and an admin's resolution of a refund Stripe
//! refused. `services::refunds` holds the protocol.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::Request;
use lambda_runtime::LambdaEvent;
use shop::adapters::mail::SqsMailQueue;
use shop::adapters::refunds::{FailedRefunds, RefundMessage};
use shop::adapters::stripe::Stripe;
use shop::domain::ids::OrderId;
use shop::domain::refund::{GrantRefundInput, RefundId, ResolveRefundInput};
use shop::http::{caller, json_body, path_param, Reply};
use shop::services::refunds::{self as svc, RefundSettings};
use shop::store::Store;
use shop::ShopError;

use crate::batch::{self, Records};

/// Executes each queued claim; a failed one is left for redelivery (after five, the
/// dead-letter queue, which a person watches).
pub async fn refund_worker(
    deps: &(Store, Stripe, FailedRefunds, RefundSettings),
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    let (store, stripe, alerts, settings) = deps;
    Ok(batch::sqs(event.payload, Records::concurrent(REFUND_BATCH), |record| async move {
        let body = record.body.as_deref().unwrap_or_default();
        // Unreadable: a bug upstream. Failing it sends it to the dead-letter queue, where
        // a person sees it, rather than dropping money owed.
        let message: RefundMessage = serde_json::from_str(body)
            .map_err(|e| ShopError::Malformed(format!("refund message: {e}")))?;
        let done = svc::execute(store, stripe, alerts, settings, &message).await?;
        tracing::info!(order_id = %message.order_id, refund = %message.refund_id, ?done, "refund executed");
        Ok::<_, ShopError>(())
    })
    .await)
}

/// The refund queue's batch size (template.yaml, `RefundWorkerFunction`'s `BatchSize`).
const REFUND_BATCH: usize = 5;

/// `POST /admin/orders/{id}/refunds/{refundId}` {action: retry|settled_outside_stripe,
/// note} — an admin only.
pub async fn resolve_refund(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let order_id = path_param(&req, "id", OrderId::parse)?;
    let id = path_param(&req, "refundId", RefundId::parse)?;
    let (resolution, note) = json_body::<ResolveRefundInput>(&req)?.parse()?;
    Reply::ok(svc::resolve(store, &caller, &order_id, &id, resolution, note).await?)
}

/// `POST /admin/orders/{id}/refunds` {reason, lines?, shipping?, amount?} — an admin only:
/// units refunded without a return, or a goodwill amount (README, "Refunds").
pub async fn grant_refund(deps: &(Store, SqsMailQueue), req: Request) -> Result<Reply, ShopError> {
    let (store, mails) = deps;
    let caller = caller(&req)?;
    let order_id = path_param(&req, "id", OrderId::parse)?;
    let (grant, reason) = json_body::<GrantRefundInput>(&req)?.parse()?;
    let refund = svc::grant(store, mails, &caller, &order_id, &grant, &reason).await?;
    Reply::created(refund, format!("/orders/{order_id}"))
}
