//! The HTTP under the Stripe adapter: one client over the hyper/rustls stack the AWS SDK
//! compiles in, one call with its timeouts, and Stripe's error bodies read into [`CallError`].

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use serde::Deserialize;
use std::time::Duration;

use super::IntentAnswer;
use crate::domain::error::ShopError;

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

/// A failed call: its HTTP status and Stripe's error code and message.
pub(super) struct CallError {
    pub(super) status: u16,
    pub(super) code: Option<String>,
    pub(super) message: String,
}

impl CallError {
    /// The refusal as a decline, named by Stripe's code (`card_declined`, `resource_missing`, ...).
    pub(super) fn declined(self) -> IntentAnswer {
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

    pub(super) async fn call<T: serde::de::DeserializeOwned>(
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
