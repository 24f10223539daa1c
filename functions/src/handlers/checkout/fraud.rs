//! `FraudCheck` — a task of the checkout state machine.

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde_json::{json, Value};
use shop::adapters::stripe::Stripe;
use shop::domain::order::FRAUD_REVIEW;
use shop::services::checkout as svc;
use shop::store::Store;

use tracing::Instrument;

use super::{failed, task_error, OrderTask};

/// The fraud check: `{"score": n}`, or the error `FraudReview` (with the factors) when
/// the order must not be charged.
pub async fn fraud_check(
    deps: &(Store, Stripe),
    event: LambdaEvent<OrderTask>,
) -> Result<Value, Diagnostic> {
    let (store, stripe) = deps;
    let id = event.payload.order_id;
    let assessment = svc::fraud_check(store, stripe, &id)
        .instrument(tracing::info_span!("fraud_check", order_id = %id))
        .await
        .map_err(failed)?;
    tracing::info!(order_id = %id, score = assessment.score, review = assessment.review, "fraud check");
    if assessment.review {
        return Err(task_error(FRAUD_REVIEW, json!(assessment)));
    }
    Ok(json!({ "score": assessment.score }))
}
