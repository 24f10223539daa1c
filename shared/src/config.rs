//! Configuration and AWS clients, built once per cold start and shared by every
//! invocation of that execution environment.

use crate::error::ShopError;
use crate::services::identity::IdentityProvider;
use crate::store::Store;

/// Everything a handler may touch.
#[derive(Clone, Debug)]
pub struct App {
    pub store: Store,
    /// Present in functions that sign users up or in (`USER_POOL_ID` set).
    pub identity: Option<IdentityProvider>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl App {
    /// Reads `TABLE_NAME` (required), `USER_POOL_ID` and `USER_POOL_CLIENT_ID`.
    /// Endpoints come from the SDK's own settings (`AWS_ENDPOINT_URL`,
    /// `AWS_ENDPOINT_URL_<SERVICE>`), so code never knows whether it runs locally.
    pub async fn from_env() -> Result<App, ShopError> {
        let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
        let table =
            env("TABLE_NAME").ok_or_else(|| ShopError::internal("TABLE_NAME is not set"))?;
        let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), table);
        let identity = match (env("USER_POOL_ID"), env("USER_POOL_CLIENT_ID")) {
            (Some(user_pool_id), Some(client_id)) => Some(IdentityProvider {
                client: aws_sdk_cognitoidentityprovider::Client::new(&sdk),
                user_pool_id,
                client_id,
            }),
            _ => None,
        };
        Ok(App { store, identity })
    }

    pub fn identity(&self) -> Result<&IdentityProvider, ShopError> {
        self.identity
            .as_ref()
            .ok_or_else(|| ShopError::internal("USER_POOL_ID / USER_POOL_CLIENT_ID are not set"))
    }
}

/// JSON logs to stdout (CloudWatch), level from `RUST_LOG` (default info).
pub fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_target(false)
        .without_time()
        .try_init();
}
