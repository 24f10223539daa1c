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
static AWS_ROOTS_PEM: &[u8] = include_bytes!("../certs/aws-roots.pem");

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

/// Records the IAM action of every AWS call a function makes, as a log line
/// (`"iamAction":"dynamodb:PutItem"`), when `SHOP_AUDIT_SDK_CALLS=1` (the local stack
/// sets it; AWS does not). The integration suite compares what each function did with
/// what `template.yaml` grants it, so a new call without a grant fails in CI instead
/// of as an AccessDenied in AWS (LocalStack does not enforce IAM).
pub mod audit {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
    use aws_smithy_runtime_api::box_error::BoxError;
    use aws_smithy_runtime_api::client::interceptors::context::BeforeSerializationInterceptorContextRef;
    use aws_smithy_runtime_api::client::interceptors::Intercept;
    use aws_smithy_runtime_api::client::orchestrator::Metadata;
    use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
    use aws_smithy_types::config_bag::ConfigBag;

    pub fn enabled() -> bool {
        std::env::var("SHOP_AUDIT_SDK_CALLS").is_ok_and(|v| v == "1")
    }

    /// The IAM prefix of an SDK service id.
    fn iam_prefix(service: &str) -> &str {
        match service {
            "DynamoDB" => "dynamodb",
            "Cognito Identity Provider" => "cognito-idp",
            "SESv2" => "ses",
            "SQS" => "sqs",
            "SFN" => "states",
            "Secrets Manager" => "secretsmanager",
            "S3" => "s3",
            "OpenSearch" => "es",
            "EventBridge" => "events",
            other => other,
        }
    }

    /// The actions IAM authorises for one call. A transaction is authorised per item
    /// (PutItem, UpdateItem, DeleteItem, ConditionCheckItem), not as itself.
    pub fn iam_actions(
        service: &str,
        operation: &str,
        transaction: Option<&TransactWriteItemsInput>,
    ) -> Vec<String> {
        let prefix = iam_prefix(service);
        match transaction {
            Some(tx) => tx
                .transact_items()
                .iter()
                .map(|item| {
                    let action = if item.put().is_some() {
                        "PutItem"
                    } else if item.update().is_some() {
                        "UpdateItem"
                    } else if item.delete().is_some() {
                        "DeleteItem"
                    } else {
                        "ConditionCheckItem"
                    };
                    format!("{prefix}:{action}")
                })
                .collect(),
            None => vec![format!("{prefix}:{}", iam_operation(service, operation))],
        }
    }

    /// The action IAM checks for an operation: SQS authorises its batch calls as their
    /// single form (`SendMessageBatch` needs `sqs:SendMessage`); DynamoDB's batch calls
    /// are actions of their own.
    fn iam_operation<'a>(service: &str, operation: &'a str) -> &'a str {
        match service {
            "SQS" => operation.strip_suffix("Batch").unwrap_or(operation),
            _ => operation,
        }
    }

    /// Logs each call's IAM actions; `recording` keeps them in memory instead (tests).
    #[derive(Debug, Clone, Default)]
    pub struct SdkCallAudit {
        recorded: Option<std::sync::Arc<std::sync::Mutex<Vec<String>>>>,
    }

    impl SdkCallAudit {
        pub fn logging() -> Self {
            SdkCallAudit::default()
        }

        pub fn recording() -> (Self, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
            let recorded = std::sync::Arc::default();
            (
                SdkCallAudit {
                    recorded: Some(std::sync::Arc::clone(&recorded)),
                },
                recorded,
            )
        }
    }

    impl Intercept for SdkCallAudit {
        fn name(&self) -> &'static str {
            "SdkCallAudit"
        }

        // Not `read_before_execution`: a client-level interceptor runs that hook before
        // the operation's configuration (which names the operation) is applied.
        fn read_before_serialization(
            &self,
            context: &BeforeSerializationInterceptorContextRef<'_>,
            _components: &RuntimeComponents,
            cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            if let Some(meta) = cfg.load::<Metadata>() {
                let tx = context.input().downcast_ref::<TransactWriteItemsInput>();
                let mut actions = iam_actions(meta.service(), meta.name(), tx);
                actions.sort();
                actions.dedup();
                match &self.recorded {
                    Some(recorded) => recorded
                        .lock()
                        .map_err(|_| "audit record poisoned")?
                        .extend(actions),
                    None => {
                        for action in actions {
                            tracing::info!(iam_action = %action, "aws call");
                        }
                    }
                }
            }
            Ok(())
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};
        use std::collections::HashMap;

        #[test]
        fn calls_become_iam_actions() {
            assert_eq!(
                iam_actions("DynamoDB", "GetItem", None),
                ["dynamodb:GetItem"]
            );
            assert_eq!(
                iam_actions("Cognito Identity Provider", "AdminCreateUser", None),
                ["cognito-idp:AdminCreateUser"]
            );
            assert_eq!(iam_actions("SESv2", "SendEmail", None), ["ses:SendEmail"]);
            assert_eq!(
                iam_actions("SQS", "SendMessageBatch", None),
                ["sqs:SendMessage"]
            );
            assert_eq!(
                iam_actions("DynamoDB", "BatchGetItem", None),
                ["dynamodb:BatchGetItem"]
            );
            assert_eq!(
                iam_actions("EventBridge", "PutEvents", None),
                ["events:PutEvents"]
            );
            let key = HashMap::from([(
                "PK".to_owned(),
                aws_sdk_dynamodb::types::AttributeValue::S("x".into()),
            )]);
            let tx = TransactWriteItemsInput::builder()
                .transact_items(
                    TransactWriteItem::builder()
                        .put(
                            Put::builder()
                                .table_name("t")
                                .set_item(Some(key.clone()))
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .transact_items(
                    TransactWriteItem::builder()
                        .delete(
                            Delete::builder()
                                .table_name("t")
                                .set_key(Some(key))
                                .build()
                                .unwrap(),
                        )
                        .build(),
                )
                .build()
                .unwrap();
            assert_eq!(
                iam_actions("DynamoDB", "TransactWriteItems", Some(&tx)),
                ["dynamodb:PutItem", "dynamodb:DeleteItem"]
            );
        }
    }
}
