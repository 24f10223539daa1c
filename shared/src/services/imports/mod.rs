//! Catalog imports. Who may call: an approved seller starts one and reads its own;
//! the import function runs uploads (the bucket's events through the import queue).
//!
//! A run reads the upload twice, streaming: first to check it is UTF-8 text (a file
//! that is not fails whole, with nothing imported), then to import it: each row is
//! checked by the API's rules, rows become products, and products are written in
//! batches, each product in one transaction that keeps SKUs unique shop-wide. Rows
//! are compared with what is stored, so a second run of the same file writes nothing.

mod pass;
mod run;
mod write;

pub use run::{event_key, run, RunOutcome};

use serde::Serialize;
use std::time::Duration;

use crate::adapters::uploads::{SignedRequest, Uploads};
use crate::clock::now_rfc3339;
use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::ids::{ImportId, SellerId};
use crate::domain::import::{
    Import, ImportCounts, ImportFormat, ImportRequest, ImportStatus, MAX_OPEN_IMPORTS,
    URL_LIFETIME_SECONDS,
};
use crate::services::sellers;
use crate::store::{Page, Store};

/// How many of a seller's newest imports are looked at for open ones.
const OPEN_IMPORTS_LOOKED_AT: i32 = 20;

fn lifetime() -> Duration {
    Duration::from_secs(URL_LIFETIME_SECONDS)
}

/// `POST /seller/imports`: the import and where to upload its file.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportTicket {
    #[serde(flatten)]
    pub import: ImportView,
    pub upload: SignedRequest,
    pub upload_expires_in_seconds: u64,
}

/// An import as its seller sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportView {
    pub id: ImportId,
    pub format: ImportFormat,
    pub status: ImportStatus,
    pub size_bytes: u64,
    pub counts: ImportCounts,
    pub reason: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    /// A download URL of the error report (valid for minutes), when rows were rejected.
    pub report_url: Option<String>,
}

fn view(import: Import, report_url: Option<String>) -> ImportView {
    ImportView {
        id: import.id,
        format: import.format,
        status: import.status,
        size_bytes: import.size_bytes,
        counts: import.counts,
        reason: import.reason,
        created_at: import.created_at,
        started_at: import.started_at,
        finished_at: import.finished_at,
        report_url,
    }
}

pub async fn start(
    store: &Store,
    uploads: &Uploads,
    caller: &Caller,
    request: ImportRequest,
) -> Result<ImportTicket, ShopError> {
    let seller = sellers::require_approved(store, caller).await?;
    // Newest first; with at most MAX_OPEN_IMPORTS open, the open ones are among these.
    let recent = store
        .list_imports(&seller.seller_id, OPEN_IMPORTS_LOOKED_AT, None)
        .await?;
    let now_unix = crate::clock::unix_now();
    if recent.items.iter().filter(|i| i.is_open(now_unix)).count() >= MAX_OPEN_IMPORTS {
        return Err(ShopError::Conflict(format!(
            "at most {MAX_OPEN_IMPORTS} imports may wait for their upload or run at once; \
             upload or let one finish first (an unused upload URL lapses after {} minutes)",
            URL_LIFETIME_SECONDS / 60
        )));
    }
    let import = Import {
        id: ImportId::generate(),
        seller_id: seller.seller_id,
        format: request.format,
        status: ImportStatus::WaitingUpload,
        size_bytes: request.size_bytes,
        created_at: now_rfc3339(),
        started_at: None,
        finished_at: None,
        counts: ImportCounts::default(),
        reason: None,
        has_report: false,
        source_etag: None,
        attempts: 0,
        run_id: None,
        claimed_at: None,
    };
    store.create_import(&import).await?;
    let upload = uploads
        .sign_put(
            &import.object().key(),
            request.format.content_type(),
            request.size_bytes,
            lifetime(),
        )
        .await?;
    Ok(ImportTicket {
        import: view(import, None),
        upload,
        upload_expires_in_seconds: URL_LIFETIME_SECONDS,
    })
}

/// `GET /seller/imports/{id}`: the caller's own imports only (others' look absent).
pub async fn get(
    store: &Store,
    uploads: &Uploads,
    caller: &Caller,
    id: &ImportId,
) -> Result<ImportView, ShopError> {
    let seller = own_seller(caller)?;
    let import = store
        .get_import(&seller, id)
        .await?
        .ok_or(ShopError::NotFound("import"))?;
    let report_url = match import.has_report {
        true => Some(
            uploads
                .sign_get(
                    &import.object().report_key(),
                    &format!("{}.errors.csv", import.id),
                    lifetime(),
                )
                .await?,
        ),
        false => None,
    };
    Ok(view(import, report_url))
}

pub async fn list(
    store: &Store,
    caller: &Caller,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<ImportView>, ShopError> {
    let seller = own_seller(caller)?;
    store
        .list_imports(&seller, limit, cursor)
        .await?
        .map(|i| Ok(view(i, None)))
}

fn own_seller(caller: &Caller) -> Result<SellerId, ShopError> {
    sellers::require_seller_role(caller)?;
    Ok(SellerId::of(&caller.user_id))
}
