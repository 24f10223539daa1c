"""Items of the synthetic catalog of infra/bench/catalog_gen.py: product number n of a seed as
the stored format the Rust code writes (product item, variant items, SKU claims), its content drawn
from catalog_vocab; and the marks (seller, description word, SKU prefix) that find generated
products again.
"""

import os
import random
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

_TESTS = str(Path(__file__).resolve().parents[2] / "tests")
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
import keys  # noqa: E402  (the table's key schema, mirror of shared/src/store/keys.rs)
from catalog_vocab import (  # noqa: E402
    ADJECTIVES, BRANDS, COLOURS, COPY_ADJECTIVES, COPY_ADVERBS, COPY_NOUNS, COPY_PARTICIPLES, COPY_VERBS,
    FEATURES, LEAF_WEIGHTS, LEAVES, MATERIALS, MAX_PRICE, MIN_PRICE, MODEL_LETTERS, MODEL_SUFFIXES,
    NO_COLOUR, NOUNS, PRICE_RANGE, ROOT_OF, SIZES, price_in, zipf_pick,
)

SELLER = "bench-seller"
MARK = "benchgen"
SKU_PREFIX = "BENCH-"
CURRENCY = "USD"
SOLD_OUT_SHARE = 0.10
SALE_SHARE = 0.15
UNRATED_SHARE = 0.30
AGE_DAYS = 365  # createdAt spread over the last year, so sort=newest has something to order

# --------------------------------------------------------------------------------------------
# Stored format
# --------------------------------------------------------------------------------------------

def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


NULL = {"NULL": True}  # serde_dynamo writes None as NULL


def money(amount):
    return {"M": {"amount": N(amount), "currency": S(CURRENCY)}}


