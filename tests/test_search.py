"""Product search, the query side: GET /search and GET /search/suggest over products the tests make.

A new product is found by a word of its name, typos still find it, facets count what the
filters leave, results sort and page with a cursor, bad parameters are refused and hostile text
is searched as text, and suggest completes brands and names. The index side (the stream ->
index-products -> OpenSearch) is tests/test_search_indexing.py; the helpers are tests/search.py.

Each test makes its own products through the API and reads them back through the gateway; the
index is near-real-time, so every expectation about it is polled with wait_for (at most 60 s
each). Their names and brands carry a fresh word made from a uuid (letters only, so no analyzer
splits it at a letter/digit boundary), and the tests filter or search by that word: they hold
whatever else the catalog (seeded or left by other tests) holds.
"""

import base64
import json

import pytest

from conftest import assert_problem
from search import (ITEM_FIELDS, bands, expected_bands, find, money, new_product, params_of, search, set_variant,
                    suggest, variant, wait_for, wait_indexed, word)


# ---------------------------------------------------------------- helpers

def counts(entries, key="value"):
    """A facet's non-zero counts as {value: count}."""
    return {e[key]: e["count"] for e in entries if e["count"]}


def facet_counts(result):
    f = result["facets"]
    return {"categories": counts(f["categories"], "id"), "brands": counts(f["brands"]),
            "attributes": {name: c for name, values in f["attributes"].items() if (c := counts(values))}}


def walk(anon, params, limit=1):
    """Every id of a search, page by page through nextCursor; (ids, pages)."""
    ids, cursor, pages = [], None, 0
    while True:
        page = search(anon, [*params_of(params), ("limit", limit)] + ([("cursor", cursor)] if cursor else []))
        assert len(page["items"]) <= limit, page
        ids += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["nextCursor"]
        if cursor is None:
            return ids, pages
        assert pages < 20, f"nextCursor never ran out: {ids}"


# ---------------------------------------------------------------- finding, ranking, facets, sorting and paging

def test_attribute_filters_match_in_any_case_and_facets_keep_the_sellers_spelling(seller, anon):
    """`attr.colour=black` finds a variant its seller wrote as `Black` (as brands match in any
    case); the facet shows `Black`."""
    brand = word().title()
    p = new_product(seller, f"{word().title()} Skillet", brand, "cookware", [variant(2000, colour="Black")])
    wait_for(lambda: search(anon, [("brand", brand)])["total"] == 1, what="the product listed")
    for value in ("black", "BLACK", "Black"):
        result = search(anon, [("brand", brand), ("attr.colour", value)])
        assert [i["id"] for i in result["items"]] == [p["id"]], value
        assert facet_counts(result)["attributes"] == {"colour": {"Black": 1}}, value
    assert search(anon, [("brand", brand), ("attr.colour", "blue")])["total"] == 0


def test_a_new_product_is_found_by_a_word_of_its_name(seller, anon, dynamodb):
    """A product created through the API is found by a word of its name (any case), and the
    hit and the document carry its brand, category, price range and stock."""
    w, brand = word(), word().title()
    p = new_product(seller, f"{w.title()} Mirrorless Kit", brand, "cameras",
                    [variant(3000, colour="black"), variant(4500, colour="silver")])

    hit = wait_for(lambda: find(anon, p["id"], {"q": w}), what=f"{p['id']} findable by {w!r}")

    assert ITEM_FIELDS <= set(hit), ITEM_FIELDS - set(hit)
    assert (hit["name"], hit["brand"], hit["categoryId"]) == (p["name"], brand, "cameras")
    assert hit["sellerId"] == p["sellerId"], "shoppers see the seller's public id"
    assert (hit["priceFrom"], hit["priceTo"]) == (money(3000), money(4500))
    assert hit["inStock"] is True
    assert (hit["ratingCount"], hit["ratingAverageX100"]) == (0, None)
    result = search(anon, {"q": w})
    assert result["total"] == 1 and [i["id"] for i in result["items"]] == [p["id"]]
    assert find(anon, p["id"], {"q": w.upper()}), "search is case-insensitive"
    assert seller.user_id not in json.dumps(result), "the seller's account id leaked"

    doc = wait_indexed(dynamodb, p["id"])
    source = doc["_source"]
    assert source["id"] == p["id"] and source["categoryPath"] == ["electronics", "cameras"]
    assert (source["status"], source["inStock"]) == ("active", True)
    assert (source["priceFrom"], source["priceTo"], source["currency"]) == (3000, 4500, "USD")
    assert sorted(source["attributes"]) == ["colour\u001fblack", "colour\u001fsilver"]


