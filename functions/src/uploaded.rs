//! Objects created in a bucket, as its notifications reach a queue: each SQS message's
//! body is an S3 event (or S3's test event when the notification is set up, which names
//! no object).

use aws_lambda_events::event::s3::S3Event;
use shop::services::imports::event_key;

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
