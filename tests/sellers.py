"""What the seller tests (tests/test_sellers.py, tests/test_seller_moderation.py) share: a
seller's account and profile as GET /seller/profile shows it, an administrator's action on a
seller (approve, suspend), a seller's own listing (GET /seller/products), the administrator's
queue (GET /admin/sellers), a small category read whole, new products of a seller in it, and
waiting until search no longer finds a product (tests/search.py's wait_for / wait_indexed).
"""

from search import find, new_product, variant, wait_for, wait_indexed

ACCOUNT_FIELDS = {"id", "displayName", "description", "status", "joinedAt", "statusChangedAt", "ratingCount",
                  "ratingAverageX100", "pickupAddress", "handlingDays", "version"}
CATEGORY = "puzzles"  # a small category: its listing is read whole


def pages(api, path, **params):
    """Every page of a cursor listing (`limit` given), following nextCursor: a list of item lists."""
    out, cursor = [], None
    while True:
        r = api.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert r.status_code == 200, f"{path} {params}: {r.status_code} {r.text}"
        assert r.headers["content-type"].startswith("application/json")
        body = r.json()
        assert len(body["items"]) <= params["limit"]
        out.append(body["items"])
        cursor = body.get("nextCursor")
        if not cursor:
            return out


def listings(user, **params):
    """The caller's GET /seller/products, every page: {id: item}."""
    items = [i for page in pages(user.api, "/seller/products", limit=100, **params) for i in page]
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "a listing appeared on two pages"
    return {i["id"]: i for i in items}


def status_and_hold(user, *pids):
    mine = listings(user)
    return {pid: (mine[pid]["status"], mine[pid]["hold"]) for pid in pids}


def admin_sellers(admin, status):
    """GET /admin/sellers?status= through every page, in order."""
    return [s for page in pages(admin.api, "/admin/sellers", status=status, limit=100) for s in page]


def category_ids(anon, category=CATEGORY):
    return {p["id"] for page in pages(anon, f"/categories/{category}/products", limit=100) for p in page}


def profile(user):
    r = user.api.get("/seller/profile")
    assert r.status_code == 200, r.text
    assert set(r.json()) == ACCOUNT_FIELDS
    return r.json()


def act(admin, sid, action):
    """POST /admin/sellers/{sid}/{action}; the 200 answer's body."""
    r = admin.api.post(f"/admin/sellers/{sid}/{action}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"seller", "listingsChanged"} and set(body["seller"]) == ACCOUNT_FIELDS
    return body


def update(user, product, status, **changes):
    """PUT /products/{id} with the product's descriptive fields and `status`."""
    return user.api.put(f"/products/{product['id']}", json={
        "name": product["name"], "description": "", "brand": product["brand"], "categoryId": product["categoryId"],
        "status": status, **changes})


def puzzle(seller, w, n=1):
    """A new product of `seller` in CATEGORY whose name carries the word `w`."""
    return new_product(seller, f"{w.title()} Tangram {n}", "Acme", CATEGORY, [variant(1500 + n)])


def leaves_search(anon, dynamodb, pid, w):
    """Waits until the index holds the product's current state and a search for `w` no longer
    finds it (the node's searches see a write after its next refresh); fails if it stays."""
    wait_indexed(dynamodb, pid)
    wait_for(lambda: not find(anon, pid, [("q", w)]), what=f"{pid} gone from search")
