"""The shop table's key schema for the Python side: tests, infra/bench and infra/local/seed.py.

A mirror of shared/src/store/keys.rs, the one place the functions build keys; same names, and
tests/test_keys.py fails when the two disagree. Scripts outside tests/ put this folder
on sys.path to import it.
"""

PK, SK = "PK", "SK"
GSI1, GSI1PK, GSI1SK = "GSI1", "GSI1PK", "GSI1SK"  # category listing
GSI2, GSI2PK, GSI2SK = "GSI2", "GSI2PK", "GSI2SK"  # a seller's products
ENTITY = "entity"  # the item's kind, on every item

CATALOG_PK = "CATALOG"
CATEGORY_PREFIX = "CATEGORY#"
PRODUCT_SK = "PRODUCT"
VARIANT_PREFIX = "VARIANT#"
SKU_SK = "SKU"
CART_PREFIX = "CART#"
WISHLIST_PREFIX = "WISHLIST#"
PROFILE_SK = "PROFILE"
VERIFICATION_SK = "VERIFICATION"


def _prefixed(prefix):
    return lambda value: f"{prefix}{value}"


# Key builders, named as in keys.rs: each puts its prefix before an id, SKU or user sub.
category_sk = _prefixed(CATEGORY_PREFIX)
product_pk = _prefixed("PRODUCT#")
variant_sk = _prefixed(VARIANT_PREFIX)
sku_pk = _prefixed("SKU#")
category_products_pk = _prefixed(CATEGORY_PREFIX)
category_products_sk = _prefixed("PRODUCT#")
seller_products_pk = _prefixed("SELLER#")
user_pk = _prefixed("USER#")
cart_sk = _prefixed(CART_PREFIX)
wishlist_sk = _prefixed(WISHLIST_PREFIX)
email_pk = _prefixed("EMAIL#")


def key(pk, sk):
    """A table key as boto3's low-level DynamoDB client takes it."""
    return {PK: {"S": pk}, SK: {"S": sk}}
