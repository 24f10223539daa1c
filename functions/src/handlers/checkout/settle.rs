//! `Confirm` and `Cancel` — tasks of the checkout state machine.

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shop::adapters::stripe::Stripe;
use shop::domain::ids::OrderId;
use shop::domain::mail::Mail;
use shop::services::checkout as svc;
use shop::store::Store;
use tracing::Instrument;

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

/// The settle step's answer: the customer's mail for the `Mail` state to queue (always
/// the key, `null` when there is no one to write to) and, from `Confirm`, one mail per
/// seller for the `MailSellers` map (empty from `Cancel`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settled {
    pub mail: Option<Value>,
    pub seller_mails: Vec<Value>,
}

/// Confirm (paid) or cancel (anything else) an order; both are idempotent.
pub async fn settle(
    deps: &(Store, Stripe),
    event: LambdaEvent<SettleTask>,
) -> Result<Settled, Diagnostic> {
    let (store, stripe) = deps;
    let (SettleTask::Confirm { order_id } | SettleTask::Cancel { order_id, .. }) = &event.payload;
    // Every line this step logs (the store's, Stripe's) names its order.
    let span = tracing::info_span!("settle", order_id = %order_id);
    let mails = async {
        match &event.payload {
            SettleTask::Confirm { order_id } => svc::confirm(store, stripe, order_id, None).await,
            SettleTask::Cancel { order_id, failure } => {
                svc::cancel(store, stripe, order_id, &failure.error)
                    .await
                    .map(|customer| svc::ConfirmMails {
                        customer,
                        sellers: Vec::new(),
                    })
            }
        }
    }
    .instrument(span)
    .await
    .map_err(failed)?;
    let json = |m: Mail| serde_json::to_value(m).unwrap_or(Value::Null);
    Ok(Settled {
        mail: mails.customer.map(json),
        seller_mails: mails.sellers.into_iter().map(json).collect(),
    })
}
