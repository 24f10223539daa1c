//! Objects created in a bucket, as its notifications reach a queue: each SQS message's
//! body is an S3 event (or S3's test event when the notification is set up, which names
//! no object).

use aws_lambda_events::event::s3::S3Event;
use aws_lambda_events::event::sqs::SqsMessage;
use shop::services::imports::event_key;
use shop::ShopError;
use std::fmt::Debug;
use std::future::Future;

use crate::measure::{peak_memory_kib, reset_peak_memory};

/// One created object: its key (decoded), its content's ETag and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uploaded {
    pub key: String,
    pub etag: String,
    pub size: u64,
    /// S3's order of the writes of one key (a later write has a greater one).
    pub sequencer: String,
    /// When S3 took the write, in Unix milliseconds.
    pub event_millis: i64,
}

/// The objects an SQS message's body announces; `None` when it is no S3 event (S3's
/// test event, or a foreign message), which the consumer drops.
pub fn uploaded(body: &str) -> Option<Vec<Uploaded>> {
    let event = serde_json::from_str::<S3Event>(body).ok()?;
    Some(
        event
            .records
            .into_iter()
            .filter_map(|record| {
                let event_millis = record.event_time.timestamp_millis();
                let object = record.s3.object;
                Some(Uploaded {
                    key: event_key(&object.key?),
                    etag: object.e_tag?,
                    sequencer: object.sequencer.unwrap_or_default(),
                    event_millis,
                    size: object
                        .size
                        .and_then(|s| u64::try_from(s).ok())
                        .unwrap_or_default(),
                })
            })
            .collect(),
    )
}

/// Handles each object an SQS message of a bucket's notifications announces, one after
/// another, and logs each outcome (`upload handled`, with the key, the seconds taken and
/// the peak memory, which the benchmarks read). The message fails when any object's
/// handling failed (for a transient reason: it is delivered again); one that is no S3
/// event (S3's test event) is dropped.
pub async fn each_uploaded<F, Fut, O>(message: SqsMessage, handle: F) -> Result<(), ShopError>
where
    F: Fn(Uploaded) -> Fut,
    Fut: Future<Output = Result<O, ShopError>>,
    O: Debug,
{
    let id = message.message_id.unwrap_or_default();
    let Some(objects) = uploaded(&message.body.unwrap_or_default()) else {
        tracing::warn!(message_id = %id, "not an S3 event (S3's test event, or foreign): dropped");
        return Ok(());
    };
    let mut interrupted = None;
    for object in objects {
        let key = object.key.clone();
        let started = std::time::Instant::now();
        reset_peak_memory();
        match handle(object).await {
            Ok(outcome) => tracing::info!(
                message_id = %id,
                key,
                ?outcome,
                seconds = started.elapsed().as_secs_f64(),
                peak_rss_kib = peak_memory_kib().unwrap_or(0),
                "upload handled"
            ),
            Err(err) => {
                tracing::warn!(message_id = %id, key, error = %err, "upload interrupted");
                interrupted = Some(err);
            }
        }
    }
    interrupted.map_or(Ok(()), Err)
}
