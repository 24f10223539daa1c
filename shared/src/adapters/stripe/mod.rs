//! Payments through Stripe's HTTP API: the [`PaymentGateway`] the checkout uses, and
//! its Stripe implementation; Stripe's wire formats (`wire`: PaymentIntent JSON;
//! `webhook`: the signature header and event JSON) are read here, never in the domain.
//!
//! Why not `async-stripe`: its typed PaymentIntent and Event require fields that the
//! local Stripe engine (localstripe) never sends (`amount_received`,
//! `confirmation_method`, `pending_webhooks`, …), so the same adapter could not run
//! locally and in AWS; and the shop needs six calls. This adapter reads only the
//! fields it uses (`wire::IntentBody`) over the hyper/rustls
//! stack the AWS SDK already compiles in.

use crate::domain::error::ShopError;
use crate::domain::payment::PaymentIntent;
use wire::{IntentBody, PaymentMethodBody, RefundBody, RefundList, ORDER_ID_METADATA};

mod http;
mod webhook;
mod wire;

pub use http::Stripe;

pub use webhook::{parse_event, verify_signature, SignatureError, WEBHOOK_TOLERANCE_SECONDS};

/// What the fraud check learns about a card from the payment provider.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardFacts {
    /// The same for every PaymentMethod made from one card number.
    pub fingerprint: Option<String>,
    /// The issuing country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
}

/// A PaymentIntent to create, not yet confirmed.
#[derive(Debug, Clone)]
pub struct IntentRequest<'a> {
    pub order_id: &'a str,
    pub amount: i64,
    /// ISO 4217, any case.
    pub currency: &'a str,
    pub payment_method: &'a str,
}

/// Stripe's answer to creating or confirming a PaymentIntent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IntentAnswer {
    /// Created, or confirmed: succeeded, or waiting (e.g. for 3-D Secure).
    Intent(PaymentIntent),
    /// Refused for the customer's payment: the card was declined (402), or the request
    /// cannot succeed as made (400: an unknown or unusable PaymentMethod; 404). Retrying
    /// would only hold the order's stock until its window ends.
    Declined { code: String },
}

/// Stripe's statuses that refuse the payment itself (see [`IntentAnswer::Declined`]).
/// 401/403 (the shop's own key), 409 (a concurrent request with the same idempotency
/// key), 429 and 5xx are the shop's or Stripe's trouble: retried, never a decline.
fn declines(status: u16) -> bool {
    matches!(status, 400 | 402 | 404)
}

/// The payment provider as the checkout uses it. Every call that can move money takes
/// an idempotency key, so a retried call never charges or refunds twice at Stripe.
#[async_trait::async_trait]
pub trait PaymentGateway: Send + Sync {
    /// `None` when the PaymentMethod does not exist.
    async fn card(&self, payment_method: &str) -> Result<Option<CardFacts>, ShopError>;
    async fn create_intent(
        &self,
        request: &IntentRequest<'_>,
        idempotency_key: &str,
    ) -> Result<IntentAnswer, ShopError>;
    async fn confirm_intent(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> Result<IntentAnswer, ShopError>;
    async fn intent(&self, id: &str) -> Result<PaymentIntent, ShopError>;
    /// Cancels an intent that has not succeeded. `None` when Stripe refuses because it
    /// can no longer be cancelled (it succeeded meanwhile): the caller refunds instead.
    async fn cancel_intent(&self, id: &str) -> Result<Option<PaymentIntent>, ShopError>;
    /// Refunds `amount` of a succeeded intent, tagged with the shop's refund id (so it can
    /// be found again by [`PaymentGateway::find_refund`]).
    async fn refund(
        &self,
        request: &RefundRequest<'_>,
        idempotency_key: &str,
    ) -> Result<RefundAnswer, ShopError>;
    /// The Stripe refund of `intent_id` the shop made as `shop_refund_id`, if one exists:
    /// how an execution that may have died after Stripe answered finds out, even where
    /// idempotency keys are not kept (the local engine; Stripe after 24 hours).
    async fn find_refund(
        &self,
        intent_id: &str,
        shop_refund_id: &str,
    ) -> Result<Option<String>, ShopError>;
}

/// A refund to make at Stripe.
#[derive(Debug, Clone)]
pub struct RefundRequest<'a> {
    pub intent_id: &'a str,
    pub amount: i64,
    /// The shop's id of the refund (its claim), kept in the refund's metadata.
    pub refund_id: &'a str,
    pub order_id: &'a str,
}

/// Stripe's answer to a refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAnswer {
    /// Made (Stripe's refund id).
    Refunded { id: String },
    /// Refused as asked (400/402/404: the charge is gone, already refunded, the amount
    /// too large...): retrying the same request cannot succeed; a person must look.
    Refused { code: String },
}

/// The metadata key naming the shop's refund a Stripe refund is.
pub const REFUND_ID_METADATA: &str = "shopRefundId";

