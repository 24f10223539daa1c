//! # The one DynamoDB table and its key schema
//!
//! Every entity lives in one table (`TABLE_NAME`), keyed by generic attributes
//! `PK`/`SK`, with two overloaded global secondary indexes. This module is the
//! only place that builds keys; README's "Data model" section repeats this table.
//!
//! | entity            | PK                   | SK                    | GSI1PK / GSI1SK                          | GSI2PK / GSI2SK                 |
//! |-------------------|----------------------|-----------------------|------------------------------------------|---------------------------------|
//! | category          | `CATALOG`            | `CATEGORY#<id>`       |                                          |                                 |
//! | product           | `PRODUCT#<id>`       | `PRODUCT`             | `CATEGORY#<categoryId>` / `PRODUCT#<id>` | `SELLER#<sellerId>` / `PRODUCT#<id>` |
//! | variant (SKU)     | `PRODUCT#<id>`       | `VARIANT#<sku>`       |                                          |                                 |
//! | SKU claim         | `SKU#<sku>`          | `SKU`                 |                                          |                                 |
//! | user profile      | `USER#<sub>`         | `PROFILE`             |                                          |                                 |
//! | catalog import    | `SELLER#<sellerId>`  | `IMPORT#<importId>`   |                                          |                                 |
//! | low-stock alert (TTL) | `SELLER#<sellerId>` | `STOCKALERT#<sku>#<n>` |                                  |                                 |
//! | seller account    | `SELLER#<sellerId>`  | `ACCOUNT`             | `SELLERS#<status>` / `<statusChangedAt>#<sellerId>` |                      |
//! | cart line         | `USER#<sub>`         | `CART#<sku>`          |                                          |                                 |
//! | wishlist entry    | `USER#<sub>`         | `WISHLIST#<productId>`|                                          |                                 |
//! | saved address     | `USER#<sub>`         | `ADDRESS#<addressId>` |                                          |                                 |
//! | review / seller rating | `REVIEWS#PRODUCT#<productId>` or `REVIEWS#SELLER#<sellerId>` | `REVIEW#<reviewId>` | approved: the subject's partition / `<createdAt>#<reviewId>` (newest); otherwise `REVIEWS#<status>` / `<updatedAt>#<reviewId>` (the moderation queue) | approved: the subject's partition / `<helpful, 10 digits>#<createdAt>#<reviewId>`; GSI3 likewise / `<stars>#<createdAt>#<reviewId>` |
//! | helpful vote      | the review's partition | `VOTE#<reviewId>#<voterKey>` |                                   |                                 |
//! | a user's review marker | `USER#<sub>`    | `REVIEWED#<reviewId>` |                                          |                                 |
//! | co-purchase count | `RELATED#<productId>` | `WITH#<otherProductId>` (orders holding both) / `ORDERS` (orders holding it) / `TOP` (its top 20 partners) | |                  |
//! | popularity list   | `POPULAR#<categoryId>` or `POPULAR#ALL` | `TOP` (the 20 products most ordered) |             |                                 |
//! | an order counted (TTL) | `COPURCHASE#<orderId>` | `COUNTED`  |                                          |                                 |
//! | email verification| `EMAIL#<email>`      | `VERIFICATION`        |                                          |                                 |
//! | password reset (TTL) | `EMAIL#<email>`   | `PASSWORDRESET`       |                                          |                                 |
//! | email change (TTL) | `USER#<sub>`        | `EMAILCHANGE`         |                                          |                                 |
//! | deleted account's tombstone | `USER#<sub>` | `DELETED` (only `deletedAt`) |                            |                                 |
//! | order             | `ORDER#<id>`         | `ORDER`               | `CUSTOMER#<sub>` / `ORDER#<createdAt>#<id>` |                              |
//! | order line        | `ORDER#<id>`         | `LINE#<sku>`          |                                          | `SELLER#<sellerSub>` / `ORDERLINE#<createdAt>#<id>#<sku>` |
//! | idempotency key   | `USER#<sub>`         | `IDEMPOTENCY#<sha256 of the key>` |                              |                                 |
//! | card use (fraud)  | `CARD#<fingerprint>` | `USE#<createdAt>#<orderId>` |                                    |                                 |
//! | hand-off run      | `CARRIER`            | `HANDOFF#<runId>`     |                                          |                                 |
//! | carrier event file | `CARRIER`           | `INBOX#<etag>`        |                                          |                                 |
//! | return (RMA)       | `ORDER#<orderId>`    | `RETURN#<returnId>`   |                                          | `SELLER#<sellerSub>` / `RETURN#<requestedAt>#<returnId>` |
//! | refund claim      | `ORDER#<orderId>`    | `REFUND#<refundId>`   | `REFUNDS#failed` / `<failedAt>#<refundId>` while Stripe's refusal waits for an operator | |
//! | mail notice (TTL)  | `ORDER#<orderId>`  | `NOTICE#<news>#<subject>` |                                   |                                 |
//! | coverage pointer  | `CARRIER`            | `COVERAGE`            |                                          |                                 |
//! | coverage upload   | `CARRIER`            | `COVERAGE#<etag>#<upload order>` |                                  |                                 |
//! | coverage row      | `COVERAGE#<version>#<country>` | `POSTCODE#<prefix>` |                                   |                                 |
//! | shipment          | `ORDER#<orderId>`    | `SHIPMENT#<sellerId>` | `SHIPMENTS#ready` / `<readyAt>#<shipmentId>` while ready; `HANDOFF#<runId>` / `<shipmentId>` once handed over | `SELLER#<sellerSub>` / `SHIPMENT#<createdAt>#<shipmentId>` |
//!
//! Access patterns:
//! - product page: `Query PK = PRODUCT#<id>` returns the product and all its variants in one strongly
//!   consistent read (an item collection).
//! - category tree: `Query PK = CATALOG, begins_with(SK, CATEGORY#)` (hundreds of items; cacheable).
//! - products in a category, paged: `Query GSI1 PK = CATEGORY#<id>` with an opaque cursor.
//! - a seller's products: `Query GSI2 PK = SELLER#<sub>`.
//! - SKU → product: `GetItem SKU#<sku>`; the claim item also makes SKUs unique shop-wide
//!   (written with `attribute_not_exists` in the product's transaction).
//! - a seller account: `GetItem SELLER#<sellerId>` (the public id, a one-way digest of the
//!   `sub`: a public profile is found by it, and a signed-in seller's own by digesting its `sub`);
//!   every product write reads it first, so a pending or suspended seller changes nothing.
//! - a seller's catalog imports, newest first: `Query PK = SELLER#<sellerId>, begins_with(SK, IMPORT#)`,
//!   `ScanIndexForward=false`; one import: `GetItem SELLER#<sellerId>` / `IMPORT#<importId>`.
//! - seller accounts by status, oldest change first (an administrator's queue of applications):
//!   `Query GSI1 PK = SELLERS#<status>`.
//! - a seller's own listings, any status: `Query GSI2 PK = SELLER#<sub>, begins_with(GSI2SK, PRODUCT#)`.
//! - a customer's cart, wishlist, address book and profile: `Query PK = USER#<sub>` with an SK prefix.
//!   Everything a customer owns sits under their own partition, so a handler that
//!   only builds keys from the verified `sub` can never read another customer's data.
//! - a pending email verification: `GetItem EMAIL#<email>` (the address is all the customer
//!   sends back with the code); it expires by TTL (`expiresAt`, Unix seconds).
//!
//! - an order: `GetItem ORDER#<id>` / `SK = ORDER` (lines, totals, status, history, payment:
//!   everything a step of the checkout needs, in one read); its line items sit in the same
//!   partition for sellers' views.
//! - a customer's orders, newest first: `Query GSI1 PK = CUSTOMER#<sub>`, `ScanIndexForward=false`
//!   (and `GSI1SK > ORDER#<time>` for their orders since a moment, as the fraud check asks).
//! - a seller's order lines, newest first: `Query GSI2 PK = SELLER#<sub>, begins_with(GSI2SK, ORDERLINE#)`;
//!   a seller reads only lines of their own products, never a whole order.
//! - a replayed `POST /orders`: `GetItem USER#<sub>` / `IDEMPOTENCY#<digest>`, written in the
//!   order's own transaction and expiring by TTL after a day.
//! - an order with its shipments and refunds: `Query PK = ORDER#<id>` (consistent): the order
//!   item, its lines, one `SHIPMENT#<sellerId>` per seller (created in the confirming
//!   transaction), its `REFUND#<refundId>` claims and its mail notices.
//! - a seller's shipments, newest first: `Query GSI2 PK = SELLER#<sub>, begins_with(GSI2SK, SHIPMENT#)`;
//!   one shipment: `GetItem ORDER#<orderId>` / `SHIPMENT#<sellerId>`, both from the shipment id.
//! - shipments ready for the carrier, oldest first: `Query GSI1 PK = SHIPMENTS#ready AND GSI1SK < <slot>`;
//!   those a hand-off run gave the carrier: `Query GSI1 PK = HANDOFF#<runId>`.
//! - refunds Stripe refused, oldest first (an operator's queue): `Query GSI1 PK = REFUNDS#failed`.
//! - a variant's low-stock alerts: `Query PK = SELLER#<sellerId>, begins_with(SK, STOCKALERT#<sku>#)`;
//!   the one to deliver: `GetItem` by its number (the variant's `lowStockAlerts`).
//! - a card's recent orders (fraud velocity): `Query PK = CARD#<fingerprint>, SK > USE#<time>`.
//!
//! Stock lives on the variant item as `onHand` and `reserved`; only conditional
//! writes change `reserved`, keeping `reserved <= onHand`.

