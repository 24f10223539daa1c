//! The import bucket (S3): upload URLs signed for one key, its exact size and content
//! type; reading an upload as a stream of chunks; writing and signing error reports.
//! Who may write: holders of an upload URL, for its one key; nothing else.

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::time::Duration;

use crate::domain::error::ShopError;

#[derive(Clone, Debug)]
pub struct Uploads {
    client: aws_sdk_s3::Client,
    bucket: String,
}

/// A signed request the seller makes as given: every header in `headers`, exactly.
#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedRequest {
    pub method: String,
    pub url: String,
    pub headers: BTreeMap<String, String>,
}

fn s3_error(err: impl std::fmt::Display) -> ShopError {
    ShopError::Unavailable(format!("the import bucket: {err}"))
}

/// An object being read, a chunk at a time (never whole).
pub struct ObjectStream(ByteStream);

/// An object's bytes, as read from a bucket (or held by a service test's fake bucket).
impl From<Vec<u8>> for ObjectStream {
    fn from(bytes: Vec<u8>) -> ObjectStream {
        ObjectStream(ByteStream::from(bytes))
    }
}

impl From<ByteStream> for ObjectStream {
    fn from(body: ByteStream) -> ObjectStream {
        ObjectStream(body)
    }
}

impl ObjectStream {
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, ShopError> {
        self.0.next().await.transpose().map_err(s3_error)
    }
}

impl Uploads {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Uploads {
        Uploads {
            client,
            bucket: bucket.into(),
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
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(size)
            .presigned(PresigningConfig::expires_in(lifetime).map_err(ShopError::internal)?)
            .await
            .map_err(|e| s3_error(aws_sdk_s3::error::DisplayErrorContext(e)))?;
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
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .response_content_disposition(format!("attachment; filename=\"{filename}\""))
            .presigned(PresigningConfig::expires_in(lifetime).map_err(ShopError::internal)?)
            .await
            .map_err(|e| s3_error(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(signed.uri().to_owned())
    }

    /// Reads `key` as it was when its event was sent: `etag` pins that version, so an
    /// upload replaced meanwhile fails rather than mixing two files.
    pub async fn open(&self, key: &str, etag: &str) -> Result<ObjectStream, ShopError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            // S3's events carry the ETag bare; an If-Match header wants it quoted.
            .if_match(format!("\"{}\"", etag.trim_matches('"')))
            .send()
            .await
            .map_err(|e| s3_error(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(ObjectStream(out.body))
    }

    pub async fn put_text(
        &self,
        key: &str,
        content_type: &str,
        text: String,
    ) -> Result<(), ShopError> {
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
}
