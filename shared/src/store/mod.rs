//! DynamoDB access for the one shop table (key schema: [`crate::store::keys`]).
//! Every write that must not clobber or oversell carries a condition; a failed
//! condition becomes a domain error, never a 500.

mod batch;
mod cart;
mod catalog;
mod catalog_writes;
mod checkout;
mod codes;
mod cursor;
mod erasure;
mod fulfilment;
mod imports;
pub mod keys;
mod notices;
mod order_update;
mod orders;
mod recommend;
mod refunds;
mod returns;
mod reviews;
mod sellers;
mod stock;
mod transact;
mod users;
mod verification;

pub use cart::WishlistEntry;
pub use catalog::ScanPosition;
pub use catalog_writes::WrittenBy;
pub use checkout::{IdempotencyRecord, Placement, Settlement};
pub use codes::{CodeKey, CodeRecord};
pub use cursor::Page;
pub(crate) use fulfilment::CancelWrite;
pub use fulfilment::{
    CancelOutcome, CarrierChange, CoveragePointer, HandOverTo, InboxClaim, LoadClaim, MoveOutcome,
    OrderWithShipments, ReadyOutcome, Restock, RunClaim, ShipmentCancel, ShipmentPage,
};
pub use imports::ImportRefusal;
pub use notices::{Notice, PendingNotice};
pub(crate) use order_update::OrderUpdate;
pub use recommend::TopList;
pub use refunds::{RefundLease, RefundRecord};
pub(crate) use returns::ReceiptWrite;
pub use returns::ReturnWrite;
pub use reviews::{ReviewWrite, VoteWrite};
pub use stock::{AlertStep, StockAlertRecord};
pub(crate) use transact::{tx, Cancellation, TxOutcome};
pub use users::Profile;
pub use verification::VerificationRecord;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::collections::HashMap;

use crate::domain::error::ShopError;

pub type Item = HashMap<String, AttributeValue>;

/// The shop table and a client for it. Cheap to clone; built once per cold start.
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Store {
            client,
            table: table.into(),
        }
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Every item of partition `pk` whose sort key starts with `prefix`, following
    /// pagination. `consistent` reads see writes that just succeeded.
    pub(crate) async fn query_prefix(
        &self,
        pk: String,
        prefix: &str,
        consistent: bool,
    ) -> Result<Vec<Item>, ShopError> {
        self.query_all(pk, Some(prefix), consistent).await
    }

    /// Every item of partition `pk`, read consistently, following pagination.
    pub(crate) async fn query_partition(&self, pk: String) -> Result<Vec<Item>, ShopError> {
        self.query_all(pk, None, true).await
    }

    async fn query_all(
        &self,
        pk: String,
        prefix: Option<&str>,
        consistent: bool,
    ) -> Result<Vec<Item>, ShopError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":pk", s(pk.as_str()))
                .consistent_read(consistent)
                .set_exclusive_start_key(start.take());
            let query = match prefix {
                Some(p) => query
                    .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                    .expression_attribute_values(":prefix", s(p)),
                None => query.key_condition_expression("PK = :pk"),
            };
            let page = query.send().await.map_err(sdk_error)?;
            out.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// One item read into `T`; `None` when there is none.
    pub(crate) async fn read<T: DeserializeOwned>(
        &self,
        key: Item,
        how: Read,
    ) -> Result<Option<T>, ShopError> {
        self.read_item(key, how).await?.map(from_item).transpose()
    }

    /// One item as stored; `None` when there is none.
    pub(crate) async fn read_item(&self, key: Item, how: Read) -> Result<Option<Item>, ShopError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key))
            .consistent_read(how == Read::Consistent)
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(out.item)
    }

    /// Writes `item` whatever is there (for items whose last write wins).
    pub(crate) async fn put(&self, item: Item) -> Result<(), ShopError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(sdk_error)?;
        Ok(())
    }

    /// Writes `item` only if no item has its key: `true` when written, `false` when one
    /// was there (claims, first-write-wins records, creations that must not overwrite).
    pub(crate) async fn put_if_absent(&self, item: Item) -> Result<bool, ShopError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        Ok(conditional(result)?.is_some())
    }

    /// One cheap call during cold start opens the connection (and, in AWS, does the
    /// TLS handshake) in Lambda's init phase, so the first shopper's request does not
    /// pay for it. Failure is harmless: the first real call simply connects itself.
    pub async fn warm_up(&self) {
        let call = self.client.describe_table().table_name(&self.table).send();
        match tokio::time::timeout(std::time::Duration::from_secs(2), call).await {
            Ok(Ok(_)) => {}
            Ok(Err(err)) => {
                tracing::warn!(error = %aws_sdk_dynamodb::error::DisplayErrorContext(err), "warm-up call failed")
            }
            Err(_) => tracing::warn!("warm-up call timed out"),
        }
    }
}