use crate::domain::fulfilment::RunId;
use crate::domain::ids::{
    AddressId, CategoryId, ImportId, OrderId, ProductId, SellerId, ShipmentId, Sku, UserId,
};
use crate::domain::refund::RefundId;
use crate::domain::returns::ReturnId;
use crate::domain::seller::SellerStatus;

mod customers;
pub use customers::*;

pub const PK: &str = "PK";
pub const SK: &str = "SK";
pub const GSI1: &str = "GSI1";
pub const GSI1PK: &str = "GSI1PK";
pub const GSI1SK: &str = "GSI1SK";
pub const GSI2: &str = "GSI2";
pub const GSI2PK: &str = "GSI2PK";
pub const GSI2SK: &str = "GSI2SK";
pub const GSI3: &str = "GSI3";
pub const GSI3PK: &str = "GSI3PK";
pub const GSI3SK: &str = "GSI3SK";

/// The kind of item, stored on every item so streams and exports can tell them apart.
pub const ENTITY: &str = "entity";

pub const CATALOG_PK: &str = "CATALOG";
pub const CATEGORY_PREFIX: &str = "CATEGORY#";
pub const PRODUCT_SK: &str = "PRODUCT";
pub const VARIANT_PREFIX: &str = "VARIANT#";
pub const CART_PREFIX: &str = "CART#";
pub const WISHLIST_PREFIX: &str = "WISHLIST#";
pub const PROFILE_SK: &str = "PROFILE";
pub const ADDRESS_PREFIX: &str = "ADDRESS#";

