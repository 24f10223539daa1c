//! Ratings of sellers: after a shipment is delivered, its order's customer may rate the
//! seller who sent it, once per shipment (1 to 5 stars, an optional comment), through
//! the same moderation as product reviews. The seller's summary (`GET /sellers/{id}`)
//! counts approved ratings. Who may call: the shipment's customer.

use crate::clock::now_sortable;
use crate::domain::auth::Caller;
use crate::domain::error::ShopError;
use crate::domain::fulfilment::ShipmentStatus;
use crate::domain::ids::{SellerId, ShipmentId};
use crate::domain::reviews::{
    display_name, Content, Review, ReviewId, ReviewSort, ReviewView, Stars, Subject,
};
use crate::services::reviews::moderate_automatically;
use crate::store::{Page, ReviewWrite, Store};

/// `POST /shipments/{id}/seller-rating`: the shipment's customer, once it is delivered
/// (another customer's shipment: 404; not delivered yet: 409; a second rating: 409).
pub async fn rate(
    store: &Store,
    caller: &Caller,
    shipment: &ShipmentId,
    content: Content,
) -> Result<ReviewView, ShopError> {
    let order = store
        .get_order(shipment.order())
        .await?
        .filter(|o| o.customer_id == caller.user_id)
        .ok_or(ShopError::NotFound("shipment"))?;
    let found = store
        .get_shipment(shipment)
        .await?
        .ok_or(ShopError::NotFound("shipment"))?;
    if found.status != ShipmentStatus::Delivered {
        return Err(ShopError::Conflict(
            "a seller is rated once its shipment is delivered".into(),
        ));
    }
    let profile = store.get_profile(&order.customer_id).await?;
    let review = Review::submitted(
        ReviewId::Seller(shipment.clone()),
        caller.user_id.clone(),
        display_name(profile.as_ref().map(|p| p.name.as_str())),
        content,
        &now_sortable(),
    );
    match store.create_review(&review).await? {
        ReviewWrite::Written => Ok(moderate_automatically(store, review).await?.owner_view()),
        _ => Err(ShopError::Conflict(
            "this shipment's seller is rated already".into(),
        )),
    }
}

/// `GET /sellers/{id}/ratings?sort=&rating=&limit=&cursor=`: approved ratings of an
/// approved seller.
pub async fn list(
    store: &Store,
    seller: &SellerId,
    sort: ReviewSort,
    stars: Option<Stars>,
    limit: i32,
    cursor: Option<&str>,
) -> Result<Page<ReviewView>, ShopError> {
    crate::services::sellers::public_profile(store, seller).await?;
    store
        .approved_reviews(&Subject::Seller(seller.clone()), sort, stars, limit, cursor)
        .await?
        .map(|r| Ok(r.public_view()))
}
