//! `Confirm` and `Cancel` — tasks of the checkout state machine.

use lambda_runtime::{Diagnostic, LambdaEvent};
use serde::{Deserialize, Serialize};
use shop::adapters::mail::{MailQueue, SqsMailQueue};
use shop::adapters::stripe::Stripe;
use shop::domain::ids::OrderId;
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

/// The settle step's answer, kept in the execution's history: how many of its mails (the
/// customer's, and from `Confirm` one per seller) it queued, and how many it could not.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Settled {
    pub mails_queued: usize,
    pub mails_failed: usize,
}

/// Confirm (paid) or cancel (anything else) an order; both are idempotent. Then its mails
/// are queued here rather than by states of the saga (each state entered is a billed
/// transition): a mail that cannot be queued (after the SDK's retries) is logged and
/// never fails the order, which is settled by then.
pub async fn settle(
    deps: &(Store, Stripe, SqsMailQueue),
    event: LambdaEvent<SettleTask>,
) -> Result<Settled, Diagnostic> {
    let (store, stripe, queue) = deps;
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
    let mut settled = Settled {
        mails_queued: 0,
        mails_failed: 0,
    };
    for mail in mails.customer.iter().chain(&mails.sellers) {
        match queue.enqueue(mail).await {
            Ok(()) => settled.mails_queued += 1,
            Err(err) => {
                tracing::error!(order_id = %order_id, error = %err, "a mail of the settled order could not be queued");
                settled.mails_failed += 1;
            }
        }
    }
    Ok(settled)
}
