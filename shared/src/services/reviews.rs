//! Product reviews: written by verified buyers, moderated (automatically, then by an
//! administrator), listed, voted helpful. Who may call: reading, anyone; writing, a
//! signed-in customer whose order of the product was delivered, on their own review;
//! moderating, an administrator.

use serde::Serialize;

use crate::clock::now_sortable;
use crate::domain::auth::Caller;
use crate::domain::catalog::RatingView;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::ShipmentStatus;
use crate::domain::ids::{ProductId, SellerId, ShipmentId, UserId};
use crate::domain::reviews::moderation::{held_for, MIN_USEFUL_BODY};
use crate::domain::reviews::{
    author_key, display_name, Change, Content, Review, ReviewId, ReviewSort, ReviewStatus,
    ReviewView, Stars, Subject,
};
use crate::store::{Page, ReviewWrite, Store, VoteWrite};

/// Attempts at a write decided on a review's revision while others change it (votes,
/// a moderator, the author's edit).
const ATTEMPTS: u32 = 6;
/// How far back a customer's orders are searched for a delivered one of the product:
/// their 1,000 newest (10 pages of 100).
const PURCHASE_PAGES: usize = 10;

fn moved() -> ShopError {
    ShopError::Conflict("the review changed meanwhile; retry".into())
}

fn review_not_found() -> ShopError {
    ShopError::NotFound("review")
}

/// Whether `user` has a delivered shipment with a line of `product` among their newest
/// orders.
pub async fn delivered_purchase(
    store: &Store,
    user: &UserId,
    product: &ProductId,
) -> Result<bool, ShopError> {
    let mut cursor: Option<String> = None;
    for _ in 0..PURCHASE_PAGES {
        let page = store
            .customer_orders(user, None, 100, cursor.as_deref())
            .await?;
        for order in &page.items {
            for line in order.lines.iter().filter(|l| &l.product_id == product) {
                let shipment = ShipmentId::new(order.id.clone(), SellerId::of(&line.seller_id));
                if store
                    .get_shipment(&shipment)
                    .await?
                    .is_some_and(|s| s.status == ShipmentStatus::Delivered)
                {
                    return Ok(true);
                }
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(false)
}

/// Writes `change` over `read` (its revision); `None` when the review moved meanwhile.
async fn write(store: &Store, read: &Review, change: &Change) -> Result<Option<Review>, ShopError> {
    match store
        .write_review(read.rev, &change.review, &change.delta)
        .await?
    {
        ReviewWrite::Written => Ok(Some(change.review.clone())),
        ReviewWrite::Moved => Ok(None),
        ReviewWrite::SubjectGone => Err(ShopError::Conflict(
            "what the review is about no longer exists".into(),
        )),
    }
}

/// Reads the review and applies `decide` to it until the write lands on the revision read.
async fn change_review(
    store: &Store,
    id: &ReviewId,
    decide: impl Fn(&Review) -> Result<Change, ShopError>,
) -> Result<Review, ShopError> {
    for _ in 0..ATTEMPTS {
        let read = store.get_review(id).await?.ok_or_else(review_not_found)?;
        let change = decide(&read)?;
        if let Some(written) = write(store, &read, &change).await? {
            return Ok(written);
        }
    }
    Err(moved())
}

/// The automatic pass over a pending review: approved when clean, held otherwise. A
/// review another write moved meanwhile (its author edited it again, a moderator
/// decided) is left as that write left it.
pub async fn moderate_automatically(store: &Store, review: Review) -> Result<Review, ShopError> {
    let min_body = match review.id {
        ReviewId::Product { .. } => MIN_USEFUL_BODY,
        ReviewId::Seller(_) => 0,
    };
    let reasons = held_for(
        review.content.title.as_deref(),
        review.content.body.as_deref(),
        min_body,
    );
    let change = review.auto_moderated(&reasons, &now_sortable())?;
    match write(store, &review, &change).await? {
        Some(done) => Ok(done),
        None => store
            .get_review(&review.id)
            .await?
            .ok_or_else(review_not_found),
    }
}

/// The author's name as reviews show it: the profile's first name and last initial.
async fn author_name(store: &Store, caller: &Caller) -> Result<String, ShopError> {
    let profile = store.get_profile(&caller.user_id).await?;
    Ok(display_name(profile.as_ref().map(|p| p.name.as_str())))
}

/// `POST /products/{id}/reviews`: a verified buyer's first review of the product,
/// through the automatic pass.
pub async fn submit(
    store: &Store,
    caller: &Caller,
    product: &ProductId,
    content: Content,
) -> Result<ReviewView, ShopError> {
    crate::services::catalog::get_product(store, product).await?;
    if !delivered_purchase(store, &caller.user_id, product).await? {
        return Err(ShopError::Forbidden(
            "only a customer whose order of this product was delivered may review it",
        ));
    }
    let id = ReviewId::of_product(product, &caller.user_id);
    let review = Review::submitted(
        id,
        caller.user_id.clone(),
        author_name(store, caller).await?,
        content,
        &now_sortable(),
    );
    match store.create_review(&review).await? {
        ReviewWrite::Written => {}
        _ => {
            return Err(ShopError::Conflict(
                "you have reviewed this product already: PUT /products/{id}/reviews edits it"
                    .into(),
            ))
        }
    }
    Ok(moderate_automatically(store, review).await?.owner_view())
}

/// `PUT /products/{id}/reviews`: the author's edit, moderated again.
pub async fn edit(
    store: &Store,
    caller: &Caller,
    product: &ProductId,
    content: Content,
) -> Result<ReviewView, ShopError> {
    let id = ReviewId::of_product(product, &caller.user_id);
    let now = now_sortable();
    let edited = change_review(store, &id, |r| Ok(r.edited(content.clone(), &now))).await?;
    Ok(moderate_automatically(store, edited).await?.owner_view())
}

/// `DELETE /reviews/{id}`: its author or an administrator (anyone else: 404). What it
/// counted leaves the summary.
pub async fn delete(store: &Store, caller: &Caller, id: &ReviewId) -> Result<(), ShopError> {
    for _ in 0..ATTEMPTS {
        let review = store.get_review(id).await?.ok_or_else(review_not_found)?;
        if review.author != caller.user_id && !caller.is_admin() {
            return Err(review_not_found());
        }
        match store.delete_review(&review, true).await? {
            ReviewWrite::Written => return Ok(()),
            ReviewWrite::SubjectGone => {
                // A deleted product has no summary left to correct.
                if store.delete_review(&review, false).await? == ReviewWrite::Written {
                    return Ok(());
                }
            }
            ReviewWrite::Moved => {}
        }
    }
    Err(moved())
}

/// The answer to a helpful vote.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Voted {
    pub review_id: String,
    pub helpful_count: u64,
    /// `false` when the caller had voted already (a second vote changes nothing).
    pub counted: bool,
}

/// `POST /reviews/{id}/helpful`: once per customer; the author cannot vote.
pub async fn vote_helpful(
    store: &Store,
    caller: &Caller,
    id: &ReviewId,
) -> Result<Voted, ShopError> {
    let voter = author_key(&caller.user_id);
    for _ in 0..ATTEMPTS {
        let review = store
            .get_review(id)
            .await?
            .filter(|r| r.status == ReviewStatus::Approved)
            .ok_or_else(review_not_found)?;
        if review.author == caller.user_id {
            return Err(ShopError::Forbidden("you cannot vote for your own review"));
        }
        let (helpful_count, counted) = match store.vote_helpful(&review, &voter).await? {
            VoteWrite::Counted => (review.helpful + 1, true),
            VoteWrite::AlreadyVoted => (review.helpful, false),
            VoteWrite::Moved => continue,
        };
        return Ok(Voted {
            review_id: id.to_string(),
            helpful_count,
            counted,
        });
    }
    Err(moved())
}

/// `GET /products/{id}/reviews`' answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewPage {
    pub summary: RatingView,
    pub items: Vec<ReviewView>,
    pub next_cursor: Option<String>,
}

pub async fn list(
    store: &Store,
    product: &ProductId,
    sort: ReviewSort,
    stars: Option<Stars>,
    limit: i32,
    cursor: Option<&str>,
) -> Result<ReviewPage, ShopError> {
    let view = crate::services::catalog::get_product(store, product).await?;
    let page = store
        .approved_reviews(
            &Subject::Product(product.clone()),
            sort,
            stars,
            limit,
            cursor,
        )
        .await?;
    Ok(ReviewPage {
        summary: view.rating,
        items: page.items.iter().map(Review::public_view).collect(),
        next_cursor: page.next_cursor,
    })
}

/// A review in the moderators' queue: with what it is about.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueuedReview {
    #[serde(flatten)]
    pub review: ReviewView,
    pub product_id: Option<ProductId>,
    pub seller_id: Option<SellerId>,
}

