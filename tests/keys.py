"""The shop table's key schema for the Python side: tests, infra/bench and infra/local/seed.py.

A mirror of shared/src/store/keys.rs, the one place the functions build keys; same names, and
tests/test_keys.py fails when the two disagree. Scripts outside tests/ put this folder
on sys.path to import it.
"""

import hashlib

PK, SK = "PK", "SK"
GSI1, GSI1PK, GSI1SK = "GSI1", "GSI1PK", "GSI1SK"  # category listing; a customer's orders
GSI2, GSI2PK, GSI2SK = "GSI2", "GSI2PK", "GSI2SK"  # a seller's products; a seller's order lines
GSI3, GSI3PK, GSI3SK = "GSI3", "GSI3PK", "GSI3SK"  # approved reviews by stars
ENTITY = "entity"  # the item's kind, on every item

CATALOG_PK = "CATALOG"
CATEGORY_PREFIX = "CATEGORY#"
PRODUCT_SK = "PRODUCT"
VARIANT_PREFIX = "VARIANT#"
SKU_PREFIX = "SKU#"
SKU_SK = "SKU"
CART_PREFIX = "CART#"
WISHLIST_PREFIX = "WISHLIST#"
PROFILE_SK = "PROFILE"
ADDRESS_PREFIX = "ADDRESS#"
VERIFICATION_SK = "VERIFICATION"
PASSWORD_RESET_SK = "PASSWORDRESET"
EMAIL_CHANGE_SK = "EMAILCHANGE"
DELETED_SK = "DELETED"
PENDING_ORDERS_SK = "PENDINGORDERS"
ORDER_PREFIX = "ORDER#"
ORDER_SK = "ORDER"
ORDER_LINE_PREFIX = "LINE#"
ORDER_LINE_INDEX_PREFIX = "ORDERLINE#"
IDEMPOTENCY_PREFIX = "IDEMPOTENCY#"
CARD_USE_PREFIX = "USE#"
SELLER_ACCOUNT_PREFIX = "SELLER#"
SELLER_ACCOUNT_SK = "ACCOUNT"
PRODUCT_PREFIX = "PRODUCT#"
IMPORT_PREFIX = "IMPORT#"
SHIPMENT_PREFIX = "SHIPMENT#"
READY_SHIPMENTS_PK = "SHIPMENTS#ready"
REFUND_PREFIX = "REFUND#"
RETURN_PREFIX = "RETURN#"
REFUNDS_FAILED_PK = "REFUNDS#failed"
CARRIER_PK = "CARRIER"
HANDOFF_PREFIX = "HANDOFF#"
INBOX_PREFIX = "INBOX#"
NOTICE_PREFIX = "NOTICE#"
STOCK_ALERT_PREFIX = "STOCKALERT#"
COVERAGE_SK = "COVERAGE"
COVERAGE_PREFIX = "COVERAGE#"
POSTCODE_PREFIX = "POSTCODE#"
RELATED_TOP_SK = "TOP"
ORDER_COUNT_SK = "ORDERS"
COUNTED_SK = "COUNTED"
WITH_PREFIX = "WITH#"
POPULAR_EVERYWHERE = "ALL"
REVIEW_PREFIX = "REVIEW#"
REVIEWED_PREFIX = "REVIEWED#"
VOTE_PREFIX = "VOTE#"


def _prefixed(prefix):
    return lambda value: f"{prefix}{value}"


# Key builders, named as in keys.rs: each puts its prefix before an id, SKU or user sub.
category_sk = _prefixed(CATEGORY_PREFIX)
product_pk = _prefixed("PRODUCT#")
variant_sk = _prefixed(VARIANT_PREFIX)
sku_pk = _prefixed(SKU_PREFIX)
category_products_pk = _prefixed(CATEGORY_PREFIX)
category_products_sk = _prefixed("PRODUCT#")
seller_products_pk = _prefixed("SELLER#")
user_pk = _prefixed("USER#")
cart_sk = _prefixed(CART_PREFIX)
wishlist_sk = _prefixed(WISHLIST_PREFIX)
address_sk = _prefixed(ADDRESS_PREFIX)
email_pk = _prefixed("EMAIL#")
order_pk = _prefixed(ORDER_PREFIX)
order_line_sk = _prefixed(ORDER_LINE_PREFIX)
customer_orders_pk = _prefixed("CUSTOMER#")
idempotency_sk = _prefixed(IDEMPOTENCY_PREFIX)  # takes the key's SHA-256 hex: idempotency_key_hash()
card_pk = _prefixed("CARD#")
seller_account_pk = _prefixed(SELLER_ACCOUNT_PREFIX)  # takes the public seller id
import_sk = _prefixed(IMPORT_PREFIX)
shipment_sk = _prefixed(SHIPMENT_PREFIX)  # takes the public seller id
handoff_run_sk = _prefixed(HANDOFF_PREFIX)  # takes a run id (the slot, 20261208T060000Z)
handoff_shipments_pk = _prefixed(HANDOFF_PREFIX)
inbox_file_sk = _prefixed(INBOX_PREFIX)  # takes an event file's ETag
refund_sk = _prefixed(REFUND_PREFIX)  # takes a refund id (<orderId>.<cause>)
return_sk = _prefixed(RETURN_PREFIX)  # takes a return id (<shipmentId>.r<n>)


