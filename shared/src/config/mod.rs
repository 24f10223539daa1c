//! What a function needs at cold start, built once and shared by every invocation
//! of its execution environment: the SDK configuration, settings from the
//! environment, and the clients of *this* function only ([`Dependency`]). A
//! function that lacks a setting it needs fails at init, naming it, never at
//! request time.

use std::fmt;

use crate::adapters::carrier::Carrier;
use crate::adapters::cognito::Cognito;
use crate::adapters::mail::{SesMailer, SqsMailQueue};
use crate::adapters::saga::{CheckoutStarter, StepFunctionsTasks};
use crate::adapters::search::{IndexWriter, SearchIndex};
use crate::adapters::stripe::Stripe;
use crate::adapters::uploads::Uploads;
use crate::domain::fulfilment::CollectionSchedule;
use crate::domain::order::PendingLimits;
use crate::store::Store;

mod logging;
pub use logging::{init_tracing, log_level};

/// Why a function could not start. Lambda reports it as an init error.
#[derive(Debug)]
pub struct InitError(String);

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InitError {}

/// The environment of one execution environment: its SDK configuration and settings.
pub struct Env {
    sdk: aws_config::SdkConfig,
}

impl Env {
    pub async fn load() -> Env {
        Env {
            sdk: crate::sdk::config().await,
        }
    }

    /// The environment of an operator's command (`tools/`): the same settings, with
    /// call timeouts of [`crate::sdk::CallBudget::for_operator_tool`].
    pub async fn load_for_tool() -> Env {
        Env {
            sdk: crate::sdk::config_with(crate::sdk::CallBudget::for_operator_tool()).await,
        }
    }

    pub fn sdk(&self) -> &aws_config::SdkConfig {
        &self.sdk
    }

    /// A setting this function cannot run without: `needed_for` says what for.
    pub fn required(&self, name: &str, needed_for: &str) -> Result<String, InitError> {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                InitError(format!(
                    "{name} is not set; this function needs it for {needed_for}"
                ))
            })
    }
}

/// An SDK client for this environment, with the call audit when it is on.
macro_rules! client {
    ($sdk:ident, $env:expr) => {{
        let mut config = $sdk::config::Builder::from($env.sdk());
        if crate::sdk::audit::enabled() {
            config = config.interceptor(crate::sdk::audit::SdkCallAudit::logging());
        }
        $sdk::Client::from_conf(config.build())
    }};
}

/// A client or resource a function declares it needs; built from the environment
/// at cold start. Tuples of dependencies are dependencies.
#[async_trait::async_trait]
pub trait Dependency: Sized + Send + Sync + 'static {
    async fn from_env(env: &Env) -> Result<Self, InitError>;

    /// A cheap call during init that opens the connection (and, in AWS, does the TLS
    /// handshake) in Lambda's init phase, so the first caller does not pay for it.
    async fn warm_up(&self) {}
}

#[async_trait::async_trait]
impl Dependency for Store {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        let table = env.required("TABLE_NAME", "the shop table")?;
        Ok(Store::new(client!(aws_sdk_dynamodb, env), table))
    }

    async fn warm_up(&self) {
        Store::warm_up(self).await
    }
}

/// How much a customer may hold awaiting payment: `MAX_PENDING_ORDERS` and
/// `MAX_PENDING_UNITS`, each a positive whole number, or the defaults when unset.
#[async_trait::async_trait]
impl Dependency for PendingLimits {
    async fn from_env(_: &Env) -> Result<Self, InitError> {
        let default = PendingLimits::default();
        Ok(PendingLimits {
            orders: positive("MAX_PENDING_ORDERS", default.orders)?,
            units: positive("MAX_PENDING_UNITS", default.units)?,
        })
    }
}

fn positive(name: &str, default: u32) -> Result<u32, InitError> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(v) => {
            v.parse::<u32>().ok().filter(|n| *n > 0).ok_or_else(|| {
                InitError(format!("{name} must be a positive whole number, not {v:?}"))
            })
        }
    }
}

#[async_trait::async_trait]
impl Dependency for Cognito {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(Cognito::new(
            client!(aws_sdk_cognitoidentityprovider, env),
            env.required("USER_POOL_ID", "the identity provider")?,
            env.required("USER_POOL_CLIENT_ID", "the identity provider")?,
        ))
    }
}

#[async_trait::async_trait]
impl Dependency for SqsMailQueue {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(SqsMailQueue::new(
            client!(aws_sdk_sqs, env),
            env.required("MAIL_QUEUE_URL", "queueing mail")?,
        ))
    }
}

#[async_trait::async_trait]
impl Dependency for SesMailer {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(SesMailer::new(
            client!(aws_sdk_sesv2, env),
            env.required("MAIL_FROM", "the sender address of mails")?,
            std::env::var("SHOP_NAME")
                .ok()
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| "Shop".to_owned()),
        ))
    }
}

/// A secret's current value from Secrets Manager, read once per cold start.
async fn secret(env: &Env, variable: &str, needed_for: &str) -> Result<String, InitError> {
    let name = env.required(variable, needed_for)?;
    let client = client!(aws_sdk_secretsmanager, env);
    let out = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .map_err(|e| {
            InitError(format!(
                "reading secret {name} ({variable}) for {needed_for}: {}",
                aws_sdk_secretsmanager::error::DisplayErrorContext(e)
            ))
        })?;
    out.secret_string
        .filter(|s| !s.is_empty())
        .ok_or_else(|| InitError(format!("secret {name} ({variable}) has no string value")))
}

#[async_trait::async_trait]
impl Dependency for Stripe {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        let base = std::env::var("STRIPE_API_BASE")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "https://api.stripe.com".to_owned());
        let key = secret(env, "STRIPE_API_KEY_SECRET", "calling Stripe").await?;
        Stripe::new(&base, key).map_err(InitError)
    }
}

