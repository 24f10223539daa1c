"""Seller accounts: applications and approval, profiles, a seller's own listings, and who
reaches the seller and administrator routes.

A seller registers (role "seller") and, once its email is verified, holds an application
that is `pending`: it may read and edit its profile and look at its listings, but lists
nothing and has no public profile until an administrator approves it. A seller's listing
shows its own products only, of every status, and a status filter still fills each page;
only administrators reach /admin, and bad input on every seller route is a 4xx problem.
Suspension, reinstatement and an administrator's takedown are tests/test_seller_moderation.py's.

The pending sellers and the lister are this module's own (register_many, approved_seller());
the suite's shared `seller` and `other_seller` only list products and read.
"""

import re
from datetime import datetime

import pytest

import keys
from conftest import approved_seller, assert_problem, partition, product_body, register_many
from search import new_product, variant, word
from sellers import ACCOUNT_FIELDS, CATEGORY, act, admin_sellers, listings, pages, profile, puzzle, update

SELLER_ID = re.compile(r"s[0-9a-f]{20}")
PUBLIC_FIELDS = {"id", "displayName", "description", "ratingCount", "ratingAverageX100", "rating", "joinedAt"}
LISTING_FIELDS = {"id", "sellerId", "name", "brand", "categoryId", "priceFrom", "ratingCount", "ratingAverageX100",
                  "status", "hold", "updatedAt", "version"}
UNKNOWN_SELLER = "s" + "0" * 20
UNKNOWN_PRODUCT = "00000000-0000-7000-8000-000000000000"


def when(timestamp):
    return datetime.fromisoformat(timestamp)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def applicants():
    """Two sellers of this module whose applications nobody approved yet (registered at once)."""
    return register_many(2, role="seller")


@pytest.fixture(scope="module")
def applicant(applicants):
    """A pending seller this module approves (test_a_new_seller_sells_only_once_approved)."""
    return applicants[0]


@pytest.fixture(scope="module")
def pending_seller(applicants):
    """A pending seller that stays pending."""
    return applicants[1]


@pytest.fixture(scope="module")
def lister():
    """A fresh approved seller with exactly five listings, made in this order: three it set
    inactive, then two active. Returns (seller, {id: status})."""
    s = approved_seller()
    w = word()
    made = [puzzle(s, w, n) for n in range(5)]
    for p in made[:3]:
        assert update(s, p, "inactive").status_code == 200
    return s, {p["id"]: "inactive" if n < 3 else "active" for n, p in enumerate(made)}


# ---------------------------------------------------------------- applications and approval

