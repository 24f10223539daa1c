"""Seeds a sample catalog into a running local shop.

Categories are written straight into the table (there is no category API yet;
keys from tests/keys.py, the mirror of shared/src/store/keys.rs). Products go through
the shop's own HTTP API as a registered seller (registered and verified as a person
would: the code is read from the mail the shop sent; then approved by the local
administrator), so the seed exercises the real code path.

The products: first the hand-written featured ones of catalog/featured.json (distinctive names,
brands and descriptions, which tests/search_relevance.json measures search against), then
generated filler ("Acme Wireless Headphones 017").
Deterministic: the same catalog every run. Idempotent: a product whose SKUs an earlier run
claimed is refused with 409 and counted as already there.
"""

import json
import os
import random
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests"))
import accounts  # noqa: E402  (the local administrator, who approves the seed seller)
import keys  # noqa: E402  (the table's key schema)
import mailbox  # noqa: E402  (reads the verification code the shop mails)

API = os.environ.get("SHOP_API_URL", "http://127.0.0.1:8080")
MOTO = os.environ.get("MOTO_ENDPOINT", "http://127.0.0.1:5055")
FEATURED = Path(__file__).resolve().parent / "catalog" / "featured.json"
SELLER = {"email": "seed-seller@shop.example", "password": "Seed-Passw0rd", "name": "Seed Seller", "role": "seller"}

CATEGORIES = {
    "electronics": ("Electronics", ["phones", "laptops", "headphones", "cameras"]),
    "fashion": ("Fashion", ["mens-shirts", "womens-dresses", "shoes"]),
    "home": ("Home & Kitchen", ["cookware", "furniture", "bedding"]),
    "books": ("Books", ["fiction", "non-fiction"]),
    "sports": ("Sports & Outdoors", ["fitness", "camping"]),
    "toys": ("Toys & Games", ["board-games", "puzzles"]),
}
BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell"]
NOUNS = {
    "phones": "Smartphone", "laptops": "Laptop", "headphones": "Wireless Headphones", "cameras": "Mirrorless Camera",
    "mens-shirts": "Oxford Shirt", "womens-dresses": "Summer Dress", "shoes": "Running Shoes",
    "cookware": "Cast Iron Skillet", "furniture": "Oak Side Table", "bedding": "Cotton Duvet Cover",
    "fiction": "Novel", "non-fiction": "Field Guide", "fitness": "Yoga Mat", "camping": "Two-Person Tent",
    "board-games": "Strategy Board Game", "puzzles": "1000-Piece Puzzle",
}
VARIANT_AXES = {
    "mens-shirts": ("size", ["S", "M", "L", "XL"]), "womens-dresses": ("size", ["XS", "S", "M", "L"]),
    "shoes": ("size", ["40", "41", "42", "43", "44"]), "phones": ("storage", ["128GB", "256GB", "512GB"]),
    "laptops": ("memory", ["16GB", "32GB"]), "headphones": ("colour", ["black", "white", "blue"]),
    "bedding": ("size", ["single", "double", "king"]), "fitness": ("colour", ["purple", "grey"]),
}


def seed_categories(table):
    ddb = boto3.client("dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:4566"))
    count = 0
    for parent, (name, children) in CATEGORIES.items():
        rows = [(parent, name, None)] + [(c, c.replace("-", " ").title(), parent) for c in children]
        for cid, cname, parent_id in rows:
            item = {**keys.key(keys.CATALOG_PK, keys.category_sk(cid)), keys.ENTITY: {"S": "category"},
                    "id": {"S": cid}, "name": {"S": cname},
                    "parentId": {"S": parent_id} if parent_id else {"NULL": True}}
            ddb.put_item(TableName=table, Item=item)
            count += 1
    return count


def seller_token():
    """The seed seller, registered as a person would and approved by the local administrator."""
    r = mailbox.register_verified(API, MOTO, **SELLER)
    if r.status_code not in (201, 409):
        sys.exit(f"seed: register failed: {r.status_code} {r.text}")
    token = accounts.sign_in(API, SELLER["email"], SELLER["password"])
    admin = accounts.sign_in(API, accounts.LOCAL_ADMIN["email"], accounts.LOCAL_ADMIN["password"])
    accounts.approve(API, admin, token)
    return token


def featured():
    """The featured products as POST /products bodies, in file order. The file marks the few products
    whose every variant is out of stock with `"soldOut": true` (search hides them unless asked): a note
    for readers and tests that the API does not accept, so it is dropped here."""
    bodies = []
    for item in json.loads(FEATURED.read_text(encoding="utf-8")):
        body = {k: v for k, v in item.items() if k != "soldOut"}
        if item.get("soldOut") and any(v["onHand"] for v in body["variants"]):
            sys.exit(f"seed: {FEATURED.name}: {body['name']!r} is marked soldOut but has stock")
        bodies.append(body)
    return bodies


def products(count, rng):
    leaves = [c for _, (_, children) in CATEGORIES.items() for c in children]
    for i in range(count):
        category = leaves[i % len(leaves)]
        brand = rng.choice(BRANDS)
        base = rng.randrange(499, 149_999)
        axis, values = VARIANT_AXES.get(category, (None, [None]))
        chosen = values if axis is None else values[: rng.randint(1, len(values))]
        variants = []
        for j, value in enumerate(chosen):
            stock = rng.choice([0, 3, 10, 25, 100])
            v = {"sku": f"SEED-{i:04d}-{j}", "price": base + 500 * j, "currency": "USD", "onHand": stock}
            if axis:
                v["attributes"] = {axis: value}
            if rng.random() < 0.25:
                v["salePrice"] = (base + 500 * j) * 8 // 10
            variants.append(v)
        yield {"name": f"{brand} {NOUNS[category]} {i:03d}", "brand": brand, "categoryId": category,
               "description": f"A dependable {NOUNS[category].lower()} from {brand}.", "variants": variants}


def main():
    table = os.environ["TABLE_NAME"]
    count = int(os.environ.get("SEED_PRODUCTS", "300"))
    n_categories = seed_categories(table)
    token = seller_token()
    session = requests.Session()
    session.headers["authorization"] = f"Bearer {token}"

    def create(body):
        r = session.post(f"{API}/products", json=body, timeout=60)
        # 409: already seeded by an earlier run (its SKUs are claimed).
        if r.status_code not in (201, 409):
            raise RuntimeError(f"POST /products {r.status_code}: {r.text[:300]}")
        return r.status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        # Featured first (all of them answered before the filler starts), then the filler.
        featured_codes = list(pool.map(create, featured()))
        filler_codes = list(pool.map(create, products(count, random.Random(42))))
    codes = featured_codes + filler_codes
    print(json.dumps({"categories": n_categories, "featured": len(featured_codes),
                      "featuredCreated": featured_codes.count(201), "featuredAlreadyThere": featured_codes.count(409),
                      "filler": len(filler_codes), "productsCreated": codes.count(201),
                      "productsAlreadyThere": codes.count(409)}))


if __name__ == "__main__":
    main()
