//! Refunds, one protocol for all of them: a **claim** written on the order by the change
//! that owes the money (in its transaction: a cancellation, a return received, a payment
//! that arrived for a cancelled order), then **executed** here by the refund worker —
//! once, whatever crashes or redeliveries happen — and **recorded** as succeeded or failed.
//!
//! Why it is never doubled: a cause has one refund id, so one claim; one execution holds a
//! claim at a time (a lease); an execution that may follow one that reached Stripe (any
//! attempt after the first) asks Stripe for a refund tagged with the claim's id before it
//! makes one; and Stripe's idempotency key (the claim's id and round) covers the rest in
//! production. Why it is never lost: the claim is in the table before anything else, and
//! the worker's queue is fed from the table's stream. A refusal is recorded on the claim,
//! which keeps its amount claimed, and reported to the dead-letter queue for a person.

use crate::adapters::mail::MailQueue;
use crate::adapters::refunds::{RefundAlerts, RefundMessage};
use crate::adapters::stripe::{PaymentGateway, RefundAnswer, RefundRequest};
use crate::clock::{now_sortable, unix_now};
use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::domain::mail::Mail;
use crate::domain::order::{HistoryEntry, Order};
use crate::domain::refund::{
    plan_grant, Grant, NewRefund, Refund, RefundCause, RefundId, RefundStatus, RefundView,
    Resolution,
};
use crate::services::{notices, orders::mail_address};
use crate::store::{Notice, OrderUpdate, RefundLease, RefundRecord, Store};

/// Who records refunds in an order's history.
pub const BY_REFUNDS: &str = "system:refunds";

/// Tries of recording an outcome whose order changed meanwhile (another refund recorded).
const RECORD_ATTEMPTS: usize = 5;

/// How the worker executes: its lease, and a test's crash point.
#[derive(Debug, Clone)]
pub struct RefundSettings {
    /// Seconds an execution holds a claim; shorter than the queue's visibility timeout,
    /// so a redelivery after a crash finds the lease over.
    pub lease_seconds: i64,
    /// A crash the integration tests inject (`SHOP_FAULT`); never set by the template.
    pub fault: Option<RefundFault>,
}

/// Where a test makes the worker's process die, on a claim's first attempt only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundFault {
    /// After the claim is leased, before Stripe is called.
    BeforeStripe,
    /// After Stripe made the refund, before it is recorded.
    AfterStripe,
}

impl RefundFault {
    pub fn parse(raw: &str) -> Option<RefundFault> {
        match raw {
            "refund-before-stripe" => Some(RefundFault::BeforeStripe),
            "refund-after-stripe" => Some(RefundFault::AfterStripe),
            _ => None,
        }
    }
}

/// What an execution did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Executed {
    /// Stripe made the refund (now, or an earlier attempt that died before recording it).
    Succeeded { stripe_refund_id: String },
    /// Stripe refused it: recorded as failed and reported.
    Failed { code: String },
    /// Nothing to do: already succeeded, failed or settled; or no such claim.
    Nothing,
}

/// Executes the claim `message` names. An `Err` leaves the message for redelivery.
pub async fn execute<G, A>(
    store: &Store,
    gateway: &G,
    alerts: &A,
    settings: &RefundSettings,
    message: &RefundMessage,
) -> Result<Executed, ShopError>
where
    G: PaymentGateway + ?Sized,
    A: RefundAlerts + ?Sized,
{
    let token = uuid::Uuid::now_v7().to_string();
    let refund = match store
        .lease_refund(
            &message.order_id,
            &message.refund_id,
            unix_now(),
            settings.lease_seconds,
            &token,
        )
        .await?
    {
        RefundLease::Taken(refund) => refund,
        RefundLease::Finished(refund) => {
            tracing::info!(refund = %refund.id, status = refund.status.as_str(), "refund already settled");
            return Ok(Executed::Nothing);
        }
        RefundLease::Missing => {
            tracing::warn!(refund = %message.refund_id, "no such refund claim");
            return Ok(Executed::Nothing);
        }
        RefundLease::Held => {
            return Err(ShopError::Unavailable(format!(
                "refund {} is being executed by another attempt",
                message.refund_id
            )))
        }
    };
    crash_if(settings, &refund, RefundFault::BeforeStripe);
    // A later attempt may follow one that died after Stripe made the refund.
    let found = if refund.attempt > 1 {
        gateway
            .find_refund(&refund.payment_intent_id, refund.id.as_str())
            .await?
    } else {
        None
    };
    let answer = match found {
        Some(id) => {
            tracing::warn!(refund = %refund.id, stripe_refund = %id, attempt = refund.attempt,
                "an earlier attempt made the refund: recording it");
            RefundAnswer::Refunded { id }
        }
        None => {
            gateway
                .refund(
                    &RefundRequest {
                        intent_id: &refund.payment_intent_id,
                        amount: refund.amount.amount,
                        refund_id: refund.id.as_str(),
                        order_id: refund.order_id.as_str(),
                    },
                    &refund.idempotency_key(),
                )
                .await?
        }
    };
    crash_if(settings, &refund, RefundFault::AfterStripe);
    match answer {
        RefundAnswer::Refunded { id } => {
            record_success(store, &refund, &id).await?;
            Ok(Executed::Succeeded {
                stripe_refund_id: id,
            })
        }
        RefundAnswer::Refused { code } => {
            tracing::error!(refund = %refund.id, order_id = %refund.order_id, code, "Stripe refused the refund");
            // Reported before it is recorded: a crash between the two reports it again
            // (the next attempt is refused again), never not at all.
            alerts.refused(&refund, &code).await?;
            match store
                .record_refund_failure(&refund, &code, &now_sortable())
                .await?
            {
                RefundRecord::Written => Ok(Executed::Failed { code }),
                _ => Err(lease_lost(&refund)),
            }
        }
    }
}

