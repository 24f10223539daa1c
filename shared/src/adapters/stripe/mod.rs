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

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::time::Duration;

use crate::domain::error::ShopError;
use crate::domain::payment::PaymentIntent;
use wire::{IntentBody, ORDER_ID_METADATA};

mod webhook;
mod wire;

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
    /// Refunds `amount` of a succeeded intent; returns the refund's id.
    async fn refund(
        &self,
        intent_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<String, ShopError>;
}

type HttpsClient = Client<hyper_rustls::HttpsConnector<HttpConnector>, Full<Bytes>>;

/// Stripe's API at `base_url` (`https://api.stripe.com`, or the local engine).
#[derive(Clone)]
pub struct Stripe {
    http: HttpsClient,
    base_url: String,
    api_key: String,
}

impl std::fmt::Debug for Stripe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        f.debug_struct("Stripe")
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// One call's longest wait: Stripe answers in well under a second; a hung call must
/// fail (and be retried) long before the function's own timeout.
const CALL_TIMEOUT: Duration = Duration::from_secs(8);

#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Deserialize)]
struct ErrorDetail {
    code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct PaymentMethodBody {
    card: Option<CardBody>,
}

#[derive(Deserialize)]
struct CardBody {
    fingerprint: Option<String>,
    country: Option<String>,
}

#[derive(Deserialize)]
struct RefundBody {
    id: String,
}

/// A failed call: its HTTP status and Stripe's error code and message.
struct CallError {
    status: u16,
    code: Option<String>,
    message: String,
}

impl CallError {
    /// The refusal as a decline, named by Stripe's code (`card_declined`, `resource_missing`, ...).
    fn declined(self) -> IntentAnswer {
        let fallback = if self.status == 402 {
            "card_declined"
        } else {
            "payment_refused"
        };
        IntentAnswer::Declined {
            code: self.code.unwrap_or_else(|| fallback.into()),
        }
    }
}

impl From<CallError> for ShopError {
    fn from(e: CallError) -> Self {
        ShopError::internal(format!(
            "Stripe answered {}: {} ({:?})",
            e.status, e.message, e.code
        ))
    }
}

impl Stripe {
    pub fn new(base_url: &str, api_key: String) -> Result<Stripe, String> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls_provider())
            .map_err(|e| format!("TLS setup: {e}"))?
            // Plain http only for the local engine on loopback; Stripe itself is https.
            .https_or_http()
            .enable_http1()
            .build();
        Ok(Stripe {
            http: Client::builder(TokioExecutor::new()).build(https),
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
        })
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        method: hyper::Method,
        path: &str,
        form: &[(&str, String)],
        idempotency_key: Option<&str>,
    ) -> Result<Result<T, CallError>, ShopError> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base_url))
            .header("authorization", format!("Bearer {}", self.api_key))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(ShopError::internal)?;
        let response = tokio::time::timeout(CALL_TIMEOUT, self.http.request(request))
            .await
            .map_err(|_| ShopError::Unavailable("Stripe did not answer in time".into()))?
            .map_err(|e| ShopError::Unavailable(format!("Stripe unreachable: {e}")))?;
        let status = response.status().as_u16();
        let bytes = tokio::time::timeout(CALL_TIMEOUT, response.into_body().collect())
            .await
            .map_err(|_| ShopError::Unavailable("Stripe's answer did not arrive in time".into()))?
            .map_err(|e| ShopError::Unavailable(format!("reading Stripe's answer: {e}")))?
            .to_bytes();
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes)
                .map(Ok)
                .map_err(|e| ShopError::internal(format!("unreadable answer from Stripe: {e}")));
        }
        if status == 429 || status >= 500 {
            return Err(ShopError::Unavailable(format!("Stripe answered {status}")));
        }
        let detail = serde_json::from_slice::<ErrorBody>(&bytes)
            .ok()
            .map(|b| b.error);
        Ok(Err(CallError {
            status,
            code: detail.as_ref().and_then(|d| d.code.clone()),
            message: detail
                .and_then(|d| d.message)
                .unwrap_or_else(|| "no message".into()),
        }))
    }
}

fn rustls_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::aws_lc_rs::default_provider()
}

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
        intent_id: &str,
        amount: i64,
        idempotency_key: &str,
    ) -> Result<String, ShopError> {
        let form = [
            ("payment_intent", intent_id.to_owned()),
            ("amount", amount.to_string()),
        ];
        let refund: RefundBody = self
            .call(
                hyper::Method::POST,
                "/v1/refunds",
                &form,
                Some(idempotency_key),
            )
            .await??;
        Ok(refund.id)
    }
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