def rfc3339(ns):
    """shared::store::now_rfc3339: the `time` crate's RFC 3339 of UTC, nanoseconds with trailing
    zeros dropped (no fraction at all when zero), `Z` for UTC."""
    secs, frac = divmod(ns, 1_000_000_000)
    text = datetime.fromtimestamp(secs, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    if frac:
        text += "." + f"{frac:09d}".rstrip("0")
    return text + "Z"


def uuid7_at(ms):
    """A product id of the shape ProductId::generate makes (UUID v7) for the time `ms`."""
    r = int.from_bytes(os.urandom(10), "big")
    value = (ms << 80) | (0x7 << 76) | (((r >> 64) & 0xFFF) << 64) | (0b10 << 62) | (r & ((1 << 62) - 1))
    return str(uuid.UUID(int=value))


def article(word):
    return f"{'An' if word[0] in 'aeiou' else 'A'} {word}"


def description(rng, leaf, noun, material, run_token):
    """20-40 words of product copy, the two marks last."""
    def f():
        return zipf_pick(rng, FEATURES[leaf], 0.7)

    def cn():
        return zipf_pick(rng, COPY_NOUNS)

    def ca():
        return zipf_pick(rng, COPY_ADJECTIVES)

    def cv():
        return zipf_pick(rng, COPY_VERBS)

    def cp():
        return zipf_pick(rng, COPY_PARTICIPLES)

    def adv():
        return zipf_pick(rng, COPY_ADVERBS)

    templates = [
        lambda: f"{article(ca())} {noun.lower()} with {f()} and {f()}, {cp()} for {cn()}.",
        lambda: f"{cp().capitalize()} from {material.lower()}, with {ca()} {f()}.",
        lambda: f"The {f()} {cv()} {adv()} and the {f()} {cv()} {cn()}.",
        lambda: f"{ca().capitalize()} {f()} and {ca()} {f()} for {cn()} and {cn()}.",
        lambda: f"Perfect for {cn()}, {cn()} and {cn()}.",
        lambda: f"{cv().capitalize()} your {cn()} {adv()} with {ca()} {f()} and {f()}.",
        lambda: f"{ca().capitalize()} {cn()}, {ca()} {cn()} and {f()} that {cv()}.",
    ]
    target = rng.randint(18, 38)  # the marks make it 20-40
    text = []
    while len(text) < target:
        text += rng.choice(templates)().split()
    if len(text) > 38:  # keep within 40 words: cut, end the sentence
        text = text[:38]
        text[-1] = text[-1].rstrip(",:.") + "."
    return f"{' '.join(text)} {MARK} {run_token}"


def make_product(seed, n, run_tag, now_ns):
    """Product number `n`: (product item, [variant items], [SKU claim items]); content depends only
    on (seed, n), ids and SKUs on the run."""
    rng = random.Random(f"{seed}:{n}")
    leaf = rng.choices(LEAVES, weights=[LEAF_WEIGHTS[c] for c in LEAVES])[0]
    root = ROOT_OF[leaf]
    noun = rng.choice(NOUNS[leaf])
    material = zipf_pick(rng, MATERIALS[root], 0.8)
    adjective = zipf_pick(rng, ADJECTIVES, 0.6)
    model = (rng.choice(MODEL_LETTERS) + rng.choice(MODEL_LETTERS) + str(rng.randrange(10, 10_000))
             + rng.choice(MODEL_SUFFIXES))
    name = f"{adjective} {material} {noun} {model}"
    brand = zipf_pick(rng, BRANDS, 0.8)
    desc = description(rng, leaf, noun, material, f"benchrun{run_tag}")

    created_ns = now_ns - rng.randrange(AGE_DAYS * 86_400 * 1_000_000_000)
    created = rfc3339(created_ns)
    pid = uuid7_at(created_ns // 1_000_000)

    # Variants: distinct attribute combinations of colour and/or size.
    n_variants = rng.choices([1, 2, 3], weights=[45, 35, 20])[0]
    sizes = SIZES.get(leaf)
    combos = set()
    base_colour = zipf_pick(rng, COLOURS, 0.7)
    while len(combos) < n_variants:
        attrs = {}
        if leaf not in NO_COLOUR:
            attrs["colour"] = base_colour if (sizes and rng.random() < 0.7) else zipf_pick(rng, COLOURS, 0.7)
        if sizes:
            attrs["size"] = rng.choice(sizes)
        combos.add(tuple(sorted(attrs.items())))  # BTreeMap: keys in order
    lo, hi = PRICE_RANGE[leaf]
    base = price_in(rng, lo, hi)
    sold_out = rng.random() < SOLD_OUT_SHARE
    stock = [0 if sold_out else rng.randint(0, 50) for _ in combos]
    if not sold_out and not any(stock):
        stock[0] = rng.randint(1, 50)

    variants, claims, unit_prices = [], [], []
    for j, (attrs, on_hand) in enumerate(zip(sorted(combos), stock)):
        sku = f"{SKU_PREFIX}{run_tag}-{n}-{j}".upper()
        step = int(base * rng.uniform(-0.2, 0.3)) // 100 * 100  # other variants: -20%..+30%, still x.99
        price = base if j == 0 else max(MIN_PRICE, min(MAX_PRICE, base + step))
        sale = None
        if rng.random() < SALE_SHARE:
            sale = max(MIN_PRICE, int(price * rng.uniform(0.6, 0.9)) // 100 * 100 + 99)
            if sale >= price:
                sale = None
        unit_prices.append(sale if sale is not None and sale < price else price)
        variants.append({
            **keys.key(keys.product_pk(pid), keys.variant_sk(sku)),
            "productId": S(pid), "sku": S(sku),
            "attributes": {"M": {k: S(v) for k, v in attrs}},
            "price": money(price), "salePrice": money(sale) if sale is not None else NULL,
            "onHand": N(on_hand), "reserved": N(0), "version": N(1), "rev": N(0),
            keys.ENTITY: S("variant"),
        })
        claims.append({**keys.key(keys.sku_pk(sku), keys.SKU_SK), "productId": S(pid), keys.ENTITY: S("sku")})

    if rng.random() < UNRATED_SHARE:
        count, stars = 0, 0
    else:
        count = max(1, int(rng.lognormvariate(2.5, 1.3)))
        count = min(count, 5_000)
        stars = min(5 * count, max(count, round(count * rng.uniform(2.5, 5.0))))
    product = {
        **keys.key(keys.product_pk(pid), keys.PRODUCT_SK),
        "id": S(pid), "sellerId": S(SELLER), "name": S(name), "description": S(desc), "brand": S(brand),
        "categoryId": S(leaf), "status": S("active"),
        "rating": {"M": {"count": N(count), "totalStars": N(stars)}},
        "createdAt": S(created), "updatedAt": S(created),
        "priceFrom": money(min(unit_prices)),
        "version": N(1),
        keys.ENTITY: S("product"),
        # product_item: active products in their category's listing, every product in the seller's.
        keys.GSI1PK: S(keys.category_products_pk(leaf)), keys.GSI1SK: S(keys.category_products_sk(pid)),
        keys.GSI2PK: S(keys.seller_products_pk(SELLER)), keys.GSI2SK: S(keys.category_products_sk(pid)),
    }
    return product, variants, claims