def test_typos_still_find_the_product_first(seller, anon):
    """A query with a typo in two of its words still ranks the product whose name has them first."""
    w = word()
    p = new_product(seller, f"{w.title()} Wireless Headphones", word().title(), "headphones",
                    [variant(7900, colour="black")])
    wait_for(lambda: find(anon, p["id"], [("q", f"{w} wireless headphones")]), what="the product listed")

    result = search(anon, {"q": f"{w} wireles hedphones"})

    assert result["items"] and result["items"][0]["id"] == p["id"], result["items"][:3]


def test_facets_count_what_the_filters_leave(seller, anon):
    """Facets are counted over the result set: categories by path (a parent counts its
    descendants), brands, price bands and attributes, exactly, with a brand filter and then with
    attribute filters (OR within a name, AND across names); a category filter takes descendants."""
    brand, other = word().title(), word().title()
    headphones = new_product(seller, f"{word().title()} Over-Ear", brand, "headphones",
                             [variant(3000, colour="black", connection="wireless"),
                              variant(3200, colour="white", connection="wireless")])
    phone = new_product(seller, f"{word().title()} Handset", brand, "phones",
                        [variant(15000, colour="black", connection="wired")])
    skillet = new_product(seller, f"{word().title()} Skillet", brand, "cookware", [variant(60000, colour="white")])
    sandal = new_product(seller, f"{word().title()} Sandal", other, "shoes", [variant(900, size="40")])
    by_brand = [("brand", brand)]
    wait_for(lambda: search(anon, by_brand)["total"] == 3, what="the brand's three products listed")
    wait_for(lambda: search(anon, [("brand", other)])["total"] == 1, what="the other brand's product listed")

    result = search(anon, by_brand)
    assert {i["id"] for i in result["items"]} == {headphones["id"], phone["id"], skillet["id"]}
    assert facet_counts(result) == {
        "categories": {"electronics": 2, "headphones": 1, "phones": 1, "home": 1, "cookware": 1},
        "brands": {brand: 3},
        "attributes": {"colour": {"black": 2, "white": 2}, "connection": {"wireless": 1, "wired": 1}},
    }
    assert bands(result) == expected_bands({(2500, 5000): 1, (10000, 20000): 1, (50000, None): 1})

    black = search(anon, by_brand + [("attr.colour", "black")])
    assert {i["id"] for i in black["items"]} == {headphones["id"], phone["id"]} and black["total"] == 2
    assert facet_counts(black) == {
        "categories": {"electronics": 2, "headphones": 1, "phones": 1},
        "brands": {brand: 2},
        "attributes": {"colour": {"black": 2, "white": 1}, "connection": {"wireless": 1, "wired": 1}},
    }
    assert bands(black) == expected_bands({(2500, 5000): 1, (10000, 20000): 1})

    wired_black = search(anon, by_brand + [("attr.colour", "black"), ("attr.connection", "wired")])
    assert [i["id"] for i in wired_black["items"]] == [phone["id"]]
    either = search(anon, by_brand + [("attr.colour", "black"), ("attr.colour", "white")])
    assert either["total"] == 3

    electronics = search(anon, by_brand + [("category", "electronics")])
    assert {i["id"] for i in electronics["items"]} == {headphones["id"], phone["id"]}
    assert [i["id"] for i in search(anon, by_brand + [("category", "headphones")])["items"]] == [headphones["id"]]
    assert [i["id"] for i in search(anon, by_brand + [("category", "home")])["items"]] == [skillet["id"]]
    assert search(anon, by_brand + [("category", "fashion")])["total"] == 0

    both = search(anon, [("brand", brand), ("brand", other)])
    assert {i["id"] for i in both["items"]} == {headphones["id"], phone["id"], skillet["id"], sandal["id"]}
    assert facet_counts(both)["brands"] == {brand: 3, other: 1}
    assert facet_counts(both)["categories"] == {"electronics": 2, "headphones": 1, "phones": 1, "home": 1,
                                                "cookware": 1, "fashion": 1, "shoes": 1}


