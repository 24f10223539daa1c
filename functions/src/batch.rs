//! One partial-batch runner for every queue and stream consumer: the records of a batch
//! in, one handler call per record, and the answer naming the records that failed
//! (`ReportBatchItemFailures`), so only those are delivered again.
//!
//! A consumer says how its records are taken ([`Records`]): how many at once, and
//! whether the first failure ends the batch — a stream's mapping retries from the first
//! failed record, so handling the records after it would only do them twice.

use std::fmt::Display;
use std::future::Future;

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures_util::stream::{self, StreamExt};

use crate::stream::StreamBatchResponse;

/// How a consumer takes its batch's records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Records {
    /// The most records handled at once.
    pub concurrency: usize,
    /// Stop at the first failure and answer it and every record after it as failed
    /// (stream records and FIFO queue messages, retried from there in order).
    pub stop_at_first_failure: bool,
}

impl Records {
    /// A stream's records or a FIFO queue's messages: one after another, up to the first
    /// failure.
    pub const IN_ORDER: Records = Records {
        concurrency: 1,
        stop_at_first_failure: true,
    };
    /// Independent messages, one at a time.
    pub const ONE_AT_A_TIME: Records = Records {
        concurrency: 1,
        stop_at_first_failure: false,
    };

    /// Independent messages, up to `n` at once.
    pub const fn concurrent(n: usize) -> Records {
        Records {
            concurrency: if n == 0 { 1 } else { n },
            stop_at_first_failure: false,
        }
    }
}

/// Runs `handle` over `records` as `how` says and answers the ids (`id_of`) of the
/// records that failed, in the batch's order. A failure is logged with its record's id;
/// success is the handler's to log.
pub async fn run<R, F, Fut, E>(
    records: Vec<R>,
    how: Records,
    id_of: impl Fn(&R) -> String,
    handle: F,
) -> Vec<String>
where
    F: Fn(R) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let failed = |id: &str, err: &E| {
        tracing::warn!(record = %id, error = %err, "record failed; left for retry");
    };
    // Each handler's future is boxed: inside the runner's own futures it would otherwise
    // nest past the compiler's type-depth limit in the function's main future.
    let handle = |record: R| Box::pin(handle(record));
    if how.stop_at_first_failure {
        let mut records = records.into_iter();
        while let Some(record) = records.next() {
            let id = id_of(&record);
            if let Err(err) = handle(record).await {
                failed(&id, &err);
                // The records not handled are answered too: a stream checkpoints before the
                // first of them either way, and a FIFO queue would otherwise delete them as
                // done.
                return std::iter::once(id)
                    .chain(records.map(|r| id_of(&r)))
                    .collect();
            }
        }
        return Vec::new();
    }
    let handle = &handle;
    let mut outcomes: Vec<(usize, String, Result<(), E>)> =
        stream::iter(records.into_iter().enumerate())
            .map(|(i, record)| {
                let id = id_of(&record);
                let outcome = handle(record);
                async move { (i, id, outcome.await) }
            })
            .buffer_unordered(how.concurrency.max(1))
            .collect()
            .await;
    outcomes.sort_by_key(|(i, _, _)| *i);
    outcomes
        .into_iter()
        .filter_map(|(_, id, outcome)| match outcome {
            Ok(()) => None,
            Err(err) => {
                failed(&id, &err);
                Some(id)
            }
        })
        .collect()
}

/// An SQS batch through [`run`], each message named by its id.
pub async fn sqs<F, Fut, E>(event: SqsEvent, how: Records, handle: F) -> SqsBatchResponse
where
    F: Fn(SqsMessage) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let mut response = SqsBatchResponse::default();
    let message_id = |m: &SqsMessage| m.message_id.clone().unwrap_or_default();
    for id in run(event.records, how, message_id, handle).await {
        response.add_failure(id);
    }
    response
}

