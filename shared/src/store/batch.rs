//! Batch reads and writes of many items, with DynamoDB's unprocessed keys and items
//! retried with backoff.

use aws_sdk_dynamodb::types::{KeysAndAttributes, WriteRequest};

use super::{build, sdk_error, Item, Store};
use crate::domain::error::ShopError;

impl Store {
    /// BatchGetItem in chunks of 100, retrying unprocessed keys with backoff.
    pub(crate) async fn batch_get(&self, wanted: Vec<Item>) -> Result<Vec<Item>, ShopError> {
        self.batch_get_read(wanted, false).await
    }

    /// [`Store::batch_get`] with strongly consistent reads: every write that succeeded shows.
    pub(crate) async fn batch_get_consistent(
        &self,
        wanted: Vec<Item>,
    ) -> Result<Vec<Item>, ShopError> {
        self.batch_get_read(wanted, true).await
    }

    async fn batch_get_read(
        &self,
        wanted: Vec<Item>,
        consistent: bool,
    ) -> Result<Vec<Item>, ShopError> {
        let mut found = Vec::new();
        for chunk in wanted.chunks(100) {
            let mut pending = Some(build(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.to_vec()))
                    .consistent_read(consistent)
                    .build(),
            )?);
            let mut attempt = 0;
            while let Some(request) = pending.take() {
                let out = self
                    .client()
                    .batch_get_item()
                    .request_items(self.table(), request)
                    .send()
                    .await
                    .map_err(sdk_error)?;
                found.extend(
                    out.responses
                        .and_then(|mut r| r.remove(self.table()))
                        .unwrap_or_default(),
                );
                pending = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(self.table()))
                    .filter(|k| !k.keys().is_empty());
                attempt += 1;
                if pending.is_some() {
                    if attempt > 5 {
                        return Err(ShopError::internal(
                            "BatchGetItem left keys unprocessed after 5 attempts",
                        ));
                    }
                    tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
                }
            }
        }
        Ok(found)
    }

    /// BatchWriteItem of at most 25 `requests`, retrying unprocessed ones with backoff.
    pub(crate) async fn batch_write(
        &self,
        mut requests: Vec<WriteRequest>,
    ) -> Result<(), ShopError> {
        for attempt in 0.. {
            let out = self
                .client
                .batch_write_item()
                .request_items(self.table(), requests)
                .send()
                .await
                .map_err(sdk_error)?;
            requests = out
                .unprocessed_items
                .and_then(|mut u| u.remove(self.table()))
                .unwrap_or_default();
            if requests.is_empty() {
                break;
            }
            if attempt >= 5 {
                return Err(ShopError::internal(
                    "BatchWriteItem left items unprocessed after 5 attempts",
                ));
            }
            tokio::time::sleep(std::time::Duration::from_millis(20 << attempt)).await;
        }
        Ok(())
    }
}
