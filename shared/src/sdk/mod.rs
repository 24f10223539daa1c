//! The AWS SDK configuration every function starts from, built for a short init:
//!
//! - Credentials and region come from the environment, where Lambda puts them. The
//!   default chain would also build profile, SSO, web-identity (an STS client) and
//!   metadata providers, none of which a function uses.
//! - The HTTPS client trusts the roots AWS endpoints chain to, compiled in
//!   (`shared/certs/`), instead of parsing the system's CA bundle at cold start.
//!
//! Endpoints still follow `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>`, which is
//! how the local stack (plain http) is reached.

use aws_config::environment::{
    EnvironmentVariableCredentialsProvider, EnvironmentVariableRegionProvider,
};
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, SdkConfig};
use aws_smithy_http_client::tls::{self, rustls_provider::CryptoMode, TlsContext, TrustStore};
use std::time::Duration;

/// Amazon Root CA 1-4 and Starfield Services Root CA G2 (see `shared/certs/README.md`).
static AWS_ROOTS_PEM: &[u8] = include_bytes!("../../certs/aws-roots.pem");

/// An HTTPS client that trusts only [`AWS_ROOTS_PEM`].
pub fn https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    let trust = TrustStore::empty()
        .with_native_roots(false)
        .with_pem_certificate(AWS_ROOTS_PEM);
    let tls_context = TlsContext::builder()
        .with_trust_store(trust)
        .build()
        .expect("the compiled-in roots form a valid TLS context");
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls_context)
        .build_https()
}

/// The configuration of a function, whose calls fit inside its own timeout.
pub async fn config() -> SdkConfig {
    config_with(CallBudget::for_function(function_timeout())).await
}

/// The configuration for calls that must end within `budget`.
pub async fn config_with(budget: CallBudget) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .credentials_provider(EnvironmentVariableCredentialsProvider::new())
        .region(EnvironmentVariableRegionProvider::new())
        .timeout_config(budget.timeouts())
        .retry_config(RetryConfig::standard().with_max_attempts(CallBudget::ATTEMPTS))
        .load()
        .await
}

/// The function's own timeout, from `SHOP_FUNCTION_TIMEOUT_SECONDS` (template.yaml sets
/// it from `FunctionTimeout`); Lambda's default of 3 s when unset or unreadable.
fn function_timeout() -> Duration {
    let seconds = std::env::var("SHOP_FUNCTION_TIMEOUT_SECONDS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
        .filter(|s| *s > 0)
        .unwrap_or(3);
    Duration::from_secs(seconds)
}

/// How long one AWS call may take, so that a stalled call is cut and retried inside the
/// function's timeout instead of hanging until Lambda kills the function (and, for a
/// route, API Gateway answers 503 with nothing logged).
///
/// Measured: DynamoDB calls take p50 3 ms / p99 37 ms against DynamoDB Local under a few
/// concurrent clients (single-digit ms in AWS); SQS, Step Functions and Secrets Manager
/// calls through LocalStack tens of ms; none came near a second outside a stall. So the
/// budget is the function's: all attempts together end a second before the function
/// would (9 s of AWS's 10 s), each attempt gets a third of that (3 s: ~80x the worst
/// p99 measured), and a connection 2 s. Three attempts with the standard mode's jittered
/// backoff. A cut attempt may have been applied: every write the shop retries is
/// conditional or idempotent (transactions by their conditions, executions by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallBudget {
    pub operation: Duration,
    pub attempt: Duration,
    pub connect: Duration,
}

impl CallBudget {
    pub const ATTEMPTS: u32 = 3;

    /// An operator's command (`tools/`), which no Lambda timeout bounds: it reads and
    /// writes in bursts (a reindex asks for 100 products at once) from a machine that
    /// may be far from the region or share a laptop with the local stack, so each call
    /// gets 30 s and each attempt 10 s. A function's 2 s budget cut 32 of such reads on
    /// a loaded 2-core CI machine.
    pub fn for_operator_tool() -> CallBudget {
        CallBudget::for_function(Duration::from_secs(31))
    }

    pub fn for_function(timeout: Duration) -> CallBudget {
        let operation = timeout
            .saturating_sub(Duration::from_secs(1))
            .max(Duration::from_secs(1));
        let attempt = (operation / Self::ATTEMPTS).max(Duration::from_millis(500));
        CallBudget {
            operation,
            attempt,
            connect: Duration::from_secs(2).min(attempt),
        }
    }

    fn timeouts(&self) -> TimeoutConfig {
        TimeoutConfig::builder()
            .operation_timeout(self.operation)
            .operation_attempt_timeout(self.attempt)
            .connect_timeout(self.connect)
            .build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_end_inside_the_function_timeout() {
        let aws = CallBudget::for_function(Duration::from_secs(10));
        assert_eq!(
            (aws.operation, aws.attempt, aws.connect),
            (
                Duration::from_secs(9),
                Duration::from_secs(3),
                Duration::from_secs(2)
            )
        );
        let local = CallBudget::for_function(Duration::from_secs(29));
        assert_eq!(local.operation, Duration::from_secs(28));
        assert!(local.attempt * CallBudget::ATTEMPTS <= local.operation);
        let tiny = CallBudget::for_function(Duration::from_secs(1));
        assert_eq!(
            (tiny.operation, tiny.attempt, tiny.connect),
            (
                Duration::from_secs(1),
                Duration::from_millis(500),
                Duration::from_millis(500)
            )
        );
    }

    #[test]
    fn the_compiled_in_roots_are_the_five_aws_roots() {
        let text = std::str::from_utf8(AWS_ROOTS_PEM).unwrap();
        assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 5);
        // Building the client parses them; a broken file would panic here, not at cold start.
        let _ = https_client();
    }
}

pub mod audit;
