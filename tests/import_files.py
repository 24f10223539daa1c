"""Catalog files for the import tests (tests/test_imports_*.py), built row by row: CSV and
JSONL, each row with the line it starts on, as the shop's error report numbers them; and the
files those tests plant problems in (5% bad rows among good ones, files the shop refuses whole,
files cut short by a row the parser cannot read).

A row is a dict with the CSV columns as keys (`attributes` a dict for the attr:<name>
columns); its values are what goes into the file's cells, so a test plants a wrong type by
putting a string where a number belongs.
"""

import json
import random
import uuid

from conftest import ROOT

# The shop's catalog tree (infra/local/seed.py): the leaves a test's rows use.
LEAVES = ["phones", "laptops", "headphones", "cameras", "mens-shirts", "womens-dresses", "shoes", "cookware",
          "furniture", "bedding", "fiction", "non-fiction", "fitness", "camping", "board-games", "puzzles"]
COLUMNS = ["handle", "name", "description", "brand", "categoryId", "status", "sku", "price", "salePrice", "currency",
           "onHand"]
REQUIRED = ["handle", "name", "brand", "categoryId", "sku", "price", "currency", "onHand"]
ATTRIBUTES = ["colour", "size", "storage"]
SAMPLES = ROOT / "infra" / "local" / "catalog"  # the sample files sellers are shown

# What each leaf category sells: (nouns, brands, {attribute: values}, (lowest, highest) price in cents).
CATALOG = {
    "phones": (["Smartphone", "Phone Mini", "Phone Pro"], ["Nimbus", "Orbita", "Pixelon"],
               {"storage": ["128GB", "256GB", "512GB"], "colour": ["black", "silver", "sage"]}, (19900, 129900)),
    "laptops": (["Laptop 14", "Laptop 16", "Ultrabook 13"], ["Lumen", "Corvid", "Tessera"],
                {"storage": ["512GB", "1TB", "2TB"], "colour": ["silver", "graphite"]}, (59900, 249900)),
    "headphones": (["ANC Headphones", "Wireless Earbuds", "Studio Monitors"], ["Kestrel Audio", "Fathom", "Sonder"],
                   {"colour": ["black", "white", "sand", "navy"]}, (2900, 39900)),
    "cameras": (["Mirrorless Camera", "Compact Camera", "Action Camera"], ["Aperture", "Obscura", "Halide"],
                {"colour": ["black", "silver"]}, (19900, 249900)),
    "mens-shirts": (["Oxford Shirt", "Linen Shirt", "Flannel Overshirt"], ["Halden", "Torvald", "Brume"],
                    {"size": ["S", "M", "L", "XL"], "colour": ["white", "light blue", "olive"]}, (2900, 9900)),
    "womens-dresses": (["Wrap Dress", "Slip Dress", "Shirt Dress"], ["Sorrel", "Maren", "Oriel"],
                       {"size": ["XS", "S", "M", "L"], "colour": ["terracotta", "ink", "ecru"]}, (3900, 18900)),
    "shoes": (["Trail Runner", "Leather Sneaker", "Chelsea Boot"], ["Stride", "Cobble", "Wayfare"],
              {"size": ["40", "41", "42", "43", "44"], "colour": ["moss", "black", "tan"]}, (5900, 22900)),
    "cookware": (["Dutch Oven", "Carbon Steel Pan", "Saucepan Set"], ["Fjellstrom", "Ferro", "Hearthly"],
                 {"size": ["20 cm", "24 cm", "28 cm"], "colour": ["cherry red", "slate", "cream"]}, (2900, 29900)),
    "furniture": (["Oak Bench", "Side Table", "Bookcase"], ["Hearth & Grain", "Norrwood", "Plank"],
                  {"colour": ["natural oak", "walnut", "white"]}, (7900, 89900)),
    "bedding": (["Duvet Cover Set", "Linen Sheet Set", "Wool Blanket"], ["Linnea", "Dormir", "Softloom"],
                {"size": ["single", "double", "king"], "colour": ["white", "sage", "charcoal"]}, (3900, 24900)),
    "fiction": (["Novel", "Short Stories", "Crime Thriller"], ["Harbour Books", "Quill & Lamp", "Ashgrove"],
                {"size": ["paperback", "hardback"]}, (999, 2999)),
    "non-fiction": (["Field Guide", "Cookbook", "History"], ["Greywing Press", "Atlas House", "Meridian"],
                    {"size": ["paperback", "hardback"]}, (1299, 4999)),
    "fitness": (["Kettlebell", "Yoga Mat", "Resistance Bands"], ["Core Athletic", "Vigor", "Lift Lab"],
                {"size": ["8 kg", "12 kg", "16 kg", "20 kg"], "colour": ["black", "purple"]}, (1499, 12900)),
    "camping": (["Ultralight Tent", "Down Sleeping Bag", "Camp Stove"], ["Tern Outdoor", "Ridgeline", "Cairn"],
                {"size": ["1P", "2P", "3P"], "colour": ["olive", "orange"]}, (4900, 59900)),
    "board-games": (["Strategy Game", "Party Game", "Co-op Adventure"], ["Meeple Forge", "Tabletop Co", "Roll & Move"],
                    {"size": ["standard", "deluxe"]}, (1999, 8999)),
    "puzzles": (["1000-Piece Puzzle", "500-Piece Puzzle", "Wooden Puzzle"], ["Tessellate", "Jigwell", "Piecemeal"],
                {"size": ["500", "1000", "1500"]}, (1299, 4999)),
}


