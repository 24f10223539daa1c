//! The import bucket (S3): upload URLs signed for one key, its exact size and content
//! type; reading an upload as a stream of chunks; writing and signing error reports.
//! Who may write: holders of an upload URL, for its one key; nothing else.

use aws_sdk_s3::presigning::PresigningConfig;
use std::collections::BTreeMap;
use std::time::Duration;

use super::bucket::Bucket;
pub use super::bucket::ObjectStream;
use crate::domain::error::ShopError;

#[derive(Clone, Debug)]
pub struct Uploads {
    bucket: Bucket,
}

/// A signed request the seller makes as given: every header in `headers`, exactly.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedRequest {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
}

impl Uploads {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Uploads {
        Uploads {
            bucket: Bucket::new(client, bucket, "the import bucket"),
        }
    }

    /// A PUT of exactly `size` bytes of `content_type` to `key`, valid for `lifetime`:
    /// another key, size or type breaks the signature (403).
    pub async fn sign_put(
        &self,
        key: &str,
        content_type: &str,
        size: u64,
        lifetime: Duration,
    ) -> Result<SignedRequest, ShopError> {
        let size = i64::try_from(size).map_err(ShopError::internal)?;
        let signed = self
            .bucket
            .client()
            .put_object()
            .bucket(self.bucket.name())
            .key(key)
            .content_type(content_type)
            .content_length(size)
            .presigned(PresigningConfig::expires_in(lifetime).map_err(ShopError::internal)?)
            .await
            .map_err(|e| self.bucket.error(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        // The headers the signature covers (the runtime's trace header rides along unsigned).
        let mut headers: BTreeMap<String, String> = signed
            .headers()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("x-amzn-trace-id"))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        headers.insert("content-length".into(), size.to_string());
        Ok(SignedRequest {
            method: signed.method().to_owned(),
            url: signed.uri().to_owned(),
            headers,
        })
    }

    /// A GET of `key`, valid for `lifetime`, saved as `filename`.
    pub async fn sign_get(
        &self,
        key: &str,
        filename: &str,
        lifetime: Duration,
    ) -> Result<String, ShopError> {
        let signed = self
            .bucket
            .client()
            .get_object()
            .bucket(self.bucket.name())
            .key(key)
            .response_content_disposition(format!("attachment; filename=\"{filename}\""))
            .presigned(PresigningConfig::expires_in(lifetime).map_err(ShopError::internal)?)
            .await
            .map_err(|e| self.bucket.error(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(signed.uri().to_owned())
    }

    /// Reads `key` as it was when its event was sent (see [`Bucket::open`]).
    pub async fn open(&self, key: &str, etag: &str) -> Result<ObjectStream, ShopError> {
        self.bucket.open(key, etag).await
    }

    pub async fn put_text(
        &self,
        key: &str,
        content_type: &str,
        text: String,
    ) -> Result<(), ShopError> {
        self.bucket.put_text(key, content_type, text).await
    }
}