def test_sorting_and_paging_with_a_cursor(seller, anon):
    """price_asc, price_desc and newest order the results; limit=1 pages walk every result once
    through nextCursor and end with nextCursor null; a cursor only serves its own sort."""
    brand = word().title()
    created = [new_product(seller, f"{word().title()} Tent", brand, "camping", [variant(price)])
               for price in (5000, 2000, 9000)]
    mid, cheap, dear = (p["id"] for p in created)
    by_brand = [("brand", brand)]
    wait_for(lambda: search(anon, by_brand)["total"] == 3, what="the three products listed")

    expected = {"price_asc": [cheap, mid, dear], "price_desc": [dear, mid, cheap], "newest": [dear, cheap, mid]}
    for sort, order in expected.items():
        assert [i["id"] for i in search(anon, by_brand + [("sort", sort)])["items"]] == order, sort
        ids, pages = walk(anon, by_brand + [("sort", sort)])
        assert ids == order, sort
        assert pages in (3, 4), f"{sort}: {pages} pages for 3 results"  # 4: an empty last page

    ids, _ = walk(anon, by_brand)
    assert sorted(ids) == sorted([mid, cheap, dear]), "relevance paging lost or repeated a product"

    first = search(anon, by_brand + [("sort", "price_asc"), ("limit", 1)])
    assert first["total"] == 3 and first["nextCursor"]
    assert_problem(anon.get("/search", params=by_brand + [("sort", "price_desc"), ("cursor", first["nextCursor"])]),
                   400)


# ---------------------------------------------------------------- bad and hostile input

BAD_PARAMETERS = {
    "unknown sort": [("sort", "cheapest")],
    "min price over max price": [("min_price", 5000), ("max_price", 100)],
    "negative min price": [("min_price", -1)],
    "fractional max price": [("max_price", "10.5")],
    "limit over 50": [("limit", 51)],
    "limit 0": [("limit", 0)],
    "limit not a number": [("limit", "many")],
    "malformed cursor": [("cursor", "not-a-cursor")],
    "cursor of json garbage": [("cursor", base64.urlsafe_b64encode(b'{"after":[1,"x"]}').decode().rstrip("="))],
    "unknown parameter": [("colour", "red")],
    "q over 200 characters": [("q", "a" * 201)],
    "q of 17 words": [("q", " ".join(["lamp"] * 17))],
    "min rating over 5": [("min_rating", 6)],
    "min rating with three decimals": [("min_rating", "4.125")],
    "negative min rating": [("min_rating", -1)],
    "in_stock neither true nor false": [("in_stock", "maybe")],
    "q twice": [("q", "lamp"), ("q", "tent")],
    "sort twice": [("sort", "newest"), ("sort", "price_asc")],
    "brand over 64 characters": [("brand", "B" * 65)],
    "eleven attribute filters": [(f"attr.a{i}", "x") for i in range(11)],
}


@pytest.mark.parametrize("case", BAD_PARAMETERS)
def test_bad_parameters_are_refused(case, anon):
    """Each bad query string is a 400 problem+json with a detail."""
    problem = assert_problem(anon.get("/search", params=BAD_PARAMETERS[case]), 400)
    assert problem["type"] and problem["detail"], problem
    if case == "unknown parameter":
        assert "colour" in problem["detail"], "the problem names the unknown parameter"


GOOD_PARAMETERS = {
    "browse": [],
    "q of 200 characters": [("q", ("headphoneswireless " * 11)[:200])],
    "q of 16 words": [("q", " ".join(["lamp"] * 16))],
    "limit 1": [("limit", 1)],
    "limit 50": [("limit", 50)],
    "min rating 0": [("min_rating", 0)],
    "min rating 5": [("min_rating", 5)],
    "min rating with two decimals": [("min_rating", "4.25")],
    "equal price bounds": [("min_price", 0), ("max_price", 0)],
    "brand of 64 characters": [("brand", "B" * 64)],
    "two brands": [("brand", "Acme"), ("brand", "Globex")],
    "ten attribute filters": [(f"attr.a{i}", "x") for i in range(10)],
    "one attribute twice": [("attr.colour", "black"), ("attr.colour", "white")],
    "in stock": [("in_stock", "true")],
    "sold out": [("in_stock", "false")],
    "include out of stock": [("include_out_of_stock", "true")],
    "category": [("category", "electronics")],
    **{f"sort {s}": [("sort", s)] for s in ("relevance", "price_asc", "price_desc", "rating", "newest")},
}


@pytest.mark.parametrize("case", GOOD_PARAMETERS)
def test_parameters_at_their_limits_are_accepted(case, anon):
    """The edges of every parameter are valid searches."""
    result = search(anon, GOOD_PARAMETERS[case])
    assert isinstance(result["total"], int) and isinstance(result["items"], list)
    assert len(result["items"]) <= dict(GOOD_PARAMETERS[case]).get("limit", 20)


