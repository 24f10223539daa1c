//! Records the IAM action of every AWS call a function makes, as a log line
//! (`"iamAction":"dynamodb:PutItem"`), when `SHOP_AUDIT_SDK_CALLS=1` (the local stack
//! sets it; AWS does not). The integration suite compares what each function did with
//! what `template.yaml` grants it, so a new call without a grant fails in CI instead
//! of as an AccessDenied in AWS (LocalStack does not enforce IAM).
//!
//! It also meters DynamoDB: every call asks for its consumed capacity
//! (`ReturnConsumedCapacity: TOTAL`) and logs it (`"dynamodb_units":1.0,"unit_kind":"read"`),
//! which `infra/bench/cost.py` adds up into read and write request units per order.

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsInput;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    AfterDeserializationInterceptorContextRef, BeforeSerializationInterceptorContextMut,
    BeforeSerializationInterceptorContextRef,
};
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

    fn modify_before_serialization(
        &self,
        context: &mut BeforeSerializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        capacity::ask(context.input_mut());
        Ok(())
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if self.recorded.is_none() {
            if let Ok(output) = context.output_or_error() {
                if let Some((kind, units)) = capacity::consumed(output) {
                    tracing::info!(dynamodb_units = units, unit_kind = kind, "capacity");
                }
            }
        }
        Ok(())
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

/// DynamoDB's consumed capacity: asked for on every call, read from every answer.
mod capacity {
    use aws_sdk_dynamodb::operation::{
        batch_get_item::{BatchGetItemInput, BatchGetItemOutput},
        batch_write_item::{BatchWriteItemInput, BatchWriteItemOutput},
        delete_item::{DeleteItemInput, DeleteItemOutput},
        get_item::{GetItemInput, GetItemOutput},
        put_item::{PutItemInput, PutItemOutput},
        query::{QueryInput, QueryOutput},
        scan::{ScanInput, ScanOutput},
        transact_get_items::{TransactGetItemsInput, TransactGetItemsOutput},
        transact_write_items::{TransactWriteItemsInput, TransactWriteItemsOutput},
        update_item::{UpdateItemInput, UpdateItemOutput},
    };
    use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
    use aws_smithy_runtime_api::client::interceptors::context::Output;

    /// Sets `ReturnConsumedCapacity: TOTAL` on a DynamoDB call's input (others untouched).
    pub(super) fn ask(input: &mut aws_smithy_runtime_api::client::interceptors::context::Input) {
        macro_rules! total {
            ($($input:ty),*) => {
                $(if let Some(i) = input.downcast_mut::<$input>() {
                    i.return_consumed_capacity = Some(ReturnConsumedCapacity::Total);
                    return;
                })*
            };
        }
        total!(
            GetItemInput,
            QueryInput,
            ScanInput,
            BatchGetItemInput,
            TransactGetItemsInput,
            PutItemInput,
            UpdateItemInput,
            DeleteItemInput,
            BatchWriteItemInput,
            TransactWriteItemsInput
        );
    }

    fn units(c: &ConsumedCapacity) -> f64 {
        c.capacity_units.unwrap_or_else(|| {
            c.read_capacity_units.unwrap_or(0.0) + c.write_capacity_units.unwrap_or(0.0)
        })
    }

    fn sum(all: &Option<Vec<ConsumedCapacity>>) -> f64 {
        all.iter().flatten().map(units).sum()
    }

    /// `("read" | "write", units)` of a DynamoDB answer; `None` for other services.
    pub(super) fn consumed(output: &Output) -> Option<(&'static str, f64)> {
        macro_rules! consumed {
            ($kind:literal, $units:expr, $($output:ty),*) => {
                $(if let Some(o) = output.downcast_ref::<$output>() {
                    return Some(($kind, $units(&o.consumed_capacity)));
                })*
            };
        }
        let one = |c: &Option<ConsumedCapacity>| c.as_ref().map_or(0.0, units);
        consumed!("read", one, GetItemOutput, QueryOutput, ScanOutput);
        consumed!("read", sum, BatchGetItemOutput, TransactGetItemsOutput);
        consumed!(
            "write",
            one,
            PutItemOutput,
            UpdateItemOutput,
            DeleteItemOutput
        );
        consumed!("write", sum, BatchWriteItemOutput, TransactWriteItemsOutput);
        None
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
