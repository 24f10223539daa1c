//! The dependencies of low stock: the watcher's FIFO queue (for the stream's product
//! reader), the shop's event bus and the default threshold (for the watcher).

use super::{Dependency, Env, InitError};
use crate::adapters::stock::{ShopEventBus, StockWatchQueue};
use crate::domain::stock::MAX_STOCK_RULE;
use crate::services::stock::StockSettings;

/// The FIFO queue the low-stock watcher takes variants from.
#[async_trait::async_trait]
impl Dependency for StockWatchQueue {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(StockWatchQueue::new(
            client!(aws_sdk_sqs, env),
            env.required("STOCK_WATCH_QUEUE_URL", "queueing stock watches")?,
        ))
    }
}

/// The shop's EventBridge bus.
#[async_trait::async_trait]
impl Dependency for ShopEventBus {
    async fn from_env(env: &Env) -> Result<Self, InitError> {
        Ok(ShopEventBus::new(
            client!(aws_sdk_eventbridge, env),
            env.required("EVENT_BUS_NAME", "publishing the shop's events")?,
        ))
    }
}

/// `DEFAULT_LOW_STOCK_THRESHOLD`: a whole number from 0 to 1,000,000 (5 when unset).
#[async_trait::async_trait]
impl Dependency for StockSettings {
    async fn from_env(_: &Env) -> Result<Self, InitError> {
        let name = "DEFAULT_LOW_STOCK_THRESHOLD";
        let default_threshold = match std::env::var(name) {
            Err(_) => 5,
            Ok(v) => v
                .parse::<i64>()
                .ok()
                .filter(|n| (0..=MAX_STOCK_RULE).contains(n))
                .ok_or_else(|| {
                    InitError(format!(
                        "{name} must be a whole number from 0 to {MAX_STOCK_RULE}, not {v:?}"
                    ))
                })?,
        };
        Ok(StockSettings { default_threshold })
    }
}
