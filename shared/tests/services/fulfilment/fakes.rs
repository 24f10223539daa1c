//! The carrier bucket and the mail queue, in memory, for the service tier: what the shop
//! wrote is recorded, the carrier's files are handed over, and either can be made to fail.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use shop::adapters::carrier::CarrierFiles;
use shop::adapters::mail::MailQueue;
use shop::adapters::uploads::ObjectStream;
use shop::domain::fulfilment::RunId;
use shop::domain::mail::Mail;
use shop::ShopError;

/// The carrier bucket: each write in order; objects by key (with their ETag); writes fail
/// while `down`.
#[derive(Default)]
pub(crate) struct Files {
    pub(crate) written: Mutex<Vec<(String, String)>>,
    pub(crate) objects: Mutex<HashMap<String, (String, Vec<u8>)>>,
    pub(crate) down: Mutex<bool>,
}

impl Files {
    pub(crate) fn manifest(&self, run: &RunId) -> Vec<serde_json::Value> {
        let text = self.text(&run.manifest_key()).expect("a manifest");
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// The last content written as `key`.
    pub(crate) fn text(&self, key: &str) -> Option<String> {
        let written = self.written.lock().unwrap();
        written
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, text)| text.clone())
    }

    pub(crate) fn writes(&self) -> usize {
        self.written.lock().unwrap().len()
    }

    /// The carrier drops `content` as `key`; answers its ETag (one per content, as S3's).
    pub(crate) fn drop_file(&self, key: &str, content: &str) -> String {
        let etag = format!("{:x}", md5_like(content.as_bytes()));
        self.objects
            .lock()
            .unwrap()
            .insert(key.to_owned(), (etag.clone(), content.as_bytes().to_vec()));
        etag
    }

    fn write(&self, key: &str, text: String) -> Result<usize, ShopError> {
        if *self.down.lock().unwrap() {
            return Err(ShopError::Unavailable("the bucket is down".into()));
        }
        let mut written = self.written.lock().unwrap();
        written.push((key.to_owned(), text));
        Ok(written.len())
    }
}

/// A stand-in for an MD5 ETag: equal contents, equal tags (FNV-1a, 64 bits).
fn md5_like(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

#[async_trait::async_trait]
impl CarrierFiles for Files {
    async fn put_file(&self, key: &str, path: &Path, _: &str) -> Result<String, ShopError> {
        let text = std::fs::read_to_string(path).unwrap();
        Ok(format!("etag-{}", self.write(key, text)?))
    }

    async fn put_text(&self, key: &str, _: &str, text: String) -> Result<(), ShopError> {
        self.write(key, text).map(|_| ())
    }

    async fn open(&self, key: &str, etag: &str) -> Result<ObjectStream, ShopError> {
        match self.objects.lock().unwrap().get(key) {
            Some((tag, bytes)) if tag == etag => Ok(ObjectStream::from(bytes.clone())),
            // As the bucket answers 412 (other content) and 404.
            Some(_) | None => Err(ShopError::NotFound("carrier file")),
        }
    }
}

/// The mail queue: what was queued; queueing fails while `down`.
#[derive(Default)]
pub(crate) struct Mails {
    pub(crate) queued: Mutex<Vec<Mail>>,
    pub(crate) down: Mutex<bool>,
}

#[async_trait::async_trait]
impl MailQueue for Mails {
    async fn enqueue(&self, mail: &Mail) -> Result<(), ShopError> {
        if *self.down.lock().unwrap() {
            return Err(ShopError::Unavailable("the mail queue is down".into()));
        }
        self.queued.lock().unwrap().push(mail.clone());
        Ok(())
    }
}
