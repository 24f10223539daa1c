//! `POST /payments/webhook` — Stripe only: no JWT; every delivery must carry a valid
//! `Stripe-Signature` for this endpoint's secret, made within the tolerance window.

use lambda_http::Request;
use shop::adapters::saga::StepFunctionsTasks;
use shop::adapters::stripe::{parse_event, verify_signature, Stripe, WEBHOOK_TOLERANCE_SECONDS};
use shop::config::WebhookSecret;
use shop::http::{header, Reply};
use shop::services::checkout as svc;
use shop::store::Store;
use shop::ShopError;

/// Unsigned, forged, stale or unreadable deliveries are refused with a 400 before
/// anything is read or changed. A 5xx asks Stripe to deliver again later.
pub async fn webhook(
    deps: &(Store, Stripe, StepFunctionsTasks, WebhookSecret),
    req: Request,
) -> Result<Reply, ShopError> {
    let (store, stripe, tokens, WebhookSecret(secret)) = deps;
    let payload: &[u8] = req.body().as_ref();
    verify_signature(
        payload,
        header(&req, "stripe-signature"),
        secret,
        shop::clock::unix_now(),
        WEBHOOK_TOLERANCE_SECONDS,
    )
    .map_err(|e| ShopError::Malformed(format!("webhook refused: {e}")))?;
    let event = parse_event(payload).map_err(ShopError::Malformed)?;
    svc::payment_event(store, stripe, tokens, event).await?;
    Reply::ok(serde_json::json!({ "received": true }))
}
