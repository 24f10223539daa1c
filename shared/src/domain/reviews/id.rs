//! Which review is which: a review's subject and its id.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::error::FieldError;
use crate::domain::ids::{ProductId, SellerId, ShipmentId, UserId};

/// What a review is about: a product (by any verified buyer, once) or a seller (once
/// per delivered shipment).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Subject {
    Product(ProductId),
    Seller(SellerId),
}

/// A review's id. A product review's is `<productId>.u<20 hex>` (the author's key, a
/// one-way digest of the account: one review per customer per product, and no account id
/// in a public id); a seller rating's is its shipment's id, `<orderId>.s<20 hex>` (one
/// per shipment). The last segment's first letter tells them apart.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReviewId {
    Product { product: ProductId, author: String },
    Seller(ShipmentId),
}

/// The author's key in a product review's id: stable per account, meaningless without it.
pub fn author_key(user: &UserId) -> String {
    let digest = crate::domain::sha256_hex(&[b"review-author:", user.as_str().as_bytes()]);
    format!("u{}", &digest[..20])
}

impl ReviewId {
    pub const FIELD: &'static str = "reviewId";

    pub fn of_product(product: &ProductId, author: &UserId) -> ReviewId {
        ReviewId::Product {
            product: product.clone(),
            author: author_key(author),
        }
    }

    pub fn parse(raw: &str) -> Result<ReviewId, FieldError> {
        let bad = || FieldError::new(Self::FIELD, "must be a review id");
        crate::domain::ids::check_id(raw, Self::FIELD, 200)?;
        let (head, last) = raw.rsplit_once('.').ok_or_else(bad)?;
        if last.len() == 21
            && last.starts_with('u')
            && last[1..]
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Ok(ReviewId::Product {
                product: ProductId::parse(head).map_err(|_| bad())?,
                author: last.to_owned(),
            });
        }
        ShipmentId::parse(raw)
            .map(ReviewId::Seller)
            .map_err(|_| bad())
    }

    pub fn subject(&self) -> Subject {
        match self {
            ReviewId::Product { product, .. } => Subject::Product(product.clone()),
            ReviewId::Seller(shipment) => Subject::Seller(shipment.seller().clone()),
        }
    }
}

impl fmt::Display for ReviewId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReviewId::Product { product, author } => write!(f, "{product}.{author}"),
            ReviewId::Seller(shipment) => write!(f, "{shipment}"),
        }
    }
}

impl Serialize for ReviewId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ReviewId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ReviewId, D::Error> {
        let raw = String::deserialize(d)?;
        ReviewId::parse(&raw).map_err(|e| serde::de::Error::custom(e.message))
    }
}