/// The product whose partition a changed item's `PK` is (its product item or a variant),
/// for stream consumers, which see only keys; `None` for any other item.
pub fn product_of_partition(pk: &str) -> Option<crate::domain::ids::ProductId> {
    keys::product_of_pk(pk)
}

/// How a read sees the table: `Consistent` sees every write acknowledged before it (a
/// retry right after a first request, a step after the one that wrote); `Eventual` may
/// lag by a moment, at half the cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    Consistent,
    Eventual,
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([(keys::PK.to_owned(), s(pk)), (keys::SK.to_owned(), s(sk))])
}

/// Serialises `record` and adds the item's keys and entity name.
pub(crate) fn to_item(
    record: &impl Serialize,
    pk: String,
    sk: String,
    entity: &str,
) -> Result<Item, ShopError> {
    let mut item: Item = serde_dynamo::to_item(record).map_err(ShopError::internal)?;
    item.insert(keys::PK.to_owned(), s(pk));
    item.insert(keys::SK.to_owned(), s(sk));
    item.insert(keys::ENTITY.to_owned(), s(entity));
    Ok(item)
}

pub fn from_item<T: DeserializeOwned>(item: Item) -> Result<T, ShopError> {
    serde_dynamo::from_item(item).map_err(ShopError::internal)
}

/// The item as a conditional `UpdateItem` asked for `ReturnValue::AllNew` left it;
/// `None` when the update's condition failed.
pub(crate) fn updated<T, R>(
    result: Result<
        aws_sdk_dynamodb::operation::update_item::UpdateItemOutput,
        SdkError<aws_sdk_dynamodb::operation::update_item::UpdateItemError, R>,
    >,
) -> Result<Option<T>, ShopError>
where
    T: DeserializeOwned,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    conditional(result)?
        .and_then(|out| out.attributes)
        .map(from_item)
        .transpose()
}

/// A builder's missing-field error is a bug of ours: report it as internal.
pub(crate) fn build<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, ShopError> {
    r.map_err(ShopError::internal)
}

pub(crate) fn sdk_error<E, R>(err: SdkError<E, R>) -> ShopError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    ShopError::internal(aws_sdk_dynamodb::error::DisplayErrorContext(err))
}

/// A conditional write's outcome: `Some(output)` when it was written, `None` when its
/// condition failed (the caller says what that means), an error for anything else.
pub(crate) fn conditional<T, E, R>(
    result: Result<T, SdkError<E, R>>,
) -> Result<Option<T>, ShopError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match result {
        Ok(out) => Ok(Some(out)),
        Err(err)
            if err.as_service_error().and_then(|e| e.code())
                == Some("ConditionalCheckFailedException") =>
        {
            Ok(None)
        }
        Err(err) => Err(sdk_error(err)),
    }
}

/// A value as its attribute (maps, lists, money, enums as stored by `to_item`).
pub(crate) fn value<T: Serialize + ?Sized>(v: &T) -> Result<AttributeValue, ShopError> {
    build(serde_dynamo::to_attribute_value(v))
}
