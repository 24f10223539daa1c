//! The carrier, an external party that only exchanges files with the shop: the carrier
//! bucket (S3) under `carrier/`. The hand-off writes each run's manifest to
//! `carrier/outbox/`; the carrier reads it from there, and drops its event files in
//! `carrier/inbox/`, whose reports the shop writes to `carrier/reports/`.

use std::path::Path;

use super::bucket::{Bucket, ObjectStream};
use crate::domain::error::ShopError;

/// The files exchanged with the carrier. A trait, so the service tier can record what
/// the shop wrote, and hand it the carrier's files, without S3.
#[async_trait::async_trait]
pub trait CarrierFiles: Send + Sync {
    /// Writes the file at `path` as `key` (streamed from disk, never whole in memory);
    /// answers the object's ETag.
    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        content_type: &str,
    ) -> Result<String, ShopError>;

    /// Writes a small text (a report) as `key`.
    async fn put_text(&self, key: &str, content_type: &str, text: String) -> Result<(), ShopError>;

    /// Reads `key` as it was when its event was sent: `etag` pins that content, so a file
    /// replaced meanwhile is not read as this one. `NotFound` when that content is gone.
    async fn open(&self, key: &str, etag: &str) -> Result<ObjectStream, ShopError>;
}

/// The carrier bucket and who the carrier is (its name, shown on shipments).
#[derive(Clone, Debug)]
pub struct Carrier {
    bucket: Bucket,
    name: String,
}

impl Carrier {
    pub fn new(
        client: aws_sdk_s3::Client,
        bucket: impl Into<String>,
        name: impl Into<String>,
    ) -> Carrier {
        Carrier {
            bucket: Bucket::new(client, bucket, "the carrier bucket"),
            name: name.into(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

#[async_trait::async_trait]
impl CarrierFiles for Carrier {
    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        content_type: &str,
    ) -> Result<String, ShopError> {
        self.bucket.put_file(key, path, content_type).await
    }

    async fn put_text(&self, key: &str, content_type: &str, text: String) -> Result<(), ShopError> {
        self.bucket.put_text(key, content_type, text).await
    }

    async fn open(&self, key: &str, etag: &str) -> Result<ObjectStream, ShopError> {
        self.bucket.open(key, etag).await
    }
}