/// The secret Stripe signs this endpoint's webhooks with.
pub struct WebhookSecret(pub String);

#[async_trait::async_trait]
impl Dependency for WebhookSecret {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(WebhookSecret(
            secret(env, "STRIPE_WEBHOOK_SECRET", "verifying Stripe's webhooks").await?,
        ))
    }
}

/// An S3 client. Behind an endpoint override (the local stack's S3) keys go in the path
/// (`http://127.0.0.1:4566/<bucket>/<key>`): virtual-hosted names do not resolve there.
fn s3_client(env: &Env) -> aws_sdk_s3::Client {
    let mut config = aws_sdk_s3::config::Builder::from(env.sdk());
    if std::env::var_os("AWS_ENDPOINT_URL").is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
    {
        config = config.force_path_style(true);
    }
    if crate::sdk::audit::enabled() {
        config = config.interceptor(crate::sdk::audit::SdkCallAudit::logging());
    }
    aws_sdk_s3::Client::from_conf(config.build())
}

/// The import bucket.
#[async_trait::async_trait]
impl Dependency for Uploads {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(Uploads::new(
            s3_client(env),
            env.required("IMPORT_BUCKET", "catalog imports")?,
        ))
    }
}

/// The carrier's collection slots (`CARRIER_SCHEDULE`, the template's
/// `CarrierCollectionSchedule`: the same expression the hand-off's schedule fires on), for
/// delivery estimates.
#[async_trait::async_trait]
impl Dependency for CollectionSchedule {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        let expression = env.required(
            "CARRIER_SCHEDULE",
            "delivery estimates (the carrier's collection slots)",
        )?;
        CollectionSchedule::from_cron(&expression).map_err(|e| {
            InitError(format!(
                "CARRIER_SCHEDULE {:?} cannot be used: {}",
                e.expression, e.reason
            ))
        })
    }
}

/// The carrier bucket and the carrier's name.
#[async_trait::async_trait]
impl Dependency for Carrier {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(Carrier::new(
            s3_client(env),
            env.required("CARRIER_BUCKET", "the files exchanged with the carrier")?,
            env.required("CARRIER_NAME", "naming the carrier on shipments")?,
        ))
    }
}

#[async_trait::async_trait]
impl Dependency for CheckoutStarter {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(CheckoutStarter::new(
            client!(aws_sdk_sfn, env),
            env.required("CHECKOUT_STATE_MACHINE_ARN", "starting checkouts")?,
        ))
    }
}

#[async_trait::async_trait]
impl Dependency for StepFunctionsTasks {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(StepFunctionsTasks::new(client!(aws_sdk_sfn, env)))
    }
}

/// The search index: `OPENSEARCH_URL` when given (the local node; an `https` URL is
/// signed with SigV4), else the endpoint of the OpenSearch Service domain named by
/// `OPENSEARCH_DOMAIN`, looked up once per cold start. `SEARCH_INDEX` names the alias.
#[async_trait::async_trait]
impl Dependency for SearchIndex {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        let alias = std::env::var("SEARCH_INDEX")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "products".to_owned());
        let url = match std::env::var("OPENSEARCH_URL")
            .ok()
            .filter(|v| !v.is_empty())
        {
            Some(url) => url,
            None => {
                let domain = env.required("OPENSEARCH_DOMAIN", "finding the search domain")?;
                let out = client!(aws_sdk_opensearch, env)
                    .describe_domain()
                    .domain_name(&domain)
                    .send()
                    .await
                    .map_err(|e| {
                        InitError(format!(
                            "describing search domain {domain}: {}",
                            aws_sdk_opensearch::error::DisplayErrorContext(e)
                        ))
                    })?;
                let status = out.domain_status;
                let endpoint = status
                    .as_ref()
                    .and_then(|s| {
                        s.endpoint
                            .clone()
                            .or_else(|| s.endpoints.as_ref()?.get("vpc").cloned())
                    })
                    .ok_or_else(|| {
                        InitError(format!("search domain {domain} has no endpoint yet"))
                    })?;
                format!("https://{endpoint}")
            }
        };
        let sign = url.starts_with("https://").then(|| env.sdk());
        SearchIndex::new(&url, alias, sign).map_err(InitError)
    }

    async fn warm_up(&self) {
        SearchIndex::warm_up(self).await
    }
}

#[async_trait::async_trait]
impl Dependency for IndexWriter {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        let index = SearchIndex::from_env(env).await?;
        index.ensure().await.map_err(|e| {
            InitError(format!(
                "making sure of search index {}: {e}",
                index.alias()
            ))
        })?;
        Ok(IndexWriter(index))
    }
}

macro_rules! tuple_dependency {
    ($($name:ident),+) => {
        #[async_trait::async_trait]
        impl<$($name: Dependency),+> Dependency for ($($name,)+) {
            // Concurrently: a secret's read need not wait for another's.
            #[allow(non_snake_case)]
            async fn from_env(env: &Env) -> Result<Self, InitError> {
                let ($($name,)+) = tokio::try_join!($($name::from_env(env)),+)?;
                Ok(($($name,)+))
            }

            #[allow(non_snake_case)]
            async fn warm_up(&self) {
                let ($($name,)+) = self;
                tokio::join!($($name.warm_up()),+);
            }
        }
    };
}

tuple_dependency!(A, B);
tuple_dependency!(A, B, C);
tuple_dependency!(A, B, C, D);

// After payment: refunds and returns (declared after `client!`, which it uses).
mod after_payment;
// Low stock: the watcher's queue, the event bus, the default threshold.
mod stock;