def test_a_new_seller_sells_only_once_approved(applicant, admin, anon, dynamodb):
    account = profile(applicant)
    sid = account["id"]
    assert account["status"] == "pending" and account["displayName"] == "Test seller"
    assert SELLER_ID.fullmatch(sid) and applicant.user_id not in str(account), "never the Cognito sub"
    assert (account["ratingCount"], account["ratingAverageX100"]) == (0, None)

    queue = admin_sellers(admin, "pending")
    assert sid in [s["id"] for s in queue]
    assert all(s["status"] == "pending" and set(s) == ACCOUNT_FIELDS for s in queue)
    changed = [when(s["statusChangedAt"]) for s in queue]
    assert changed == sorted(changed), "the longest waiting application first"
    default = admin.api.get("/admin/sellers", params={"limit": 100})
    assert default.status_code == 200, default.text
    assert [s["id"] for s in default.json()["items"]] == [s["id"] for s in queue[:100]], "pending by default"
    assert_problem(anon.get(f"/sellers/{sid}"), 404)

    body = product_body(category=CATEGORY)
    assert_problem(applicant.api.post("/products", json=body), 403)
    assert partition(dynamodb, keys.sku_pk(body["variants"][0]["sku"])) == [], "a pending seller wrote a SKU"
    assert listings(applicant) == {}

    change = act(admin, sid, "approve")
    approved = change["seller"]
    assert (approved["id"], approved["status"], change["listingsChanged"]) == (sid, "approved", 0)
    assert approved["version"] == account["version"] + 1
    assert when(approved["statusChangedAt"]) > when(account["statusChangedAt"])
    assert profile(applicant)["status"] == "approved"
    assert sid not in [s["id"] for s in admin_sellers(admin, "pending")]

    r = applicant.api.post("/products", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["sellerId"] == sid
    r = anon.get(f"/sellers/{sid}")
    assert r.status_code == 200, r.text
    public = r.json()
    assert set(public) == PUBLIC_FIELDS, "no status, no account id"
    assert (public["id"], public["displayName"], public["joinedAt"]) == (sid, "Test seller", account["joinedAt"])
    assert applicant.user_id not in r.text


def test_a_pending_seller_edits_its_profile(pending_seller, anon):
    before = profile(pending_seller)
    r = pending_seller.api.patch("/seller/profile", json={"displayName": "  Ada's Puzzles  ",
                                                          "description": "Tangrams.\nSince 1990."})
    assert r.status_code == 200, r.text
    after = r.json()
    assert set(after) == ACCOUNT_FIELDS
    assert (after["displayName"], after["description"]) == ("Ada's Puzzles", "Tangrams.\nSince 1990.")
    assert (after["status"], after["version"]) == ("pending", before["version"] + 1)
    r = pending_seller.api.patch("/seller/profile", json={"description": "d" * 2000})
    assert r.status_code == 200, r.text
    assert (r.json()["displayName"], len(r.json()["description"])) == ("Ada's Puzzles", 2000), "only what is sent"
    for name in ("ab", "n" * 80):
        r = pending_seller.api.patch("/seller/profile", json={"displayName": name})
        assert r.status_code == 200, r.text
        assert r.json()["displayName"] == name
    assert profile(pending_seller) == r.json()
    assert_problem(anon.get(f"/sellers/{before['id']}"), 404)


def test_profile_edits_are_checked_and_change_nothing_when_refused(pending_seller):
    before = profile(pending_seller)
    for body in ({"displayName": "x"}, {"displayName": "   a   "}, {"displayName": "n" * 81},
                 {"displayName": "a\u0007b"}, {"displayName": "tab\tname"}):
        problem = assert_problem(pending_seller.api.patch("/seller/profile", json=body), 422)
        assert [e["field"] for e in problem["errors"]] == ["displayName"], body
    for body in ({"description": "d" * 2001}, {"description": "tab\there"}, {"description": "bell\u0007"}):
        problem = assert_problem(pending_seller.api.patch("/seller/profile", json=body), 422)
        assert [e["field"] for e in problem["errors"]] == ["description"], body
    problem = assert_problem(pending_seller.api.patch("/seller/profile", json={"displayName": "x",
                                                                              "description": "d" * 2001}), 422)
    assert {e["field"] for e in problem["errors"]} == {"displayName", "description"}
    assert_problem(pending_seller.api.patch("/seller/profile", data="{not json"), 400)
    assert_problem(pending_seller.api.patch("/seller/profile", json={}), 400)
    assert_problem(pending_seller.api.patch("/seller/profile", json={"displayName": None}), 400)
    assert_problem(pending_seller.api.patch("/seller/profile", json={"displayName": 42}), 400)
    assert_problem(pending_seller.api.patch("/seller/profile", json=["displayName"]), 400)
    assert_problem(pending_seller.api.patch("/seller/profile", json={"displayName": "Fine", "status": "approved"}), 400)
    assert_problem(pending_seller.api.patch("/seller/profile", json={"displayName": "Fine", "id": UNKNOWN_SELLER}), 400)
    assert profile(pending_seller) == before


def test_only_sellers_have_a_seller_account(customer, anon):
    assert_problem(customer.api.get("/seller/profile"), 403)
    assert_problem(customer.api.patch("/seller/profile", json={"displayName": "Not a seller"}), 403)
    assert_problem(customer.api.get("/seller/products"), 403)
    for method, path in (("GET", "/seller/profile"), ("PATCH", "/seller/profile"), ("GET", "/seller/products")):
        assert_problem(anon.request(method, path, json={"displayName": "Anon"}), 401)


# ---------------------------------------------------------------- a seller's own listings

def test_a_sellers_listing_shows_its_own_products_of_every_status(lister, other_seller):
    s, statuses = lister
    other = new_product(other_seller, f"{word().title()} Tangram", "Acme", CATEGORY, [variant(1500)])
    mine = listings(s)
    assert {pid: item["status"] for pid, item in mine.items()} == statuses
    assert other["id"] not in mine
    for item in mine.values():
        assert set(item) == LISTING_FIELDS
        assert (item["sellerId"], item["hold"], item["categoryId"]) == (s.seller_id, None, CATEGORY)
    theirs = listings(other_seller)
    assert other["id"] in theirs and not set(statuses) & set(theirs)


def test_a_status_filter_still_fills_each_page(lister):
    s, statuses = lister
    active = {pid for pid, st in statuses.items() if st == "active"}
    inactive = set(statuses) - active
    # The three inactive listings come first in the index: the filter must read past them.
    first = s.api.get("/seller/products", params={"status": "active", "limit": 2})
    assert first.status_code == 200, first.text
    assert {i["id"] for i in first.json()["items"]} == active
    by_one = pages(s.api, "/seller/products", status="active", limit=1)
    assert [len(p) for p in by_one if p] == [1, 1] and {i["id"] for p in by_one for i in p} == active
    filtered = pages(s.api, "/seller/products", status="inactive", limit=2)
    filled = [p for p in filtered if p]
    assert len(filled[0]) == 2 and all(len(p) == 2 for p in filled[:-1]), [len(p) for p in filtered]
    ids = [i["id"] for p in filtered for i in p]
    assert sorted(ids) == sorted(inactive) and all(i["status"] == "inactive" for p in filtered for i in p)
    unfiltered = pages(s.api, "/seller/products", limit=2)
    assert sorted(i["id"] for p in unfiltered for i in p) == sorted(statuses)


def test_a_sellers_cursor_is_no_key_to_another_sellers_listing(lister, seller):
    s, _ = lister
    cursor = s.api.get("/seller/products", params={"limit": 1}).json()["nextCursor"]
    assert cursor
    assert_problem(seller.api.get("/seller/products", params={"limit": 1, "cursor": cursor}), 400)


def test_bad_listing_parameters_are_refused(seller):
    for params in ({"status": "deleted"}, {"status": "ACTIVE"}, {"status": ""}, {"limit": 0}, {"limit": 101},
                   {"limit": "ten"}, {"cursor": "not-a-cursor"}):
        assert_problem(seller.api.get("/seller/products", params=params), 400)


# ---------------------------------------------------------------- who may moderate, and bad input

def test_only_administrators_reach_admin_routes(customer, seller, anon, pending_seller, product, admin, dynamodb):
    pid, _ = product
    sid = profile(pending_seller)["id"]
    listing = partition(dynamodb, keys.product_pk(pid))
    routes = [("GET", "/admin/sellers"), ("GET", "/admin/sellers?status=approved"),
              ("POST", f"/admin/sellers/{sid}/approve"), ("POST", f"/admin/sellers/{sid}/suspend"),
              ("POST", f"/admin/products/{pid}/deactivate")]
    for method, path in routes:
        for user in (customer, seller):
            assert_problem(user.api.request(method, path), 403)
        assert_problem(anon.request(method, path), 401)
    assert profile(pending_seller)["status"] == "pending"
    assert partition(dynamodb, keys.product_pk(pid)) == listing
    assert anon.get(f"/products/{pid}").status_code == 200


def test_bad_input_on_seller_routes_is_a_4xx_problem(admin, anon):
    for bad in ("not-a-seller", "S" + "0" * 20, "s" + "A" * 20, "s" + "0" * 19, "s" + "0" * 21, "s" + "g" * 20,
                "s0123456789abcdef012%23"):
        assert_problem(anon.get(f"/sellers/{bad}"), 400)
        for action in ("approve", "suspend"):
            assert_problem(admin.api.post(f"/admin/sellers/{bad}/{action}"), 400)
    assert_problem(anon.get(f"/sellers/{UNKNOWN_SELLER}"), 404)
    for action in ("approve", "suspend"):
        assert_problem(admin.api.post(f"/admin/sellers/{UNKNOWN_SELLER}/{action}"), 404)
    assert_problem(admin.api.post(f"/admin/products/{UNKNOWN_PRODUCT}/deactivate"), 404)
    assert_problem(admin.api.post("/admin/products/bad%23id/deactivate"), 400)
    for params in ({"status": "banned"}, {"status": "Pending"}, {"limit": 0}, {"limit": 101}, {"limit": "x"},
                   {"cursor": "not-a-cursor"}):
        assert_problem(admin.api.get("/admin/sellers", params=params), 400)
    approved = admin.api.get("/admin/sellers", params={"status": "approved", "limit": 1}).json()["nextCursor"]
    assert approved, "the suite has several approved sellers"
    assert_problem(admin.api.get("/admin/sellers", params={"status": "suspended", "cursor": approved}), 400)
