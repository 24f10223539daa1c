//! Reviews of products and ratings of sellers. Reading: anyone. Writing: a signed-in customer whose order of
//! the product was delivered, on their own review. Moderating: an administrator.

use lambda_http::Request;
use shop::domain::ids::{ProductId, SellerId, ShipmentId};
use shop::domain::paging::parse_page_size;
use shop::domain::reviews::{
    parse_rating_filter, RejectInput, ReviewId, ReviewInput, ReviewSort, ReviewStatus,
    SellerRatingInput,
};
use shop::http::{caller, json_body, path_param, query_param, Reply};
use shop::services::reviews as svc;
use shop::services::seller_ratings;
use shop::store::Store;
use shop::ShopError;

/// `POST /products/{id}/reviews` `{rating, title, body}` → 201, `approved` when the
/// automatic pass found nothing, `pending` (with `heldFor`) when a moderator decides;
/// 403 without a delivered order of the product, 409 for a second review.
pub async fn create_review(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let product = path_param(&req, "id", ProductId::parse)?;
    let content = json_body::<ReviewInput>(&req)?.parse()?;
    let review = svc::submit(store, &caller, &product, content).await?;
    let location = format!("/products/{product}/reviews");
    Reply::created(review, location)
}

/// `PUT /products/{id}/reviews` `{rating, title, body}` — the caller's own review, edited;
/// it leaves the summary and is moderated again.
pub async fn edit_review(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let product = path_param(&req, "id", ProductId::parse)?;
    let content = json_body::<ReviewInput>(&req)?.parse()?;
    Reply::ok(svc::edit(store, &caller, &product, content).await?)
}

/// `GET /products/{id}/reviews?sort=newest|helpful|rating&rating=&limit=&cursor=` —
/// approved reviews and the product's rating summary.
pub async fn list_reviews(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let product = path_param(&req, "id", ProductId::parse)?;
    let sort = ReviewSort::parse(query_param(&req, "sort").as_deref())?;
    let stars = parse_rating_filter(query_param(&req, "rating").as_deref())?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::list(store, &product, sort, stars, limit, cursor.as_deref()).await?)
}

/// `DELETE /reviews/{id}` — its author or an administrator (anyone else: 404).
pub async fn delete_review(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ReviewId::parse)?;
    svc::delete(store, &caller, &id).await?;
    Reply::no_content()
}

/// `POST /reviews/{id}/helpful` — any signed-in user but the author, once (a second
/// vote answers `counted: false` and changes nothing).
pub async fn vote_review(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ReviewId::parse)?;
    Reply::ok(svc::vote_helpful(store, &caller, &id).await?)
}

/// `GET /admin/reviews?status=pending|rejected&limit=&cursor=` — an administrator.
pub async fn list_review_queue(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let status = ReviewStatus::parse(query_param(&req, "status").as_deref().unwrap_or("pending"))?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(svc::queue(store, &caller, status, limit, cursor.as_deref()).await?)
}

/// `POST /admin/reviews/{id}/approve` — an administrator; it shows and counts.
pub async fn approve_review(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ReviewId::parse)?;
    Reply::ok(svc::approve(store, &caller, &id).await?)
}

/// `POST /admin/reviews/{id}/reject` `{reason}` — an administrator; hidden, uncounted.
pub async fn reject_review(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let id = path_param(&req, "id", ReviewId::parse)?;
    let reason = json_body::<RejectInput>(&req)?.parse()?;
    Reply::ok(svc::reject(store, &caller, &id, reason).await?)
}

/// `POST /shipments/{id}/seller-rating` `{rating, comment?}` — the shipment's customer,
/// once it is delivered, once (another's shipment: 404).
pub async fn rate_seller(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let caller = caller(&req)?;
    let shipment = path_param(&req, "id", ShipmentId::parse)?;
    let content = json_body::<SellerRatingInput>(&req)?.parse()?;
    let rating = seller_ratings::rate(store, &caller, &shipment, content).await?;
    Reply::with_status(201, rating)
}

/// `GET /sellers/{id}/ratings?sort=&rating=&limit=&cursor=` — anyone; approved ratings.
pub async fn list_seller_ratings(store: &Store, req: Request) -> Result<Reply, ShopError> {
    let seller = path_param(&req, "id", SellerId::parse)?;
    let sort = ReviewSort::parse(query_param(&req, "sort").as_deref())?;
    let stars = parse_rating_filter(query_param(&req, "rating").as_deref())?;
    let limit = parse_page_size(query_param(&req, "limit").as_deref())?;
    let cursor = query_param(&req, "cursor");
    Reply::ok(seller_ratings::list(store, &seller, sort, stars, limit, cursor.as_deref()).await?)
}
