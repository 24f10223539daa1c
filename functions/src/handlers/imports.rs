//! Catalog imports: a seller's routes, and the import function fed by the import
//! queue with the bucket's upload events.

use aws_lambda_events::event::sqs::{SqsBatchResponse, SqsEvent};
use lambda_http::Request;
use lambda_runtime::LambdaEvent;
use shop::adapters::uploads::Uploads;
use shop::domain::ids::ImportId;
use shop::domain::import::ImportRequestInput;
use shop::domain::paging::parse_page_size;
use shop::http::{caller, json_body, path_param, query_param, Reply};
use shop::services::imports as svc;
use shop::store::Store;
use shop::ShopError;

use crate::batch::{self, Records};
use crate::uploaded::each_uploaded;

/// `POST /seller/imports` — an approved seller: the import, and a URL to PUT its file to.
pub async fn start_import(deps: &(Store, Uploads), req: Request) -> Result<Reply, ShopError> {
    let (store, uploads) = deps;
    let caller = caller(&req)?;
    let request = json_body::<ImportRequestInput>(&req)?.parse()?;
    let ticket = svc::start(store, uploads, &caller, request).await?;
    let location = format!("/seller/imports/{}", ticket.import.id);
    Reply::created(ticket, location)
}

/// `GET /seller/imports/{id}` — a seller, its own imports.
pub async fn get_import(deps: &(Store, Uploads), req: Request) -> Result<Reply, ShopError> {
    let (store, uploads) = deps;
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ImportId::parse)?;
    Reply::ok(svc::get(store, uploads, &caller, &id).await?)
}

/// `GET /seller/imports?limit=&cursor=` — a seller, its own imports, newest first.
pub async fn list_imports(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::list(store, &caller, limit, cursor.as_deref()).await?)
}

/// The import function — fed by the import queue only. Each message is an S3 event (or
/// S3's test event, which is dropped). A message whose import failed for a transient
/// reason is reported, so only it is delivered again.
pub async fn run_imports(
    deps: &(Store, Uploads),
    event: LambdaEvent<SqsEvent>,
) -> Result<SqsBatchResponse, crate::Error> {
    let (store, uploads) = deps;
    Ok(
        batch::sqs(event.payload, Records::ONE_AT_A_TIME, |message| {
            each_uploaded(message, |upload| async move {
                svc::run(store, uploads, &upload.key, &upload.etag, upload.size).await
            })
        })
        .await,
    )
}
