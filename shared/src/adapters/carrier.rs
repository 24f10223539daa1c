//! The carrier, an external party that only exchanges files with the shop: the carrier
//! bucket (S3) under `carrier/`. The hand-off writes each run's manifest to
//! `carrier/outbox/`; the carrier reads it from there.

use aws_sdk_s3::primitives::ByteStream;
use std::path::Path;

use crate::domain::error::ShopError;

/// Where the shop leaves files for the carrier. A trait, so the service tier can record
/// what a hand-off wrote without S3.
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
}