pub fn category_sk(id: &CategoryId) -> String {
    format!("{CATEGORY_PREFIX}{id}")
}

pub fn product_pk(id: &ProductId) -> String {
    format!("PRODUCT#{id}")
}

/// The product whose partition `pk` is (its product item and its variants), if any.
pub fn product_of_pk(pk: &str) -> Option<ProductId> {
    pk.strip_prefix("PRODUCT#")
        .and_then(|id| ProductId::parse(id).ok())
}

pub fn variant_sk(sku: &Sku) -> String {
    format!("{VARIANT_PREFIX}{sku}")
}

pub const SKU_PREFIX: &str = "SKU#";

pub fn sku_pk(sku: &Sku) -> String {
    format!("{SKU_PREFIX}{sku}")
}

pub const SKU_SK: &str = "SKU";

pub fn category_products_pk(id: &CategoryId) -> String {
    format!("{CATEGORY_PREFIX}{id}")
}

pub fn category_products_sk(id: &ProductId) -> String {
    format!("PRODUCT#{id}")
}

pub fn seller_products_pk(id: &UserId) -> String {
    format!("SELLER#{id}")
}

pub const SELLER_ACCOUNT_PREFIX: &str = "SELLER#";
pub const SELLER_ACCOUNT_SK: &str = "ACCOUNT";

pub fn seller_account_pk(id: &SellerId) -> String {
    format!("{SELLER_ACCOUNT_PREFIX}{id}")
}