HOSTILE = {
    "10 KB": "x" * 10_240,
    "one word of 200 characters": "x" * 200,
    "regex": ".*[a-z]+(foo|bar)",
    "query DSL": '{"query":{"match_all":{}}}',
    "star": "*",
    "unbalanced quote": '"unbalanced',
    "backslash": "\\",
    "backslashes": "C:\\Windows\\",
    "emoji": "\U0001F3A7\U0001F525 headphones",
    "html": "<script>alert(1)</script>",
    "sql": "OR 1=1 --",
    "lucene syntax": "brand:* AND status:inactive",
    "ampersand and percent": "50% & more",
}


@pytest.fixture(scope="module")
def browse_total(seller, anon):
    """How many products a browse (no q) finds: at least one made here, indexed."""
    w = word()
    p = new_product(seller, f"{w.title()} Pillow", word().title(), "bedding", [variant(1500)])
    wait_for(lambda: find(anon, p["id"], [("q", w)]), what="the product listed")
    return search(anon, [])["total"]


def sane_answer(r, q, max_chars):
    """A 200 or a 400 problem (always a 400 over `max_chars`), never a 5xx: the 200's body, else None."""
    if len(q) > max_chars:
        assert_problem(r, 400)
        return None
    assert r.status_code in (200, 400), f"{r.status_code} {r.text}"
    if r.status_code == 400:
        assert_problem(r, 400)
        return None
    return r.json()


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_text_is_searched_as_text(case, anon, browse_total):
    """Hostile text gets a 200 or a 400, never a 5xx (over 200 characters: 400); the query DSL
    in q is searched as words, it does not become a match_all over the catalog."""
    q = HOSTILE[case]
    result = sane_answer(anon.get("/search", params={"q": q}), q, max_chars=200)
    if result is None:
        return
    assert isinstance(result["items"], list) and isinstance(result["total"], int)
    if case == "query DSL":
        assert result["total"] < browse_total, f"{result['total']} hits of {browse_total}: the JSON ran as a query"


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_text_in_suggest_is_never_a_server_error(case, anon):
    """Suggest answers hostile text with a 200 or a 400 (over 100 characters: 400)."""
    q = HOSTILE[case]
    result = sane_answer(anon.get("/search/suggest", params={"q": q}), q, max_chars=100)
    if result is not None:
        assert isinstance(result["suggestions"], list)


# ---------------------------------------------------------------- suggest

def test_suggest_completes_brands_and_names_of_products_in_stock(seller, anon):
    """A prefix of the brand suggests the brand and the product (its name starts with the
    brand); a prefix of another word of the name suggests the product; once sold out, neither."""
    brand, w = word().title(), word()
    p = new_product(seller, f"{brand} {w.title()} Headlamp", brand, "camping", [variant(2500)])
    as_product = {"text": p["name"], "kind": "product", "productId": p["id"]}

    def suggested(q):
        return [{k: s.get(k) for k in ("text", "kind", "productId")} if s["kind"] == "product"
                else {"text": s["text"], "kind": s["kind"]} for s in suggest(anon, q)]

    by_brand = wait_for(lambda: (s := suggested(brand[:6].lower())) and as_product in s and s,
                        what="the product suggested by a prefix of its brand")
    assert {"text": brand, "kind": "brand"} in by_brand
    assert as_product in wait_for(lambda: (s := suggested(w[:6])) and as_product in s and s,
                                  what="the product suggested by a prefix of a word of its name")
    assert len(suggest(anon, brand[:6].lower(), limit=1)) <= 1

    set_variant(seller, p, onHand=0)

    def gone():
        s = suggested(brand[:6].lower())
        return as_product not in s and {"text": brand, "kind": "brand"} not in s

    wait_for(gone, what="the sold-out product and its brand no longer suggested")
    assert as_product not in suggested(w[:6])


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "a" * 101}, {"q": "lamp", "limit": 0},
                                    {"q": "lamp", "limit": 11}, {"q": "lamp", "brand": "Acme"}],
                         ids=["no q", "empty q", "q over 100", "limit 0", "limit 11", "unknown parameter"])
def test_suggest_bad_parameters_are_refused(params, anon):
    """Suggest needs a q of 1 to 100 characters, a limit of 1 to 10 and nothing else."""
    assert_problem(anon.get("/search/suggest", params=params), 400)