def run_prefix(tag="IMP"):
    """A prefix of SKUs and handles unique to one use in one run."""
    return f"{tag}{uuid.uuid4().hex[:8].upper()}"


# ---------------------------------------------------------------- rows and files

def catalog(prefix, rows, seed=1, variants=(1, 2, 3, 4), inactive_every=29, fancy_every=11):
    """Exactly `rows` valid rows of products with 1 to 4 variants each, across every leaf
    category, with handles `<prefix>-NNNN` and SKUs `<PREFIX>-NNNN-J`. Every `fancy_every`-th
    product has a name with a comma and a quoted word and a two-line description (quoted
    commas, quotes and line breaks in CSV); every `inactive_every`-th is inactive."""
    rng = random.Random(seed)
    out, n = [], 0
    while len(out) < rows:
        category = LEAVES[n % len(LEAVES)]
        nouns, brands, axes, (low, high) = CATALOG[category]
        brand, noun = rng.choice(brands), rng.choice(nouns)
        model = f"{prefix[-4:]}{n:04d}"
        fancy = fancy_every and n % fancy_every == 3
        name = f'{brand} {noun} "{model}", Limited Run' if fancy else f"{brand} {noun} {model}"
        description = (f"{noun} by {brand}, made to last.\nModel {model}; ships in 2 days." if fancy
                       else f"A dependable {noun.lower()} by {brand}.")
        k = min(rng.choice(variants), rows - len(out))
        status = "inactive" if inactive_every and n % inactive_every == inactive_every - 1 else "active"
        base = rng.randrange(low, high) // 100 * 100 + 99
        for j in range(k):
            attributes = {a: values[(j + i) % len(values)] for i, (a, values) in enumerate(axes.items())}
            price = base + 1000 * j
            out.append({
                "handle": f"{prefix.lower()}-{n:04d}", "name": name, "description": description, "brand": brand,
                "categoryId": category, "status": status, "sku": f"{prefix}-{n:04d}-{j}", "price": price,
                "salePrice": price * 8 // 10 if rng.random() < 0.2 else None, "currency": "USD",
                "onHand": rng.choice([0, 1, 3, 7, 12, 25, 40, 100, 250]), "attributes": attributes,
            })
        n += 1
    return out


def _cell(value):
    text = "" if value is None else str(value)
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_file(rows, columns=None, attributes=ATTRIBUTES, bom=False, newline="\n", header=None, trailing=True):
    """(bytes, lines): the rows as a CSV file (RFC 4180 quoting, `newline` between records),
    and the line each row starts on (the header is line 1). A row may hold `_raw`: the cells
    of its record, written as they are (a record with the wrong number of fields)."""
    columns = list(columns or COLUMNS) + [f"attr:{a}" for a in attributes]
    records = [header if header is not None else columns]
    for row in rows:
        if "_raw" in row:
            records.append(row["_raw"])
            continue
        cells = []
        for c in columns:
            cells.append(row.get("attributes", {}).get(c[5:]) if c.startswith("attr:") else row.get(c))
        records.append(cells)
    text, lines = "", []
    for i, record in enumerate(records):
        if i:
            lines.append(text.count("\n") + 1)
        text += ",".join(_cell(c) for c in record)
        if trailing or i < len(records) - 1:
            text += newline
    return ("\ufeff" if bom else "").encode() + text.encode(), lines