pub fn sellers_by_status_pk(status: SellerStatus) -> String {
    format!("SELLERS#{}", status.as_str())
}

pub fn sellers_by_status_sk(changed_at: &str, id: &SellerId) -> String {
    format!("{changed_at}#{id}")
}

pub const PRODUCT_PREFIX: &str = "PRODUCT#";
pub const IMPORT_PREFIX: &str = "IMPORT#";

/// Import ids are UUIDv7s: a seller's imports sort by time under its account.
pub fn import_sk(id: &ImportId) -> String {
    format!("{IMPORT_PREFIX}{id}")
}

pub fn user_pk(id: &UserId) -> String {
    format!("USER#{id}")
}

pub fn cart_sk(sku: &Sku) -> String {
    format!("{CART_PREFIX}{sku}")
}

pub fn address_sk(id: &AddressId) -> String {
    format!("{ADDRESS_PREFIX}{id}")
}

pub fn wishlist_sk(id: &ProductId) -> String {
    format!("{WISHLIST_PREFIX}{id}")
}

pub const VERIFICATION_SK: &str = "VERIFICATION";
pub const PASSWORD_RESET_SK: &str = "PASSWORDRESET";
pub const EMAIL_CHANGE_SK: &str = "EMAILCHANGE";
pub const DELETED_SK: &str = "DELETED";
/// Under `user_pk`: how many of the customer's orders (and units) await payment.
pub const PENDING_ORDERS_SK: &str = "PENDINGORDERS";

pub const ORDER_SK: &str = "ORDER";
pub const ORDER_PREFIX: &str = "ORDER#";
pub const ORDER_LINE_PREFIX: &str = "LINE#";
pub const ORDER_LINE_INDEX_PREFIX: &str = "ORDERLINE#";
pub const IDEMPOTENCY_PREFIX: &str = "IDEMPOTENCY#";
pub const CARD_USE_PREFIX: &str = "USE#";

pub fn order_pk(id: &OrderId) -> String {
    format!("{ORDER_PREFIX}{id}")
}

pub fn order_line_sk(sku: &Sku) -> String {
    format!("{ORDER_LINE_PREFIX}{sku}")
}

pub fn customer_orders_pk(customer: &UserId) -> String {
    format!("CUSTOMER#{customer}")
}

/// RFC 3339 UTC times sort as text, so this sorts a customer's orders by time.
pub fn customer_orders_sk(created_at: &str, id: &OrderId) -> String {
    format!("{ORDER_PREFIX}{created_at}#{id}")
}

pub fn seller_order_line_sk(created_at: &str, id: &OrderId, sku: &Sku) -> String {
    format!("{ORDER_LINE_INDEX_PREFIX}{created_at}#{id}#{sku}")
}

/// `digest` is the key's SHA-256 hex: the client's text never becomes part of a key.
pub fn idempotency_sk(digest: &str) -> String {
    format!("{IDEMPOTENCY_PREFIX}{digest}")
}

/// `fingerprint` is Stripe's card fingerprint (letters and digits).
pub fn card_pk(fingerprint: &str) -> String {
    format!("CARD#{fingerprint}")
}

pub fn card_use_sk(at: &str, id: &OrderId) -> String {
    format!("{CARD_USE_PREFIX}{at}#{id}")
}

pub const SHIPMENT_PREFIX: &str = "SHIPMENT#";
/// GSI1's partition of the shipments waiting for the carrier's next collection.
pub const READY_SHIPMENTS_PK: &str = "SHIPMENTS#ready";

/// In an order's partition: its refund claims.
pub const REFUND_PREFIX: &str = "REFUND#";
/// In an order's partition: its returns; on GSI2, a seller's returns.
pub const RETURN_PREFIX: &str = "RETURN#";
/// GSI1's partition of the refunds Stripe refused: an operator's queue, oldest first.
pub const REFUNDS_FAILED_PK: &str = "REFUNDS#failed";

