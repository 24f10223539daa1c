"""Reviews and seller ratings on the local stack: only verified buyers (a delivered order of
the product) review; a review is pending, then approved, then counted; the rating summary
stays exact under concurrent moderation and edits; search filters by the real summary;
helpful votes count once per customer; a shipment's seller is rated once."""

import hashlib
import random
from concurrent.futures import ThreadPoolExecutor

import pytest

import keys
from conftest import assert_problem, register
from fulfilment import sellers_with_pickup
from reviews import delivered_buyers, histogram_of, stored_reviews
from search import must_find, search, wait_for

CLEAN = "Comfortable from the first day, and the sole grips on wet rock."
HELD = "Better price at https://example.net/shoes, go there instead."


@pytest.fixture(scope="module")
def bought(dynamodb):
    """Twelve customers with a delivered order of one product of one seller."""
    seller, _ = sellers_with_pickup()
    return delivered_buyers(seller, dynamodb, 12)


def review(user, product_id, stars, body=CLEAN, title="My view", method="post"):
    return getattr(user.api, method)(f"/products/{product_id}/reviews",
                                     json={"rating": stars, "title": title, "body": body})


def product_rating(anon, product_id):
    r = anon.get(f"/products/{product_id}")
    assert r.status_code == 200, r.text
    return r.json()["rating"]