#[async_trait::async_trait]
impl PaymentGateway for Stripe {
    async fn card(&self, payment_method: &str) -> Result<Option<CardFacts>, ShopError> {
        let path = format!("/v1/payment_methods/{}", encode_path(payment_method));
        match self
            .call::<PaymentMethodBody>(hyper::Method::GET, &path, &[], None)
            .await?
        {
            Ok(pm) => Ok(Some(pm.card.map_or_else(CardFacts::default, |c| {
                CardFacts {
                    fingerprint: c.fingerprint,
                    country: c.country.map(|c| c.to_ascii_uppercase()),
                }
            }))),
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn create_intent(
        &self,
        r: &IntentRequest<'_>,
        idempotency_key: &str,
    ) -> Result<IntentAnswer, ShopError> {
        let form = [
            ("amount", r.amount.to_string()),
            ("currency", r.currency.to_ascii_lowercase()),
            ("payment_method", r.payment_method.to_owned()),
            // Cards only: confirmed by the shop's server, a card needing 3-D Secure waits
            // for the customer (requires_action) instead of needing a return URL.
            ("payment_method_types[]", "card".to_owned()),
            (metadata_key(), r.order_id.to_owned()),
        ];
        match self
            .call::<IntentBody>(
                hyper::Method::POST,
                "/v1/payment_intents",
                &form,
                Some(idempotency_key),
            )
            .await?
        {
            Ok(intent) => Ok(IntentAnswer::Intent(intent.into_intent())),
            Err(e) if declines(e.status) => Ok(e.declined()),
            Err(e) => Err(e.into()),
        }
    }

    async fn confirm_intent(
        &self,
        id: &str,
        idempotency_key: &str,
    ) -> Result<IntentAnswer, ShopError> {
        let path = format!("/v1/payment_intents/{}/confirm", encode_path(id));
        match self
            .call::<IntentBody>(hyper::Method::POST, &path, &[], Some(idempotency_key))
            .await?
        {
            Ok(intent) => Ok(IntentAnswer::Intent(intent.into_intent())),
            Err(e) if declines(e.status) => Ok(e.declined()),
            Err(e) => Err(e.into()),
        }
    }

    async fn intent(&self, id: &str) -> Result<PaymentIntent, ShopError> {
        let path = format!("/v1/payment_intents/{}", encode_path(id));
        Ok(self
            .call::<IntentBody>(hyper::Method::GET, &path, &[], None)
            .await??
            .into_intent())
    }

    async fn cancel_intent(&self, id: &str) -> Result<Option<PaymentIntent>, ShopError> {
        let path = format!("/v1/payment_intents/{}/cancel", encode_path(id));
        match self
            .call::<IntentBody>(hyper::Method::POST, &path, &[], None)
            .await?
        {
            Ok(intent) => Ok(Some(intent.into_intent())),
            // Stripe refuses to cancel a succeeded intent with a 400.
            Err(e) if e.status == 400 => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn refund(
        &self,
        r: &RefundRequest<'_>,
        idempotency_key: &str,
    ) -> Result<RefundAnswer, ShopError> {
        let form = [
            ("payment_intent", r.intent_id.to_owned()),
            ("amount", r.amount.to_string()),
            (refund_metadata_key(), r.refund_id.to_owned()),
            (metadata_key(), r.order_id.to_owned()),
        ];
        match self
            .call::<RefundBody>(
                hyper::Method::POST,
                "/v1/refunds",
                &form,
                Some(idempotency_key),
            )
            .await?
        {
            Ok(refund) => Ok(RefundAnswer::Refunded { id: refund.id }),
            // Stripe's code; an answer without one (the local engine's) is named as Stripe
            // names a 404 (`resource_missing`: the intent or its charge is gone).
            Err(e) if declines(e.status) => Ok(RefundAnswer::Refused {
                code: e.code.unwrap_or_else(|| {
                    if e.status == 404 {
                        "resource_missing"
                    } else {
                        "refund_refused"
                    }
                    .to_owned()
                }),
            }),
            Err(e) => Err(e.into()),
        }
    }

    async fn find_refund(
        &self,
        intent_id: &str,
        shop_refund_id: &str,
    ) -> Result<Option<String>, ShopError> {
        // An order's refunds are few (one per cause): one page of 100 holds them.
        let path = format!(
            "/v1/refunds?payment_intent={}&limit=100",
            encode_path(intent_id)
        );
        match self
            .call::<RefundList>(hyper::Method::GET, &path, &[], None)
            .await?
        {
            Ok(list) => Ok(list
                .data
                .into_iter()
                // A refund Stripe failed or canceled gave nothing back: another is made.
                .filter(|r| !matches!(r.status.as_deref(), Some("failed" | "canceled")))
                .find(|r| {
                    r.metadata.get(REFUND_ID_METADATA).map(String::as_str) == Some(shop_refund_id)
                })
                .map(|r| r.id)),
            // The intent is gone: so is any refund of it.
            Err(e) if e.status == 404 => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

fn refund_metadata_key() -> &'static str {
    const KEY: &str = "metadata[shopRefundId]";
    debug_assert_eq!(KEY, format!("metadata[{REFUND_ID_METADATA}]"));
    KEY
}

fn metadata_key() -> &'static str {
    // `metadata[orderId]`, spelled once with the domain's key name.
    const KEY: &str = "metadata[orderId]";
    debug_assert_eq!(KEY, format!("metadata[{ORDER_ID_METADATA}]"));
    KEY
}

/// Stripe ids are `[A-Za-z0-9_]`; anything else is percent-encoded so an id can never
/// change the path it is put in.
fn encode_path(id: &str) -> String {
    form_urlencoded::byte_serialize(id.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_escape_their_path_segment() {
        assert_eq!(encode_path("pi_123"), "pi_123");
        assert_eq!(
            encode_path("../v1/refunds?x=1"),
            "..%2Fv1%2Frefunds%3Fx%3D1"
        );
        assert_eq!(metadata_key(), "metadata[orderId]");
    }

    #[test]
    fn the_key_never_shows_in_debug_output() {
        let stripe = Stripe::new("https://api.stripe.com", "sk_live_secret".into()).unwrap();
        assert!(!format!("{stripe:?}").contains("sk_live"));
    }
}
