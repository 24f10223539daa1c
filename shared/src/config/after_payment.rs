//! The dependencies of the functions after payment: the refund worker's queues and
//! settings, and the return window.

use super::{positive, Dependency, Env, InitError};
use crate::adapters::copurchase::CoPurchaseQueue;
use crate::adapters::refunds::{FailedRefunds, SqsRefundQueue};
use crate::services::refunds::{RefundFault, RefundSettings};
use crate::services::returns::ReturnWindow;

/// The queue the refund worker takes claims from.
#[async_trait::async_trait]
impl Dependency for SqsRefundQueue {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(SqsRefundQueue::new(
            client!(aws_sdk_sqs, env),
            env.required("REFUND_QUEUE_URL", "queueing refunds")?,
        ))
    }
}

/// The queue of confirmed orders whose co-purchases are to be counted.
#[async_trait::async_trait]
impl Dependency for CoPurchaseQueue {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(CoPurchaseQueue::new(
            client!(aws_sdk_sqs, env),
            env.required(
                "COPURCHASE_QUEUE_URL",
                "queueing orders for co-purchase counts",
            )?,
        ))
    }
}

/// The refund worker's dead-letter queue, where refusals are reported.
#[async_trait::async_trait]
impl Dependency for FailedRefunds {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(FailedRefunds(SqsRefundQueue::new(
            client!(aws_sdk_sqs, env),
            env.required("FAILED_REFUND_QUEUE_URL", "reporting refused refunds")?,
        )))
    }
}

/// `REFUND_LEASE_SECONDS` (a positive whole number: longer than the worker's timeout, so an
/// execution never outlives its lease, and shorter than the refund queue's visibility timeout,
/// so a redelivery after a crash finds it over; the template sets 25 of 20 and 30) and
/// `SHOP_FAULT`, a crash point only the integration tests set (`refund-before-stripe`,
/// `refund-after-stripe`); anything else there is refused.
#[async_trait::async_trait]
impl Dependency for RefundSettings {
    async fn from_env(_: &Env) -> Result<Self, InitError> {
        let fault = match std::env::var("SHOP_FAULT").ok().filter(|v| !v.is_empty()) {
            None => None,
            Some(raw) => Some(RefundFault::parse(&raw).ok_or_else(|| {
                InitError(format!(
                    "SHOP_FAULT {raw:?} is no crash point of the refund worker"
                ))
            })?),
        };
        Ok(RefundSettings {
            lease_seconds: i64::from(positive("REFUND_LEASE_SECONDS", 25)?),
            fault,
        })
    }
}

/// `RETURN_WINDOW_DAYS`: days after delivery a return may be asked for (30 when unset).
#[async_trait::async_trait]
impl Dependency for ReturnWindow {
    async fn from_env(_: &Env) -> Result<Self, InitError> {
        Ok(ReturnWindow {
            days: positive("RETURN_WINDOW_DAYS", 30)?,
        })
    }
}