def json_row(row):
    """A row as a JSONL object: the CSV columns as keys, `attributes` an object, no nulls
    but salePrice's."""
    obj = {k: v for k, v in row.items() if k in COLUMNS and (v is not None or k == "salePrice")}
    obj["attributes"] = dict(row.get("attributes", {}))
    return obj


def jsonl_file(rows, newline="\n"):
    """(bytes, lines): one line per row (a row holding `_line` is written as that text)."""
    out = [r["_line"] if "_line" in r else json.dumps(json_row(r), ensure_ascii=False) for r in rows]
    return (newline.join(out) + newline).encode(), list(range(1, len(rows) + 1))


def products_of(rows):
    """The rows of each product, by handle, in file order."""
    out = {}
    for r in rows:
        out.setdefault(r["handle"], []).append(r)
    return out


# ---------------------------------------------------------------- files with planted problems

def bad_file(prefix, foreign):
    """(rows, the columns each row's report lines name (None for a good row), the good rows):
    950 good rows and 50 bad ones planted among them, spread over the file, some as products
    of their own and some among a good product's rows. `foreign` are 8 SKUs another seller owns."""
    good = catalog(prefix, 950, seed=11, fancy_every=4)
    products = list(products_of(good).values())
    n = len(products)
    bad_sku = iter(f"{prefix}-BAD-{i:02d}" for i in range(100))
    p = prefix.lower()

    def alone(i, base, **change):  # a product of one bad row
        return {**base, "handle": f"{p}-bad-{i:02d}", "sku": next(bad_sku), "attributes": dict(base["attributes"]),
                **change}

    def within(base, **change):  # a bad variant among a product's rows
        return {**base, "sku": next(bad_sku), "attributes": dict(base["attributes"]), **change}

    # (where the row goes: after the product as a product of its own ("alone"; "far": with a SKU
    # of a product 60+ products earlier, so of another write batch) or after the product's first
    # row ("within"), the row made from that product's first row, the columns its report lines name)
    kinds = [
        # wrong types
        ("within", lambda b, i: within(b, price="49.99"), {"price"}),
        ("alone", lambda b, i: alone(i, b, price="12,50"), {"price"}),
        ("alone", lambda b, i: alone(i, b, price=""), {"price"}),
        ("within", lambda b, i: within(b, onHand="plenty"), {"onHand"}),
        ("alone", lambda b, i: alone(i, b, onHand="3.0"), {"onHand"}),
        ("within", lambda b, i: within(b, salePrice="cheap"), {"salePrice"}),
        ("alone", lambda b, i: alone(i, b, status="draft"), {"status"}),
        ("alone", lambda b, i: alone(i, b, price="abc", onHand="x"), {"price", "onHand"}),
        ("within", lambda b, i: within(b, price="1e3"), {"price"}),
        ("alone", lambda b, i: alone(i, b, onHand=" "), {"onHand"}),
        # negative prices
        ("alone", lambda b, i: alone(i, b, price=-1500, salePrice=None), {"price"}),
        ("within", lambda b, i: within(b, price=-2500, salePrice=None), {"price"}),
        ("alone", lambda b, i: alone(i, b, price=-1, salePrice=None), {"price"}),
        ("within", lambda b, i: within(b, price=-99, salePrice=None), {"price"}),
        ("alone", lambda b, i: alone(i, b, price=-100000, salePrice=None), {"price"}),
        ("alone", lambda b, i: alone(i, b, salePrice=-5), {"salePrice"}),
        ("alone", lambda b, i: alone(i, b, price=-100, salePrice=None, onHand=-3), {"price", "onHand"}),
        ("within", lambda b, i: within(b, price=-1, salePrice=None), {"price"}),
        # unknown categories
        ("alone", lambda b, i: alone(i, b, categoryId="gadgets"), {"categoryId"}),
        ("alone", lambda b, i: alone(i, b, categoryId="phone"), {"categoryId"}),
        ("alone", lambda b, i: alone(i, b, categoryId="Electronics"), {"categoryId"}),
        ("alone", lambda b, i: alone(i, b, categoryId="smart-home"), {"categoryId"}),
        ("alone", lambda b, i: alone(i, b, categoryId="books/fiction"), {"categoryId"}),
        ("alone", lambda b, i: alone(i, b, categoryId="kitchen"), {"categoryId"}),
        ("within", lambda b, i: within(b, categoryId="toys-and-games"), {"categoryId"}),
        ("within", lambda b, i: within(b, categoryId="mens-shirt"), {"categoryId"}),
        # SKUs twice in the file: in the same product, the next product, a product far away
        ("within", lambda b, i: dict(b, attributes={"colour": "again"}), {"sku"}),
        ("within", lambda b, i: dict(b, onHand=1), {"sku"}),
        ("within", lambda b, i: dict(b, sku=b["sku"].lower(), onHand=2), {"sku"}),
        ("alone", lambda b, i: dict(alone(i, b), sku=b["sku"]), {"sku"}),
        ("alone", lambda b, i: dict(alone(i, b), sku=b["sku"].lower()), {"sku"}),
        ("far", lambda b, i: dict(alone(i, b), sku=b["sku"]), {"sku"}),
        ("far", lambda b, i: dict(alone(i, b), sku=b["sku"]), {"sku"}),
        ("far", lambda b, i: dict(alone(i, b), sku=b["sku"].lower()), {"sku"}),
        # SKUs another seller owns: products of their own, and two variants of a product with good ones
        *[("alone", lambda b, i, k=k: dict(alone(i, b), sku=foreign[k]), {"sku"}) for k in range(6)],
        ("within", lambda b, i: dict(within(b), sku=foreign[6].lower()), {"sku"}),
        ("within", lambda b, i: dict(within(b), sku=foreign[7]), {"sku"}),
        # other rules of POST /products
        ("alone", lambda b, i: alone(i, b, salePrice=b["price"] + 1), {"salePrice"}),
        ("alone", lambda b, i: alone(i, b, currency="usd"), {"currency"}),
        ("within", lambda b, i: within(b, brand="Somebody Else"), {"brand"}),
        ("alone", lambda b, i: alone(i, b, name=""), {"name"}),
        ("alone", lambda b, i: alone(i, b, name="N" * 201), {"name"}),
        ("alone", lambda b, i: alone(i, b, onHand=1000001), {"onHand"}),
        ("alone", lambda b, i: alone(i, b, handle="bad handle"), {"handle"}),
        ("alone", lambda b, i: {"_raw": [f"{p}-bad-{i:02d}", "Short Row", "Acme", "shoes", next(bad_sku)]}, {""}),
    ]
    assert len(kinds) == 50
    # Spread the bad rows over the file: after product `at`; the two foreign SKUs "within"
    # go into one product that keeps three good variants.
    spots = [8 + (n - 16) * k // len(kinds) for k in range(len(kinds))]
    four = [i for i, rows in enumerate(products) if len(rows) == 4 and i > n // 2]
    extra = {}  # product index -> bad rows to put after its first row / after it
    for k, ((how, make, columns), at) in enumerate(zip(kinds, spots)):
        if k in (40, 41):
            at = four[0]
        if how == "far":
            base = products[at - 60 - k][0]  # 60+ products earlier: another batch of 25
            how = "alone"
        else:
            base = products[at][0]
        extra.setdefault(at, []).append((how, make(base, k), columns))
    rows = []
    for i, product in enumerate(products):
        inside = [(r, c) for how, r, c in extra.get(i, []) if how == "within"]
        after = [(r, c) for how, r, c in extra.get(i, []) if how == "alone"]
        rows.append((product[0], None))
        rows += inside
        rows += [(r, None) for r in product[1:]]
        rows += after
    data_rows = [r for r, _ in rows]
    return data_rows, [c for _, c in rows], good


def failing_files(prefix):
    """(what, format, bytes, words the reason holds, SKUs the file names)."""
    rows = catalog(prefix, 60, seed=31)
    skus = [r["sku"] for r in rows]
    good_csv, _ = csv_file(rows)
    head_csv = good_csv.split(b"\n", 1)[0] + b"\n"
    cafe = dict(rows[0], handle=f"{prefix.lower()}-cafe", sku=f"{prefix}-CAFE", name="Caf\u00e9 Cr\u00e8me Mug")
    latin1 = good_csv + csv_file([cafe])[0].split(b"\n", 1)[1].decode().encode("latin-1")
    latin1_line = good_csv.count(b"\n") + 1
    good_jsonl, _ = jsonl_file(rows)
    cut = "\u00e9".encode()[:1]  # the first byte of a two-byte character, then a quote
    return [
        ("not UTF-8 (CSV, the last row)", "csv", latin1, ["UTF-8", f"line {latin1_line}"], skus + [cafe["sku"]]),
        ("not UTF-8 (JSONL, the last line)", "jsonl", good_jsonl + b'{"name": "' + cut + b'"}\n',
         ["UTF-8", "line 61"], skus),
        ("not UTF-8 (a UTF-16 file)", "csv", good_csv.decode().encode("utf-16"), ["UTF-8", "line 1"], skus),
        ("an unknown column", "csv", csv_file(rows, header=COLUMNS + ["colour", "attr:size", "attr:storage"])[0],
         ["header", "colour"], skus),
        ("a missing column", "csv", csv_file(rows, columns=[c for c in COLUMNS if c != "currency"])[0],
         ["header", "currency"], skus),
        ("a column twice", "csv", csv_file(rows, header=COLUMNS + ["attr:colour", "attr:size", "sku"])[0],
         ["header", "twice"], skus),
        ("empty but for line ends", "csv", b"\r\n\r\n", ["empty"], []),
        ("only a BOM", "csv", b"\xef\xbb\xbf", ["empty"], []),
        ("only a header", "csv", head_csv, ["no rows"], []),
        ("only a header, no line end", "csv", head_csv.rstrip(b"\n"), ["no rows"], []),
        ("JSONL of blank lines", "jsonl", b"\n  \n\r\n", ["no rows"], []),
    ]


def cut_short(prefix, how):
    """(format, bytes, the line of the unreadable row, the good rows before it): 999 good rows,
    then a row the parser cannot read."""
    rows = catalog(prefix, 999, seed=41)
    if how == "jsonl":
        data, lines = jsonl_file(rows)
        return "jsonl", data + b'{"name": "' + b"x" * 70000 + b'"}\n', lines[-1] + 1, rows
    data, lines = csv_file(rows)
    line = data.count(b"\n") + 1
    if how == "fields":
        return "csv", data + b",".join([b"x"] * 80) + b"\n", line, rows
    return "csv", data + f'{prefix.lower()}-z,"Unclosed quote'.encode() + b" x" * 35000 + b"\n", line, rows


def jsonl_bad_lines(prefix, base):
    """The bad lines a JSONL test plants among good rows made from `base`: (line text or row,
    the columns its report lines name)."""
    return [
        ({"_line": "[1, 2, 3]"}, {""}),
        ({"_line": "{\"handle\": \"broken"}, {""}),
        (dict(base, handle=f"{prefix.lower()}-b1", sku=f"{prefix}-B1", price="4999"), {"price"}),
        (dict(base, handle=f"{prefix.lower()}-b2", sku=f"{prefix}-B2", onHand=2.5), {"onHand"}),
        ({"_line": json.dumps({**json_row(dict(base, handle=f"{prefix.lower()}-b3", sku=f"{prefix}-B3")),
                               "=HYPERLINK(\"http://x\")": "1"})}, {"'=HYPERLINK(\"http://x\")"}),
        ({"_line": json.dumps({k: v for k, v in json_row(dict(base, handle=f"{prefix.lower()}-b4",
                                                              sku=f"{prefix}-B4")).items()
                               if k != "currency"})}, {"currency"}),
        (dict(base, handle=f"{prefix.lower()}-b5", sku=f"{prefix}-B5", salePrice=base["price"] + 1), {"salePrice"}),
        (dict(base, handle=f"{prefix.lower()}-b6", sku=f"{prefix}-B6", categoryId="gadgets"), {"categoryId"}),
        (dict(base, handle=f"{prefix.lower()}-b7", sku=f"{prefix}-B7", attributes={"size": 42}), {"attr:size"}),
        (dict(base, handle=f"{prefix.lower()}-b8", sku=f"{prefix}-B8", price=-10, salePrice=None), {"price"}),
    ]


def rekeyed_sample(name, prefix):
    """A sample file with its SKUs moved under `prefix` (SKUs are unique shop-wide), byte for
    byte otherwise."""
    text = (SAMPLES / name).read_text(encoding="utf-8")
    return text.replace("IMPS-", f"{prefix}-").replace("IMPJ-", f"{prefix}-").encode()
