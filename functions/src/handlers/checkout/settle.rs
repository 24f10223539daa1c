//! `Confirm` and `Cancel` — tasks of the checkout state machine.

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shop::adapters::stripe::Stripe;
use shop::domain::ids::OrderId;
use shop::services::checkout as svc;
use shop::store::Store;

use super::failed;

/// What the state machine caught (`$.failure`): the error's name; its cause may be
/// empty, null or absent.
#[derive(Debug, Deserialize)]
pub struct Failure {
    #[serde(rename = "Error")]
    pub error: String,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum SettleTask {
    #[serde(rename_all = "camelCase")]
    Confirm { order_id: OrderId },
    #[serde(rename_all = "camelCase")]
    Cancel { order_id: OrderId, failure: Failure },
}

/// The settle step's answer: the mail for the next state to queue (always the key,
/// `null` when there is no one to write to).
#[derive(Debug, Serialize)]
pub struct Settled {
    pub mail: Option<Value>,
}

/// Confirm (paid) or cancel (anything else) an order; both are idempotent.
pub async fn settle(
    deps: &(Store, Stripe),
    event: LambdaEvent<SettleTask>,
) -> Result<Settled, Diagnostic> {
    let (store, stripe) = deps;
    let mail = match &event.payload {
        SettleTask::Confirm { order_id } => svc::confirm(store, stripe, order_id, None).await,
        SettleTask::Cancel { order_id, failure } => {
            svc::cancel(store, stripe, order_id, &failure.error).await
        }
    }
    .map_err(failed)?;
    Ok(Settled {
        mail: mail.map(|m| serde_json::to_value(m).unwrap_or(Value::Null)),
    })
}