pub const CARRIER_PK: &str = "CARRIER";
pub const HANDOFF_PREFIX: &str = "HANDOFF#";
pub const INBOX_PREFIX: &str = "INBOX#";
pub const NOTICE_PREFIX: &str = "NOTICE#";
pub const STOCK_ALERT_PREFIX: &str = "STOCKALERT#";
/// Under `CARRIER_PK`: which coverage version is current (and the one before it).
pub const COVERAGE_SK: &str = "COVERAGE";
pub const COVERAGE_PREFIX: &str = "COVERAGE#";
pub const POSTCODE_PREFIX: &str = "POSTCODE#";

/// Under `CARRIER_PK`: one record per upload of the coverage file (its content's ETag and
/// the upload's order, S3's sequencer and time), so a redelivered event loads nothing twice.
pub fn coverage_load_sk(etag: &str, upload: &str) -> String {
    format!("{COVERAGE_PREFIX}{etag}#{upload}")
}

/// A coverage version's rows of one country (the version is its file's ETag).
pub fn coverage_pk(version: &str, country: &str) -> String {
    format!("{COVERAGE_PREFIX}{version}#{country}")
}

/// A coverage row: its postal prefix (empty: the whole country).
pub fn postcode_sk(prefix: &str) -> String {
    format!("{POSTCODE_PREFIX}{prefix}")
}

/// Under `CARRIER_PK`: one record per carrier event file's content (its ETag), so a file
/// delivered again, or uploaded again unchanged, is applied once.
pub fn inbox_file_sk(etag: &str) -> String {
    format!("{INBOX_PREFIX}{etag}")
}

/// In the order's partition: a mail written with the change it tells of and flushed to
/// the mail queue after it; one per kind of news per subject (a shipment's, the order's
/// or a refund's id), so news told twice is mailed once.
pub fn notice_sk(news: &str, subject: &str) -> String {
    format!("{NOTICE_PREFIX}{news}#{subject}")
}

/// Under `CARRIER_PK`: one record per hand-off run (its claim, heartbeat and outcome).
pub fn handoff_run_sk(run: &RunId) -> String {
    format!("{HANDOFF_PREFIX}{run}")
}

/// GSI1: the shipments a run handed over (keyed by shipment id), which a takeover of a
/// dead attempt of the run puts on the manifest.
pub fn handoff_shipments_pk(run: &RunId) -> String {
    format!("{HANDOFF_PREFIX}{run}")
}

/// A shipment sits in its order's partition, one per seller (the public id).
pub fn shipment_sk(seller: &SellerId) -> String {
    format!("{SHIPMENT_PREFIX}{seller}")
}

/// GSI2: a seller's shipments beside its products and order lines, by creation time.
pub fn seller_shipment_sk(created_at: &str, id: &ShipmentId) -> String {
    format!("{SHIPMENT_PREFIX}{created_at}#{id}")
}

/// GSI1 under `READY_SHIPMENTS_PK`: the time it was packed first, so a collection takes
/// the shipments packed before its slot by a range on this key.
pub fn ready_shipment_sk(ready_at: &str, id: &ShipmentId) -> String {
    format!("{ready_at}#{id}")
}

/// A refund claim, by its id (derived from its cause: `<orderId>.cancel`, ...).
pub fn refund_sk(id: &RefundId) -> String {
    format!("{REFUND_PREFIX}{id}")
}

/// A return (RMA), by its id (`<shipmentId>.r<n>`).
pub fn return_sk(id: &ReturnId) -> String {
    format!("{RETURN_PREFIX}{id}")
}

/// GSI2 under the seller's `SELLER#<sub>`: its returns beside its products, order lines and
/// shipments, by the time they were asked for.
pub fn seller_return_sk(requested_at: &str, id: &ReturnId) -> String {
    format!("{RETURN_PREFIX}{requested_at}#{id}")
}

/// GSI1 under `REFUNDS_FAILED_PK`: when Stripe refused it.
pub fn failed_refund_sk(failed_at: &str, id: &RefundId) -> String {
    format!("{failed_at}#{id}")
}

/// `email` is already normalised (lower case, trimmed) by the domain.
/// A seller's low-stock alert number `crossing` (from 1) of `sku`.
pub fn stock_alert_sk(sku: &Sku, crossing: u64) -> String {
    format!("{STOCK_ALERT_PREFIX}{sku}#{crossing}")
}

pub fn email_pk(email: &str) -> String {
    format!("EMAIL#{email}")
}

#[cfg(test)]
mod tests;