def test_a_non_buyer_gets_403_and_a_buyers_review_is_pending_then_approved_and_counted(bought, admin, anon, dynamodb):
    pid = bought.id
    stranger = register("customer")
    assert_problem(review(stranger, pid, 5), 403)
    assert stored_reviews(dynamodb, keys.product_reviews_pk(pid)) == []

    first = bought.buyers[0]
    r = review(first, pid, 5, body=HELD)
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "pending" and r.json()["heldFor"] == ["contains a link"]
    assert product_rating(anon, pid)["count"] == 0, "a pending review does not count"
    assert anon.get(f"/products/{pid}/reviews").json()["items"] == []
    assert_problem(review(first, pid, 4), 409)

    queue = admin.api.get("/admin/reviews", params={"status": "pending", "limit": 100}).json()
    mine = [q for q in queue["items"] if q["productId"] == pid]
    assert len(mine) == 1 and mine[0]["status"] == "pending"
    review_id = mine[0]["id"]
    approved = admin.api.post(f"/admin/reviews/{review_id}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    assert product_rating(anon, pid) == {"count": 1, "averageX100": 500, "histogram": [0, 0, 0, 0, 1]}

    # A clean review is approved by the automatic pass at once: 5 and 3 make an average of 4.
    r = review(bought.buyers[1], pid, 3)
    assert r.status_code == 201 and r.json()["status"] == "approved", r.text
    assert product_rating(anon, pid) == {"count": 2, "averageX100": 400, "histogram": [0, 0, 1, 0, 1]}
    listed = anon.get(f"/products/{pid}/reviews", params={"sort": "rating"}).json()
    assert [i["rating"] for i in listed["items"]] == [5, 3]
    assert listed["summary"]["count"] == 2
    assert all("author" not in i and i["verifiedPurchase"] for i in listed["items"])

    # Search filters on the summary the stream carried into the index.
    tag = bought.product["name"].split()[-1].lower()
    hit = wait_for(lambda: (h := must_find(anon, pid, {"q": tag})) and h["ratingCount"] == 2 and h,
                   what="the review summary in the index")
    assert hit["ratingAverageX100"] == 400
    must_find(anon, pid, {"q": tag, "min_rating": 4})
    assert pid not in [i["id"] for i in search(anon, {"q": tag, "min_rating": 4.5})["items"]]


def test_fifty_concurrent_moderations_and_edits_leave_an_exact_summary(bought, admin, anon, dynamodb):
    pid = bought.id
    authors = bought.buyers[2:12]
    # Ten reviews held for a moderator (a link), so every approval below is a real change.
    for i, author in enumerate(authors):
        r = review(author, pid, 1 + i % 5, body=HELD)
        assert r.status_code == 201 and r.json()["status"] == "pending", r.text
    ids = {item["author"]["S"]: item["id"]["S"] for item in stored_reviews(dynamodb, keys.product_reviews_pk(pid))}
    rng = random.Random(24)
    calls = []
    for i, author in enumerate(authors):
        rid = ids[author.user_id]
        calls += [
            lambda rid=rid: admin.api.post(f"/admin/reviews/{rid}/approve"),
            lambda rid=rid: admin.api.post(f"/admin/reviews/{rid}/approve"),
            lambda rid=rid: admin.api.post(f"/admin/reviews/{rid}/reject", json={"reason": "off-topic"}),
            lambda a=author, s=5 - i % 5: review(a, pid, s, method="put"),
            lambda a=author, s=1 + (i + 2) % 5: review(a, pid, s, body=HELD, method="put"),
        ]
    rng.shuffle(calls)
    assert len(calls) == 50
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda call: call(), calls))
    statuses = sorted({a.status_code for a in answers})
    assert set(statuses) <= {200, 409}, [a.text for a in answers if a.status_code not in (200, 409)]
    assert 200 in statuses

    items = stored_reviews(dynamodb, keys.product_reviews_pk(pid))
    assert len(items) == 12
    expected = histogram_of(items)
    rating = product_rating(anon, pid)
    assert rating["histogram"] == expected, f"summary {rating} against the reviews {expected}"
    assert rating["count"] == sum(expected)
    total = sum((i + 1) * n for i, n in enumerate(expected))
    count = sum(expected)  # rounded half up, in hundredths of a star
    assert rating["averageX100"] == ((total * 100 + count // 2) // count if count else None)
    # The listing shows exactly the counted reviews.
    seen, cursor = [], None
    while True:
        page = anon.get(f"/products/{pid}/reviews", params={"limit": 5, **({"cursor": cursor} if cursor else {})}).json()
        seen += page["items"]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert len(seen) == sum(expected)
    for stars in range(1, 6):
        only = anon.get(f"/products/{pid}/reviews", params={"rating": stars, "limit": 50}).json()["items"]
        assert len(only) == expected[stars - 1] and all(i["rating"] == stars for i in only)


def review_id(pid, user):
    """A product review's id: the product and the author's one-way key (domain/reviews)."""
    return f"{pid}.u{hashlib.sha256(b'review-author:' + user.user_id.encode()).hexdigest()[:20]}"


def test_helpful_votes_count_once_per_customer(bought, anon):
    pid = bought.id
    author = bought.buyers[0]
    target = review_id(pid, author)
    listed = {i["id"]: i for i in anon.get(f"/products/{pid}/reviews", params={"limit": 50}).json()["items"]}
    assert target in listed, "the first buyer's review was approved"
    before = listed[target]["helpfulCount"]
    voters = [register("customer") for _ in range(3)]
    for voter in voters:
        first = voter.api.post(f"/reviews/{target}/helpful")
        assert first.status_code == 200 and first.json()["counted"], first.text
        second = voter.api.post(f"/reviews/{target}/helpful")
        assert second.status_code == 200 and not second.json()["counted"], second.text
        assert second.json()["helpfulCount"] == first.json()["helpfulCount"]
    after = {i["id"]: i for i in anon.get(f"/products/{pid}/reviews", params={"limit": 50}).json()["items"]}
    assert after[target]["helpfulCount"] == before + 3
    helpful_first = anon.get(f"/products/{pid}/reviews", params={"sort": "helpful"}).json()["items"]
    assert helpful_first[0]["id"] == target
    assert_problem(author.api.post(f"/reviews/{target}/helpful"), 403)
    assert anon.post(f"/reviews/{target}/helpful").status_code == 401
    assert_problem(voters[0].api.post(f"/reviews/{pid}.u0123456789abcdef0123/helpful"), 404)
    assert_problem(voters[0].api.post("/reviews/not-a-review/helpful"), 400)


def test_a_shipments_seller_is_rated_once_and_shows_on_its_profile(bought, anon, other_customer):
    buyer, shipment = bought.buyers[0], bought.shipments[0]
    seller_id = bought.seller.seller_id
    before = anon.get(f"/sellers/{seller_id}").json()["rating"]
    assert_problem(other_customer.api.post(f"/shipments/{shipment}/seller-rating", json={"rating": 5}), 404)
    assert_problem(buyer.api.post(f"/shipments/{shipment}/seller-rating", json={"rating": 0}), 422)
    r = buyer.api.post(f"/shipments/{shipment}/seller-rating", json={"rating": 4, "comment": "Well packed."})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "approved"
    assert_problem(buyer.api.post(f"/shipments/{shipment}/seller-rating", json={"rating": 1}), 409)
    after = anon.get(f"/sellers/{seller_id}").json()["rating"]
    assert after["count"] == before["count"] + 1
    assert after["histogram"][3] == before["histogram"][3] + 1
    ratings = anon.get(f"/sellers/{seller_id}/ratings").json()["items"]
    assert [(x["rating"], x["body"]) for x in ratings] == [(4, "Well packed.")]


def test_bad_input_gets_4xx_and_text_is_stored_as_sent(bought, customer, admin, anon, dynamodb):
    pid = bought.id
    buyer = bought.buyers[1]
    before = stored_reviews(dynamodb, keys.product_reviews_pk(pid))
    for bad in ({"rating": 0, "title": "t", "body": CLEAN}, {"rating": 6, "title": "t", "body": CLEAN},
                {"rating": 4, "title": "t", "body": "x" * 20_000}, {"rating": 4, "title": "", "body": CLEAN}):
        assert_problem(buyer.api.put(f"/products/{pid}/reviews", json=bad), 422)
    assert_problem(buyer.api.put(f"/products/{pid}/reviews", json={"rating": "five", "title": "t", "body": CLEAN}), 400)
    assert_problem(buyer.api.put(f"/products/{pid}/reviews", json={"rating": 4, "title": "t", "body": CLEAN,
                                                                   "verified": True}), 400)
    assert_problem(anon.get(f"/products/{pid}/reviews", params={"sort": "best"}), 400)
    assert_problem(anon.get(f"/products/{pid}/reviews", params={"rating": 0}), 400)
    assert stored_reviews(dynamodb, keys.product_reviews_pk(pid)) == before

    # Tenancy: nobody edits, deletes or moderates another's review.
    assert_problem(customer.api.put(f"/products/{pid}/reviews", json={"rating": 1, "title": "t", "body": CLEAN}), 404)
    some = before[0]["id"]["S"]
    assert_problem(customer.api.delete(f"/reviews/{some}"), 404)
    assert_problem(customer.api.post(f"/admin/reviews/{some}/approve"), 403)
    assert_problem(customer.api.get("/admin/reviews"), 403)
    assert anon.post(f"/products/{pid}/reviews", json={"rating": 5, "title": "t", "body": CLEAN}).status_code == 401
    assert stored_reviews(dynamodb, keys.product_reviews_pk(pid)) == before

    # Markup is text: held for a person, and shown exactly as sent once approved.
    script = "<script>alert('x')</script> but the shoes themselves are fine."
    r = buyer.api.put(f"/products/{pid}/reviews", json={"rating": 2, "title": "<b>meh</b>", "body": script})
    assert r.status_code == 200 and r.json()["heldFor"] == ["looks like HTML markup"], r.text
    rid = r.json()["id"]
    assert admin.api.post(f"/admin/reviews/{rid}/approve").status_code == 200
    shown = next(i for i in anon.get(f"/products/{pid}/reviews", params={"limit": 50}).json()["items"]
                 if i["id"] == rid)
    assert (shown["title"], shown["body"]) == ("<b>meh</b>", script)
    assert anon.get(f"/products/{pid}/reviews").headers["content-type"] == "application/json"