async fn record_success(
    store: &Store,
    refund: &Refund,
    stripe_refund_id: &str,
) -> Result<(), ShopError> {
    for _ in 0..RECORD_ATTEMPTS {
        let order = store
            .get_order(&refund.order_id)
            .await?
            .ok_or_else(|| ShopError::internal(format!("refund {} has no order", refund.id)))?;
        let now = now_sortable();
        let entry = succeeded_entry(&order, refund, stripe_refund_id, &now);
        match store
            .record_refund_success(&order, refund, stripe_refund_id, &now, &entry)
            .await?
        {
            RefundRecord::Written => {
                tracing::info!(refund = %refund.id, order_id = %order.id, amount = refund.amount.amount, stripe_refund = stripe_refund_id, "refund made");
                return Ok(());
            }
            RefundRecord::OrderChanged => continue,
            RefundRecord::LeaseLost => {
                // Another execution took over; if it recorded this refund, all is done.
                return match store.get_refund(&refund.order_id, &refund.id).await? {
                    Some(r) if r.status == RefundStatus::Succeeded => Ok(()),
                    _ => Err(lease_lost(refund)),
                };
            }
        }
    }
    Err(ShopError::Unavailable(format!(
        "order {} kept changing while refund {} was recorded",
        refund.order_id, refund.id
    )))
}

fn succeeded_entry(
    order: &Order,
    refund: &Refund,
    stripe_refund_id: &str,
    at: &str,
) -> HistoryEntry {
    HistoryEntry {
        at: at.to_owned(),
        status: order.status,
        by: BY_REFUNDS.into(),
        reason: Some(format!(
            "refund {} of {} {} made ({stripe_refund_id}): {}",
            refund.id, refund.amount.amount, refund.amount.currency, refund.reason
        )),
    }
}

fn lease_lost(refund: &Refund) -> ShopError {
    ShopError::Unavailable(format!(
        "refund {}: the lease ended before its outcome was recorded",
        refund.id
    ))
}

/// The injected crash: the process dies as a killed function would, leaving the claim
/// leased (and, after Stripe, the refund made) for the redelivery to finish.
fn crash_if(settings: &RefundSettings, refund: &Refund, point: RefundFault) {
    if settings.fault == Some(point) && refund.attempt == 1 {
        tracing::error!(refund = %refund.id, fault = ?point, "injected crash (SHOP_FAULT)");
        std::process::abort();
    }
}

