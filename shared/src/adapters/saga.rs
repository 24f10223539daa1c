//! The checkout saga's Step Functions calls: starting an order's execution, and
//! answering the payment task's token.

use aws_sdk_sfn::error::ProvideErrorMetadata;
use aws_sdk_sfn::Client;

use crate::domain::error::ShopError;
use crate::domain::ids::OrderId;
use crate::store::sdk_error;

/// Starts checkout executions of one state machine.
#[derive(Clone, Debug)]
pub struct CheckoutStarter {
    client: Client,
    state_machine_arn: String,
}

/// The execution's input: exactly this, from every starter, so that a second start of a
/// running execution is recognised as the same one.
pub fn execution_input(order_id: &OrderId) -> String {
    serde_json::json!({ "orderId": order_id.as_str() }).to_string()
}

impl CheckoutStarter {
    pub fn new(client: Client, state_machine_arn: String) -> Self {
        CheckoutStarter {
            client,
            state_machine_arn,
        }
    }
}

/// How long a start may take before it is left to the stream's backstop starter. A
/// customer's `POST /orders` waits for it, and the order already stands: in AWS a start
/// takes tens of milliseconds, and the local engine, under a flash sale, took up to the
/// whole function budget (28 s), holding every buyer's answer.
const START_BUDGET: std::time::Duration = std::time::Duration::from_secs(5);

/// Starts an order's checkout: Step Functions ([`CheckoutStarter`]), a recording fake in
/// the service tests.
#[async_trait::async_trait]
pub trait StartCheckout: Send + Sync {
    async fn start(&self, order_id: &OrderId) -> Result<(), ShopError>;
}

#[async_trait::async_trait]
impl StartCheckout for CheckoutStarter {
    /// Starts the order's execution, named by the order id. Starting it again is
    /// harmless: Step Functions returns the running execution, or refuses a second one
    /// with `ExecutionAlreadyExists`, which here means "already started".
    async fn start(&self, order_id: &OrderId) -> Result<(), ShopError> {
        let result = self
            .client
            .start_execution()
            .state_machine_arn(&self.state_machine_arn)
            .name(order_id.as_str())
            .input(execution_input(order_id))
            .customize()
            .config_override(
                aws_sdk_sfn::config::Builder::default().timeout_config(
                    aws_smithy_types::timeout::TimeoutConfig::builder()
                        .operation_timeout(START_BUDGET)
                        .build(),
                ),
            )
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err)
                if err.as_service_error().and_then(|e| e.code())
                    == Some("ExecutionAlreadyExists") =>
            {
                Ok(())
            }
            Err(err) => Err(sdk_error(err)),
        }
    }
}

/// Whether a task token's answer was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskAnswer {
    Taken,
    /// The task is closed: it timed out, was answered already, or its execution ended
    /// (`TaskTimedOut`, `InvalidToken`, `TaskDoesNotExist`). The saga has moved on.
    MovedOn,
}

/// Answers `.waitForTaskToken` tasks: Step Functions in the functions
/// ([`StepFunctionsTasks`]), a recording fake in the service tests.
#[async_trait::async_trait]
pub trait TaskTokens: Send + Sync {
    async fn succeed(
        &self,
        token: &str,
        output: &serde_json::Value,
    ) -> Result<TaskAnswer, ShopError>;
    async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<TaskAnswer, ShopError>;
}

/// [`TaskTokens`] answered through Step Functions' `SendTaskSuccess`/`SendTaskFailure`.
#[derive(Clone, Debug)]
pub struct StepFunctionsTasks {
    client: Client,
}

const CLOSED_TASK_CODES: [&str; 3] = ["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"];

impl StepFunctionsTasks {
    pub fn new(client: Client) -> Self {
        StepFunctionsTasks { client }
    }
}

#[async_trait::async_trait]
impl TaskTokens for StepFunctionsTasks {
    async fn succeed(
        &self,
        token: &str,
        output: &serde_json::Value,
    ) -> Result<TaskAnswer, ShopError> {
        let result = self
            .client
            .send_task_success()
            .task_token(token)
            .output(output.to_string())
            .send()
            .await;
        answered(result)
    }

    async fn fail(&self, token: &str, error: &str, cause: &str) -> Result<TaskAnswer, ShopError> {
        let result = self
            .client
            .send_task_failure()
            .task_token(token)
            .error(error)
            .cause(cause)
            .send()
            .await;
        answered(result)
    }
}

/// A task answer's outcome: taken, or refused because the task is closed.
fn answered<T, E>(
    result: Result<T, aws_sdk_sfn::error::SdkError<E, aws_smithy_runtime_api::http::Response>>,
) -> Result<TaskAnswer, ShopError>
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match result {
        Ok(_) => Ok(TaskAnswer::Taken),
        Err(err)
            if err
                .as_service_error()
                .and_then(|e| e.code())
                .is_some_and(|c| CLOSED_TASK_CODES.contains(&c)) =>
        {
            Ok(TaskAnswer::MovedOn)
        }
        Err(err) => Err(sdk_error(err)),
    }
}