fn queued(review: &Review) -> QueuedReview {
    let (product_id, seller_id) = match review.id.subject() {
        Subject::Product(p) => (Some(p), None),
        Subject::Seller(s) => (None, Some(s)),
    };
    QueuedReview {
        review: review.owner_view(),
        product_id,
        seller_id,
    }
}

fn require_admin(caller: &Caller) -> Result<(), ShopError> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(ShopError::Forbidden(
            "only an administrator moderates reviews",
        ))
    }
}

/// `GET /admin/reviews?status=pending|rejected`: oldest change first.
pub async fn queue(
    store: &Store,
    caller: &Caller,
    status: ReviewStatus,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<QueuedReview>, ShopError> {
    require_admin(caller)?;
    if status == ReviewStatus::Approved {
        return Err(ShopError::Malformed(
            "status must be pending or rejected: approved reviews are listed per product".into(),
        ));
    }
    store
        .reviews_in_status(status, limit, cursor)
        .await?
        .map(|r| Ok(queued(&r)))
}

/// `POST /admin/reviews/{id}/approve`.
pub async fn approve(
    store: &Store,
    caller: &Caller,
    id: &ReviewId,
) -> Result<QueuedReview, ShopError> {
    require_admin(caller)?;
    let now = now_sortable();
    let by = caller.user_id.to_string();
    let review = change_review(store, id, |r| r.approved(&by, &now)).await?;
    Ok(queued(&review))
}

/// `POST /admin/reviews/{id}/reject` `{reason}`.
pub async fn reject(
    store: &Store,
    caller: &Caller,
    id: &ReviewId,
    reason: String,
) -> Result<QueuedReview, ShopError> {
    require_admin(caller)?;
    let now = now_sortable();
    let by = caller.user_id.to_string();
    let review = change_review(store, id, |r| r.rejected(&by, reason.clone(), &now)).await?;
    Ok(queued(&review))
}
