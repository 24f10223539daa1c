//! Identifier newtypes. Each one is checked once, at the edge, so no id that
//! reaches a DynamoDB key can contain the `#` key separator or be empty.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::domain::error::FieldError;

fn id_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// The rule every id of the shop keeps: 1 to `max_len` characters of `[A-Za-z0-9._-]`, led by
/// a letter or digit (so no id carries the `#` key separator or is a path's `.`/`..`).
pub(crate) fn check_id(value: &str, field: &str, max_len: usize) -> Result<(), FieldError> {
    if value.is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if value.len() > max_len {
        return Err(FieldError::new(
            field,
            &format!("must be at most {max_len} characters"),
        ));
    }
    if !value.chars().all(id_char_ok) {
        return Err(FieldError::new(
            field,
            "may contain only letters, digits, '-', '_' and '.'",
        ));
    }
    // `.` and `..` (and anything else led by punctuation) cannot be addressed in a URL
    // path: clients and proxies resolve them as path segments.
    if !value.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(FieldError::new(field, "must start with a letter or digit"));
    }
    Ok(())
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal) => {
        id_type!($(#[$doc])* $name, $field, $max, |v: String| v);
    };
    ($(#[$doc:meta])* $name:ident, $field:literal, $max:literal, $normalise:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const FIELD: &'static str = $field;

            pub fn parse(value: &str) -> Result<Self, FieldError> {
                check_id(value, $field, $max)?;
                Ok($name(($normalise)(value.to_owned())))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = FieldError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                check_id(&value, $field, $max)?;
                Ok($name(($normalise)(value)))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

id_type!(
    /// A product, e.g. a UUID the shop generated or a seller's imported id.
    ProductId, "productId", 64
);
id_type!(
    /// A stock-keeping unit: one purchasable variant, unique across the shop. SKUs are
    /// case-insensitive (`ab-1` and `AB-1` are one SKU, claimed once): stored and shown
    /// in upper case.
    Sku, "sku", 64, |v: String| v.to_ascii_uppercase()
);
id_type!(
    /// A category slug such as `mens-shoes`.
    CategoryId, "categoryId", 64
);
id_type!(
    /// An order: a UUIDv7 the shop generates. It is also the checkout execution's name
    /// (Step Functions allows 80 characters of `[A-Za-z0-9-_]`), so a second start is refused.
    OrderId, "orderId", 64
);
id_type!(
    /// A user: the identity provider's `sub` claim, never taken from a path or body.
    UserId, "userId", 128
);

id_type!(
    /// A seller's own name for a product in its catalog files: the rows of one product
    /// share it, and importing it again updates the same product.
    Handle, "handle", 100
);
id_type!(
    /// A catalog import: a UUIDv7 the shop generates.
    ImportId, "importId", 64
);
id_type!(
    /// An entry of a person's address book: a UUIDv7 the shop generates.
    AddressId, "addressId", 64
);

/// A seller as shoppers see it. Product pages never show the seller's account id
/// (the identity provider's `sub`, which signs them in): this id is derived from it
/// by a one-way hash, stable for the seller and meaningless without the `sub`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct SellerId(String);

impl SellerId {
    pub fn of(user: &UserId) -> SellerId {
        let hex = crate::domain::sha256_hex(&[b"shop-seller\0", user.as_str().as_bytes()]);
        SellerId(format!("s{}", &hex[..20]))
    }

    /// A public seller id as sent back (a path): `s` and 20 lower-case hex digits.
    pub fn parse(raw: &str) -> Result<SellerId, FieldError> {
        let hex = raw.strip_prefix('s').unwrap_or("");
        if hex.len() == 20
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            Ok(SellerId(raw.to_owned()))
        } else {
            Err(FieldError::new("sellerId", "must be a seller id"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<SellerId> for String {
    fn from(id: SellerId) -> String {
        id.0
    }
}

impl TryFrom<String> for SellerId {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<SellerId, FieldError> {
        SellerId::parse(&raw)
    }
}

impl std::fmt::Display for SellerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A shipment: the part of an order one seller ships, `<orderId>.<sellerId>`. Derived,
/// never generated, so creating an order's shipments twice names the same ones, and a
/// route turns the id into the shipment's key without a lookup. The seller part is the
/// public [`SellerId`] (`s` and hex, never a `.`), so the id splits at its last `.`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct ShipmentId {
    order: OrderId,
    seller: SellerId,
}

impl ShipmentId {
    pub const FIELD: &'static str = "shipmentId";

    pub fn new(order: OrderId, seller: SellerId) -> ShipmentId {
        ShipmentId { order, seller }
    }

    pub fn parse(raw: &str) -> Result<ShipmentId, FieldError> {
        let bad = || FieldError::new(Self::FIELD, "must be a shipment id (<orderId>.<sellerId>)");
        let (order, seller) = raw.rsplit_once('.').ok_or_else(bad)?;
        Ok(ShipmentId {
            order: OrderId::parse(order).map_err(|_| bad())?,
            seller: SellerId::parse(seller).map_err(|_| bad())?,
        })
    }

    pub fn order(&self) -> &OrderId {
        &self.order
    }

    pub fn seller(&self) -> &SellerId {
        &self.seller
    }
}

impl fmt::Display for ShipmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.order, self.seller)
    }
}

impl From<ShipmentId> for String {
    fn from(id: ShipmentId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for ShipmentId {
    type Error = FieldError;
    fn try_from(raw: String) -> Result<ShipmentId, FieldError> {
        ShipmentId::parse(&raw)
    }
}

impl ProductId {
    /// A fresh id; UUIDv7 sorts by creation time, which keeps new items apart in the index.
    pub fn generate() -> Self {
        ProductId(uuid::Uuid::now_v7().to_string())
    }
}

impl ProductId {
    /// The product a seller's import file names by `handle`: derived, not stored, so a
    /// row finds its product without a lookup, importing twice finds the same one, and
    /// two sellers' equal handles never meet (the seller's `sub` is part of the digest).
    /// UUID-shaped, version nibble 8 (custom), like the generated ids.
    pub fn for_import(seller: &UserId, handle: &Handle) -> ProductId {
        let hex = crate::domain::sha256_hex(&[
            b"shop-import-product\0",
            seller.as_str().as_bytes(),
            b"\0",
            handle.as_str().as_bytes(),
        ]);
        ProductId(format!(
            "{}-{}-8{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[13..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }
}

impl ImportId {
    pub fn generate() -> Self {
        ImportId(uuid::Uuid::now_v7().to_string())
    }
}

impl AddressId {
    pub fn generate() -> Self {
        AddressId(uuid::Uuid::now_v7().to_string())
    }
}

impl OrderId {
    /// A fresh id; UUIDv7, so ids sort by creation time.
    pub fn generate() -> Self {
        OrderId(uuid::Uuid::now_v7().to_string())
    }
}

#[cfg(test)]
mod tests;
