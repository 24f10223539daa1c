"""Seller moderation: an administrator's suspension and reinstatement of a seller, and an
administrator's takedown of a single listing.

An administrator's suspension takes the seller's active listings out of the catalog (product
pages, category listings and, once the indexer has caught up, search) and stops every product
write; reinstating it brings back exactly the listings the suspension withdrew, and repeating
an action changes nothing. An administrator's correction of a withdrawn listing keeps it among
those reinstatement restores. An administrator may take any single listing down; its seller
may edit it but not bring it back, until an administrator lifts the hold.

Suspensions happen to fresh sellers of this module only (approved_seller()), never to the
suite's shared `seller` and `other_seller`; a takedown happens to a new listing of `seller`.
Search expectations wait on the index with tests/search.py's wait_for / wait_indexed (the
table's stream -> index-products -> OpenSearch).
"""

import keys
from conftest import approved_seller, assert_problem, partition, product_body
from search import find, wait_for, word
from sellers import CATEGORY, act, admin_sellers, category_ids, leaves_search, profile, puzzle, status_and_hold, update


# ---------------------------------------------------------------- suspension and reinstatement

def test_suspension_withdraws_active_listings_and_reinstatement_restores_exactly_those(admin, anon, dynamodb):
    s = approved_seller()
    w = word()
    a, b, c = (puzzle(s, w, n) for n in range(3))
    assert update(s, c, "inactive").status_code == 200, "the seller's own choice"
    for p in (a, b):
        wait_for(lambda: find(anon, p["id"], [("q", w)]), what="the new listing searchable")
    assert {a["id"], b["id"]} <= category_ids(anon)

    suspended = act(admin, s.seller_id, "suspend")
    assert (suspended["seller"]["status"], suspended["listingsChanged"]) == ("suspended", 2)
    again = act(admin, s.seller_id, "suspend")
    assert (again["seller"], again["listingsChanged"]) == (suspended["seller"], 0), "a repeat changes nothing"

    for p in (a, b):
        assert_problem(anon.get(f"/products/{p['id']}"), 404)
    assert not {a["id"], b["id"], c["id"]} & category_ids(anon)
    for p in (a, b, c):
        leaves_search(anon, dynamodb, p["id"], w)
    assert status_and_hold(s, a["id"], b["id"], c["id"]) == {
        a["id"]: ("inactive", "seller_suspended"), b["id"]: ("inactive", "seller_suspended"),
        c["id"]: ("inactive", None)}
    assert profile(s)["status"] == "suspended"
    assert_problem(anon.get(f"/sellers/{s.seller_id}"), 404)
    assert s.seller_id in [x["id"] for x in admin_sellers(admin, "suspended")]

    # A suspended seller writes nothing.
    before = {p["id"]: partition(dynamodb, keys.product_pk(p["id"])) for p in (a, b, c)}
    body = product_body(category=CATEGORY)
    assert_problem(s.api.post("/products", json=body), 403)
    assert_problem(update(s, a, "active"), 403)
    assert_problem(update(s, c, "active"), 403)
    assert_problem(update(s, c, "inactive", name="Renamed while suspended"), 403)
    sku = a["sent"][0]["sku"]
    assert_problem(s.api.put(f"/products/{a['id']}/variants/{sku}",
                             json={"price": 100, "currency": "USD", "onHand": 1}), 403)
    assert_problem(s.api.delete(f"/products/{b['id']}"), 403)
    assert {p["id"]: partition(dynamodb, keys.product_pk(p["id"])) for p in (a, b, c)} == before
    assert partition(dynamodb, keys.sku_pk(body["variants"][0]["sku"])) == []

    reinstated = act(admin, s.seller_id, "approve")
    assert (reinstated["seller"]["status"], reinstated["listingsChanged"]) == ("approved", 2)
    again = act(admin, s.seller_id, "approve")
    assert (again["seller"], again["listingsChanged"]) == (reinstated["seller"], 0), "a repeat changes nothing"

    for p in (a, b):
        r = anon.get(f"/products/{p['id']}")
        assert r.status_code == 200 and r.json()["status"] == "active", r.text
    assert_problem(anon.get(f"/products/{c['id']}"), 404)
    listed = category_ids(anon)
    assert {a["id"], b["id"]} <= listed and c["id"] not in listed
    for p in (a, b):
        wait_for(lambda: find(anon, p["id"], [("q", w)]), what="the reinstated listing searchable")
    leaves_search(anon, dynamodb, c["id"], w)
    assert status_and_hold(s, a["id"], b["id"], c["id"]) == {
        a["id"]: ("active", None), b["id"]: ("active", None), c["id"]: ("inactive", None)}
    assert anon.get(f"/sellers/{s.seller_id}").status_code == 200
    assert update(s, c, "active").status_code == 200, "a reinstated seller writes again"


def test_an_administrators_edit_of_a_withdrawn_listing_keeps_it_for_reinstatement(admin, anon):
    """A suspension's hold is undone by reinstatement alone: an administrator who corrects a
    withdrawn listing (status left inactive) does not take it out of what reinstatement restores."""
    s = approved_seller()
    p = puzzle(s, word())
    assert act(admin, s.seller_id, "suspend")["listingsChanged"] == 1
    r = update(admin, p, "inactive", name=p["name"] + " Corrected")
    assert r.status_code == 200, r.text
    assert status_and_hold(s, p["id"]) == {p["id"]: ("inactive", "seller_suspended")}
    assert act(admin, s.seller_id, "approve")["listingsChanged"] == 1
    r = anon.get(f"/products/{p['id']}")
    assert r.status_code == 200, r.text
    assert (r.json()["name"], r.json()["status"]) == (p["name"] + " Corrected", "active")


# ---------------------------------------------------------------- an administrator's takedown

def test_an_administrators_takedown_holds_until_an_administrator_lifts_it(seller, admin, anon, dynamodb):
    w = word()
    p = puzzle(seller, w)
    pid = p["id"]
    wait_for(lambda: find(anon, pid, [("q", w)]), what="the new listing searchable")

    r = admin.api.post(f"/admin/products/{pid}/deactivate")
    assert r.status_code == 200, r.text
    assert (r.json()["id"], r.json()["status"]) == (pid, "inactive")
    held = partition(dynamodb, keys.product_pk(pid))
    r = admin.api.post(f"/admin/products/{pid}/deactivate")
    assert r.status_code == 200, r.text
    assert partition(dynamodb, keys.product_pk(pid)) == held, "a repeat changes nothing"
    assert_problem(anon.get(f"/products/{pid}"), 404)
    assert pid not in category_ids(anon)
    leaves_search(anon, dynamodb, pid, w)
    assert status_and_hold(seller, pid) == {pid: ("inactive", "moderation")}

    assert_problem(update(seller, p, "active"), 403)
    assert partition(dynamodb, keys.product_pk(pid)) == held
    r = update(seller, p, "inactive", name=f"{w.title()} Tangram Renamed")
    assert r.status_code == 200, r.text
    assert status_and_hold(seller, pid) == {pid: ("inactive", "moderation")}, "the seller's edit keeps the hold"
    assert_problem(anon.get(f"/products/{pid}"), 404)

    r = update(admin, p, "active", name=f"{w.title()} Tangram Renamed")
    assert r.status_code == 200, r.text
    assert status_and_hold(seller, pid) == {pid: ("active", None)}
    assert anon.get(f"/products/{pid}").status_code == 200
    assert pid in category_ids(anon)
    wait_for(lambda: find(anon, pid, [("q", w)]), what="the listing back in search")
    assert update(seller, p, "inactive").status_code == 200, "the lifted hold is the seller's again"
