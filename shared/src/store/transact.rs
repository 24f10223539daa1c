//! Transactions: one action of any kind (`tx`), a transaction run and its cancellation
//! explained (`transact`, `try_transact`), and a new item's put (`put_new`).

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use super::{build, sdk_error, Item, Store};
use crate::domain::error::ShopError;

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