/// Stream records (each named by its sequence number) through [`run`].
pub async fn stream<R, F, Fut, E>(
    records: Vec<(String, R)>,
    how: Records,
    handle: F,
) -> StreamBatchResponse
where
    F: Fn(R) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let mut response = StreamBatchResponse::default();
    let sequence = |(s, _): &(String, R)| s.clone();
    for id in run(records, how, sequence, |(_, r)| handle(r)).await {
        response.add_failure(&id);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use lambda_runtime::{Context, LambdaEvent};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn message(id: &str, body: &str) -> SqsMessage {
        let mut m = SqsMessage::default();
        m.message_id = Some(id.to_owned());
        m.body = Some(body.to_owned());
        m
    }

    /// As the runtime hands it over.
    fn sqs_event(bodies: &[(&str, &str)]) -> LambdaEvent<SqsEvent> {
        let mut event = SqsEvent::default();
        event.records = bodies.iter().map(|(id, b)| message(id, b)).collect();
        LambdaEvent::new(event, Context::default())
    }

    fn failures(response: &SqsBatchResponse) -> Vec<String> {
        response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.clone())
            .collect()
    }

    #[tokio::test]
    async fn only_the_failed_messages_are_answered_in_batch_order() {
        let event = sqs_event(&[("m1", "ok"), ("m2", "bad"), ("m3", "ok"), ("m4", "bad")]);
        let response = sqs(event.payload, Records::concurrent(4), |m| async move {
            // The later messages finish first: the answer keeps the batch's order.
            tokio::time::sleep(Duration::from_millis(
                if m.message_id.as_deref() == Some("m2") {
                    30
                } else {
                    1
                },
            ))
            .await;
            match m.body.as_deref() {
                Some("ok") => Ok(()),
                _ => Err("refused"),
            }
        })
        .await;
        assert_eq!(failures(&response), ["m2", "m4"]);
    }

    #[tokio::test]
    async fn no_more_than_the_concurrency_run_at_once() {
        let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let bodies: Vec<(String, String)> =
            (0..12).map(|i| (format!("m{i}"), "ok".into())).collect();
        let refs: Vec<(&str, &str)> = bodies
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let event = sqs_event(&refs);
        let response = sqs(event.payload, Records::concurrent(3), |_| async {
            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(running, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            Ok::<(), &str>(())
        })
        .await;
        assert!(failures(&response).is_empty());
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_stream_stops_at_its_first_failure() {
        let handled = std::sync::Mutex::new(Vec::new());
        let records: Vec<(String, u32)> = (1..=5).map(|i| (format!("s{i}"), i)).collect();
        let response = stream(records, Records::IN_ORDER, |n| {
            handled.lock().unwrap().push(n);
            async move {
                if n == 3 {
                    Err("down")
                } else {
                    Ok(())
                }
            }
        })
        .await;
        assert_eq!(response.failed_sequences(), ["s3", "s4", "s5"]);
        assert_eq!(
            *handled.lock().unwrap(),
            [1, 2, 3],
            "records after the failure are retried with it"
        );
    }

    #[tokio::test]
    async fn in_order_messages_after_a_failure_are_given_back_unhandled() {
        let handled = std::sync::Mutex::new(Vec::new());
        let event = sqs_event(&[("m1", "ok"), ("m2", "bad"), ("m3", "ok")]);
        let response = sqs(event.payload, Records::IN_ORDER, |m| {
            handled.lock().unwrap().push(m.message_id.clone().unwrap());
            async move {
                match m.body.as_deref() {
                    Some("ok") => Ok(()),
                    _ => Err("refused"),
                }
            }
        })
        .await;
        assert_eq!(failures(&response), ["m2", "m3"]);
        assert_eq!(*handled.lock().unwrap(), ["m1", "m2"]);
    }

    #[tokio::test]
    async fn one_at_a_time_goes_on_past_a_failure() {
        let event = sqs_event(&[("m1", "bad"), ("m2", "ok")]);
        let response = sqs(event.payload, Records::ONE_AT_A_TIME, |m| async move {
            if m.body.as_deref() == Some("ok") {
                Ok(())
            } else {
                Err("refused")
            }
        })
        .await;
        assert_eq!(failures(&response), ["m1"]);
    }
}
