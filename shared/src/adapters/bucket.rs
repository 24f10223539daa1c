//! One S3 bucket as the shop's adapters use it: an object read as a stream of chunks,
//! pinned to the content its event named; small texts and files written. The import
//! bucket ([`super::uploads`]) and the carrier bucket ([`super::carrier`]) are each one.

use aws_sdk_s3::primitives::ByteStream;
use bytes::Bytes;
use std::path::Path;

use crate::domain::error::ShopError;

#[derive(Clone, Debug)]
pub struct Bucket {
    client: aws_sdk_s3::Client,
    name: String,
    /// What the bucket is, in errors ("the import bucket").
    label: &'static str,
}

/// An object being read, a chunk at a time (never whole).
pub struct ObjectStream(ByteStream);

/// An object's bytes, as read from a bucket (or held by a service test's fake bucket).
impl From<Vec<u8>> for ObjectStream {
    fn from(bytes: Vec<u8>) -> ObjectStream {
        ObjectStream(ByteStream::from(bytes))
    }
}

impl ObjectStream {
    pub async fn next_chunk(&mut self) -> Result<Option<Bytes>, ShopError> {
        self.0
            .next()
            .await
            .transpose()
            .map_err(|e| ShopError::Unavailable(format!("reading an object: {e}")))
    }
}

impl Bucket {
    pub fn new(client: aws_sdk_s3::Client, name: impl Into<String>, label: &'static str) -> Bucket {
        Bucket {
            client,
            name: name.into(),
            label,
        }
    }

    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// A failed call, as the caller retries it.
    pub fn error(&self, err: impl std::fmt::Display) -> ShopError {
        ShopError::Unavailable(format!("{}: {err}", self.label))
    }

    /// Reads `key` as it was when its event was sent: `etag` pins that content, so an
    /// object replaced meanwhile is not read as this one. `NotFound` when that content is
    /// gone (deleted, or replaced: the new content has its own event).
    pub async fn open(&self, key: &str, etag: &str) -> Result<ObjectStream, ShopError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.name)
            .key(key)
            // S3's events carry the ETag bare; an If-Match header wants it quoted.
            .if_match(format!("\"{}\"", etag.trim_matches('"')))
            .send()
            .await
            .map_err(|e| match e.raw_response().map(|r| r.status().as_u16()) {
                Some(404 | 412) => ShopError::NotFound("object"),
                _ => self.error(aws_sdk_s3::error::DisplayErrorContext(e)),
            })?;
        Ok(ObjectStream(out.body))
    }

    /// Writes a small `text` as `key`.
    pub async fn put_text(
        &self,
        key: &str,
        content_type: &str,
        text: String,
    ) -> Result<(), ShopError> {
        self.put(key, content_type, ByteStream::from(text.into_bytes()))
            .await
            .map(|_| ())
    }

    /// Writes the file at `path` as `key`, streamed from disk (never whole in memory);
    /// answers the object's ETag.
    pub async fn put_file(
        &self,
        key: &str,
        path: &Path,
        content_type: &str,
    ) -> Result<String, ShopError> {
        let body = ByteStream::from_path(path)
            .await
            .map_err(|e| self.error(e))?;
        self.put(key, content_type, body).await
    }

    async fn put(
        &self,
        key: &str,
        content_type: &str,
        body: ByteStream,
    ) -> Result<String, ShopError> {
        let out = self
            .client
            .put_object()
            .bucket(&self.name)
            .key(key)
            .content_type(content_type)
            .body(body)
            .send()
            .await
            .map_err(|e| self.error(aws_sdk_s3::error::DisplayErrorContext(e)))?;
        Ok(out.e_tag.unwrap_or_default().trim_matches('"').to_owned())
    }
}