related_pk = _prefixed("RELATED#")
related_with_sk = _prefixed(WITH_PREFIX)
popular_pk = _prefixed("POPULAR#")  # takes a category id or POPULAR_EVERYWHERE
copurchase_pk = _prefixed("COPURCHASE#")
product_reviews_pk = _prefixed("REVIEWS#PRODUCT#")
seller_reviews_pk = _prefixed("REVIEWS#SELLER#")  # takes the public seller id
review_sk = _prefixed(REVIEW_PREFIX)  # takes a review id (<productId>.u<20 hex>, or a shipment id)
user_review_sk = _prefixed(REVIEWED_PREFIX)


def reviews_by_status_pk(status):  # pending or rejected: the moderation queue
    return f"REVIEWS#{status}"


def review_time_sk(at, review_id):
    return f"{at}#{review_id}"


def review_helpful_sk(helpful, created_at, review_id):  # helpful: 10 digits, zero-padded
    return f"{helpful}#{created_at}#{review_id}"


def review_rating_sk(stars, created_at, review_id):
    return f"{stars}#{created_at}#{review_id}"


def vote_sk(review_id, voter):
    return f"{VOTE_PREFIX}{review_id}#{voter}"


def seller_return_sk(requested_at, return_id):
    return f"{RETURN_PREFIX}{requested_at}#{return_id}"


def failed_refund_sk(failed_at, refund_id):
    return f"{failed_at}#{refund_id}"


def notice_sk(news, subject):  # subject: a shipment's, the order's or a refund's id
    return f"{NOTICE_PREFIX}{news}#{subject}"


def stock_alert_sk(sku, crossing):  # crossing: the alert's number, from 1
    return f"{STOCK_ALERT_PREFIX}{sku}#{crossing}"


def coverage_load_sk(etag, upload):
    return f"{COVERAGE_PREFIX}{etag}#{upload}"


def coverage_pk(version, country):
    return f"{COVERAGE_PREFIX}{version}#{country}"


postcode_sk = _prefixed(POSTCODE_PREFIX)  # takes a normalised postal prefix ("" for the whole country)


def sellers_by_status_pk(status):
    return f"SELLERS#{status}"


def sellers_by_status_sk(changed_at, seller_id):
    return f"{changed_at}#{seller_id}"


# Sort keys made of several parts: an RFC 3339 UTC time first, so a query returns them in time order.
# (A seller's order lines share GSI2's SELLER#<sub> partition: seller_products_pk.)
def customer_orders_sk(created_at, order_id):
    return f"{ORDER_PREFIX}{created_at}#{order_id}"


def seller_order_line_sk(created_at, order_id, sku):
    return f"{ORDER_LINE_INDEX_PREFIX}{created_at}#{order_id}#{sku}"


def seller_shipment_sk(created_at, shipment_id):
    return f"{SHIPMENT_PREFIX}{created_at}#{shipment_id}"


def ready_shipment_sk(ready_at, shipment_id):
    return f"{ready_at}#{shipment_id}"



def card_use_sk(created_at, order_id):
    return f"{CARD_USE_PREFIX}{created_at}#{order_id}"


def idempotency_key_hash(idempotency_key):
    """The SHA-256 hex of an Idempotency-Key header, salted with its purpose as
    IdempotencyKey::digest does: the table never stores the key itself."""
    return hashlib.sha256(b"idempotency-key:" + idempotency_key.encode()).hexdigest()


def key(pk, sk):
    """A table key as boto3's low-level DynamoDB client takes it."""
    return {PK: {"S": pk}, SK: {"S": sk}}
