//! The carrier, an external party that only exchanges files with the shop: the carrier
//! bucket (S3) under `carrier/`. The hand-off writes each run's manifest to
//! `carrier/outbox/`; the carrier reads it from there, and drops its event files in
//! `carrier/inbox/`, whose reports the shop writes to `carrier/reports/`.

use aws_sdk_s3::primitives::ByteStream;
use std::path::Path;

use crate::adapters::uploads::ObjectStream;
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
    client: aws_sdk_s3::Client,
    bucket: String,
    name: String,
}

impl Carrier {
    pub fn new(
        client: aws_sdk_s3::Client,
        bucket: impl Into<String>,
        name: impl Into<String>,
    ) -> Carrier {
        Carrier {
            client,
            bucket: bucket.into(),
            name: name.into(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }
}

fn s3_error(err: impl std::fmt::Display) -> ShopError {
    ShopError::Unavailable(format!("the carrier bucket: {err}"))
}

#[async_trait::async_trait]
impl CarrierFiles for Carrier {
    async fn put_file(
        &self,
        key: &str,
        path: &Path,
        content_type: &str,
    ) -> Result<String, ShopError> {
        let body = ByteStream::from_path(path).await.map_err(s3_error)?;
        let out = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| s3_error(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(out.e_tag.unwrap_or_default().trim_matches('"').to_owned())
    }

    async fn put_text(&self, key: &str, content_type: &str, text: String) -> Result<(), ShopError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(text.into_bytes()))
            .send()
            .await
            .map_err(|e| s3_error(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(())
    }

    async fn open(&self, key: &str, etag: &str) -> Result<ObjectStream, ShopError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            // S3's events carry the ETag bare; an If-Match header wants it quoted.
            .if_match(format!("\"{}\"", etag.trim_matches('"')))
            .send()
            .await
            .map_err(|e| match e.raw_response().map(|r| r.status().as_u16()) {
                // Deleted, or replaced by other content (whose own event follows).
                Some(404 | 412) => ShopError::NotFound("carrier file"),
                _ => s3_error(aws_sdk_s3::error::DisplayErrorContext(e)),
            })?;
        Ok(ObjectStream::from(out.body))
    }
}
