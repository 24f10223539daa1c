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
pub use users::Profile;
pub use verification::VerificationRecord;

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};
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
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(pk.as_str()))
                .expression_attribute_values(":prefix", s(prefix))
                .consistent_read(consistent)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_error)?;
            out.extend(page.items.unwrap_or_default());
            match page.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(out),
            }
        }
    }

    /// Every item of partition `pk`, read consistently, following pagination.
    pub(crate) async fn query_partition(&self, pk: String) -> Result<Vec<Item>, ShopError> {
        let mut out = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk")
                .expression_attribute_values(":pk", s(pk.as_str()))
                .consistent_read(true)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk_error)?;
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

/// Why a transaction was cancelled: one reason code per action, in order.
pub(crate) struct Cancellation(Vec<String>);

impl Cancellation {
    /// Action `i`'s condition failed.
    pub(crate) fn failed(&self, i: usize) -> bool {
        self.0
            .get(i)
            .is_some_and(|code| code == "ConditionalCheckFailed")
    }
}

/// One action of a transaction, whatever its kind.
pub(crate) trait IntoTx {
    fn into_tx(self) -> TransactWriteItem;
}

impl IntoTx for ConditionCheck {
    fn into_tx(self) -> TransactWriteItem {
        TransactWriteItem::builder().condition_check(self).build()
    }
}

impl IntoTx for Put {
    fn into_tx(self) -> TransactWriteItem {
        TransactWriteItem::builder().put(self).build()
    }
}

impl IntoTx for Update {
    fn into_tx(self) -> TransactWriteItem {
        TransactWriteItem::builder().update(self).build()
    }
}

impl IntoTx for Delete {
    fn into_tx(self) -> TransactWriteItem {
        TransactWriteItem::builder().delete(self).build()
    }
}

pub(crate) fn tx(action: impl IntoTx) -> TransactWriteItem {
    action.into_tx()
}

impl Store {
    /// A transaction's write of a new item: the transaction is refused if an item has its key.
    pub(crate) fn put_new(&self, item: Item) -> Result<TransactWriteItem, ShopError> {
        Ok(tx(build(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .build(),
        )?))
    }
}

/// A value as its attribute (maps, lists, money, enums as stored by `to_item`).
pub(crate) fn value<T: Serialize + ?Sized>(v: &T) -> Result<AttributeValue, ShopError> {
    build(serde_dynamo::to_attribute_value(v))
}

/// What became of a transaction DynamoDB accepted to judge.
pub(crate) enum TxOutcome {
    Written,
    /// Cancelled by conditions or by a concurrent transaction on the same items.
    Cancelled(Cancellation),
}

impl Store {
    /// Runs one transaction. A cancellation caused by conditions or by a concurrent
    /// transaction is the caller's to explain (`on_conflict`); any other reason
    /// (throttling, validation) is an internal error, never a misleading 409.
    pub(crate) async fn transact(
        &self,
        actions: Vec<TransactWriteItem>,
        on_conflict: impl FnOnce(&Cancellation) -> ShopError,
    ) -> Result<(), ShopError> {
        match self.try_transact(actions).await? {
            TxOutcome::Written => Ok(()),
            TxOutcome::Cancelled(c) => Err(on_conflict(&c)),
        }
    }

    /// Runs one transaction and says whether it was written or cancelled by
    /// conditions or conflicts; anything else is an error.
    pub(crate) async fn try_transact(
        &self,
        actions: Vec<TransactWriteItem>,
    ) -> Result<TxOutcome, ShopError> {
        let err = match self
            .client
            .transact_write_items()
            .set_transact_items(Some(actions))
            .send()
            .await
        {
            Ok(_) => return Ok(TxOutcome::Written),
            Err(err) => err,
        };
        let codes: Vec<String> = match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(e)) => e
                .cancellation_reasons()
                .iter()
                .map(|r| r.code().unwrap_or("None").to_owned())
                .collect(),
            _ => return Err(sdk_error(err)),
        };
        let expected = |code: &String| {
            matches!(
                code.as_str(),
                "None" | "ConditionalCheckFailed" | "TransactionConflict"
            )
        };
        if codes.iter().all(expected) {
            Ok(TxOutcome::Cancelled(Cancellation(codes)))
        } else {
            Err(ShopError::internal(format!(
                "transaction cancelled: {codes:?}"
            )))
        }
    }
}