/// `POST /admin/orders/{id}/refunds/{refundId}` {action, note} — an admin resolves a refund
/// Stripe refused (README, "A failed refund"): `retry` asks Stripe again in a new round with
/// the order's intent as it stands; `settled_outside_stripe` records that the money went back
/// another way. Only a failed refund can be resolved (else 409).
pub async fn resolve(
    store: &Store,
    caller: &Caller,
    order_id: &OrderId,
    id: &RefundId,
    resolution: Resolution,
    note: String,
) -> Result<RefundView, ShopError> {
    if !caller.is_admin() {
        return Err(ShopError::Forbidden("only an admin resolves refunds"));
    }
    let refund = store
        .get_refund(order_id, id)
        .await?
        .ok_or(ShopError::NotFound("refund"))?;
    if refund.status != RefundStatus::Failed {
        return Err(ShopError::Conflict(format!(
            "refund {id} is {}: only a failed refund is resolved",
            refund.status.as_str()
        )));
    }
    let order = store
        .get_order(order_id)
        .await?
        .ok_or(ShopError::NotFound("order"))?;
    // A refund of the order's own payment goes to the intent the order records now (an
    // operator may have put it right); a stray payment's, to the stray intent, always.
    let intent = match (&order.payment.payment_intent_id, refund.of_capture) {
        (Some(own), true) => own.clone(),
        _ => refund.payment_intent_id.clone(),
    };
    let what = match resolution {
        Resolution::Retry => "retried",
        Resolution::SettledOutsideStripe => "settled outside Stripe",
    };
    let entry = HistoryEntry {
        at: now_sortable(),
        status: order.status,
        by: format!("admin:{}", caller.user_id),
        reason: Some(format!("refund {id} {what}: {note}")),
    };
    if !store
        .resolve_refund(&refund, resolution, &intent, &note, &entry)
        .await?
    {
        return Err(ShopError::Conflict(format!(
            "refund {id} changed meanwhile; reload it"
        )));
    }
    store
        .get_refund(order_id, id)
        .await?
        .map(|r| r.view())
        .ok_or(ShopError::NotFound("refund"))
}

/// `POST /admin/orders/{id}/refunds` {reason, lines?, shipping?, amount?} — an admin refunds
/// part of a paid order outside any cancellation or return: units without their return (a
/// parcel the carrier could not deliver, an item lost on the way; goods and their exact tax
/// share, the shipping when asked and still due) or a goodwill amount. A claim like every
/// other (`<orderId>.grant-<n>`, the order's n-th), written with the customer's mail and
/// executed by the refund worker; never above what is left of the capture (422 saying how
/// much is). Each call is a new refund: the caller reads the order first.
pub async fn grant<Q: MailQueue + ?Sized>(
    store: &Store,
    mails: &Q,
    caller: &Caller,
    order_id: &OrderId,
    grant: &Grant,
    reason: &str,
) -> Result<RefundView, ShopError> {
    if !caller.is_admin() {
        return Err(ShopError::Forbidden("only an admin grants refunds"));
    }
    let found = store
        .order_with_shipments(order_id)
        .await?
        .ok_or(ShopError::NotFound("order"))?;
    let order = &found.order;
    let Some(captured) = order.payment.captured_amount else {
        return Err(ShopError::Conflict(format!(
            "order {order_id} is {}: nothing of it was paid",
            order.status.as_str()
        )));
    };
    let (plan, claimed) = plan_grant(order, captured, grant)
        .map_err(|refusal| crate::domain::error::FieldError::new("refund", &refusal.message()))?;
    let grants = found
        .refunds
        .iter()
        .filter(|r| r.id.as_str().starts_with(&format!("{order_id}.grant-")))
        .count();
    let now = now_sortable();
    let by = format!("admin:{}", caller.user_id);
    let new = NewRefund {
        id: RefundId::of(order_id, &RefundCause::Grant(grants as u32 + 1)),
        order_id,
        reason: reason.to_owned(),
        claimed_by: by.clone(),
        payment_intent_id: order.paid_intent()?,
        now: &now,
    };
    let refund = match grant {
        Grant::Units { .. } => Refund::of_plan(new, &plan),
        Grant::Amount(_) => Refund::of_amount(new, plan.amount),
    };
    let update = OrderUpdate::new()
        .claim(order, captured, claimed, &order.refunded.with(&plan))?
        .note(HistoryEntry {
            at: now.clone(),
            status: order.status,
            by,
            reason: Some(format!(
                "refund {} of {} granted: {reason}",
                refund.id, plan.amount.amount
            )),
        });
    let notice = mail_address(store, order).await?.map(|to| Notice {
        news: "refund_granted",
        subject: refund.id.to_string(),
        mail: Mail::RefundIssued {
            to,
            name: order.shipping_address.name.clone(),
            order_id: order_id.to_string(),
            amount: plan.amount.amount,
            currency: order.currency.to_string(),
            reason: reason.to_owned(),
        },
    });
    if !store
        .write_claim_told(order, update, &refund, notice.as_ref())
        .await?
    {
        return Err(ShopError::Conflict(format!(
            "order {order_id} changed meanwhile (another refund?); reload it and retry"
        )));
    }
    notices::flush(store, mails, order_id).await?;
    Ok(refund.view())
}
