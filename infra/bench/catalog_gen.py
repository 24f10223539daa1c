"""Synthetic catalog for the search benchmarks, written straight into the shop table.

Generates N products (default 50,000) with 1-3 variants each and writes them with
BatchWriteItem (25 items a call, from a thread pool, UnprocessedItems retried with backoff)
in exactly the stored format the Rust code writes for a product made through the API
(shared/src/store/catalog_writes.rs: product_item, variant_item, the SKU claim; `to_item` =
serde_dynamo of the camelCase structs of shared/src/domain/catalog/model.rs, None as NULL,
plus PK/SK/entity; GSI1 (category listing, active products) and GSI2 (the seller's products)
on the product item; keys from tests/keys.py, the mirror of keys.rs). So the table's stream
reaches index-products exactly as for API-made products, and the benchmark measures
indexing throughput through the stream path:

  first write starts -> ... -> GET $OPENSEARCH_URL/products/_count shows every product

The count is polled (every second) on this run's own description token, so products of
earlier runs do not count. Progress goes to stderr every ~10 s; a JSON summary to stdout.

Every generated product is findable and removable later:
  seller  "bench-seller" (a fixed fake sub)          brand   "Bx..." (300 made-up brands)
  description contains "benchgen" and "benchrun<tag>" (tag: this run)
  SKUs    "BENCH-<tag>-<n>-<j>" (n: product number, j: variant; upper case as Sku stores them)
`--clean` deletes every product that has all three marks (seller, Bx brand, benchgen), with
its variants and SKU claims; the stream then removes their documents.

Content (names, brands, categories, descriptions, prices, stock, ratings, ages) depends only
on --seed and the product number; ids, the run tag and so SKUs are fresh every run, so runs
never collide. Each product's items go into one BatchWriteItem call, never split between
calls: LocalStack publishes a call's stream records after the whole call, so the indexer
sees each product complete, as after the API's transaction. (If DynamoDB leaves some of a
product's items unprocessed, the retry rewrites the product item with version+1 beside
them, as an edit would, so the final document outranks any partial state indexed meanwhile.
One case it cannot repair: variants written while their product item was left over make the
indexer delete the id, and that tombstone refuses the product for the index's gc_deletes
window; the poll would then time out short. LocalStack only leaves items unprocessed when
throttling is configured.)

Pace seen locally (2 cores): LocalStack hands index-products one stream batch about every
1.2 s (~55 records, ~150 ms per invoke), about 18 products/s whatever the write rate; 50,000
products then need ~45-50 min, so give --timeout 4500 (the summary's steady_docs_per_s is the
indexer's pace even if the timeout cuts the run short).

The index is near-real-time (1 s refresh): "all indexed" includes up to one refresh.
Numbers are measurements, never assertions.

Usage (source .local/env first, or it is read from .local/env):
  python infra/bench/catalog_gen.py [--count 50000] [--workers 8] [--seed 42] [--timeout 1800]
  python infra/bench/catalog_gen.py --dry-run          # two sample products as DynamoDB JSON
  python infra/bench/catalog_gen.py --clean            # delete every generated product
"""

import argparse
import bisect
import itertools
import json
import math
import os
import random
import sys
import threading
import time
import uuid
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import keys  # noqa: E402  (the table's key schema, mirror of shared/src/store/keys.rs)

ENV_FILE = ROOT / ".local" / "env"
SELLER = "bench-seller"
MARK = "benchgen"
SKU_PREFIX = "BENCH-"
CURRENCY = "USD"
MIN_PRICE, MAX_PRICE = 199, 250_000
MAX_ITEMS_PER_CALL = 25
SOLD_OUT_SHARE = 0.10
SALE_SHARE = 0.15
UNRATED_SHARE = 0.30
AGE_DAYS = 365  # createdAt spread over the last year, so sort=newest has something to order

# --------------------------------------------------------------------------------------------
# Vocabulary. Product names: adjective + material + noun + model code ("Rugged Walnut Side
# Table KT220"); descriptions: sentences of category words and general product copy. Words are
# drawn with Zipf-like weights (a few common, many rare), so queries have realistic selectivity.
# --------------------------------------------------------------------------------------------

CATEGORIES = {  # root -> leaves, as infra/local/seed.py creates them
    "electronics": ["phones", "laptops", "headphones", "cameras"],
    "fashion": ["mens-shirts", "womens-dresses", "shoes"],
    "home": ["cookware", "furniture", "bedding"],
    "books": ["fiction", "non-fiction"],
    "sports": ["fitness", "camping"],
    "toys": ["board-games", "puzzles"],
}
LEAVES = [leaf for leaves in CATEGORIES.values() for leaf in leaves]
ROOT_OF = {leaf: root for root, leaves in CATEGORIES.items() for leaf in leaves}
# Relative share of the catalog per leaf (electronics and fashion are the big ones).
LEAF_WEIGHTS = {
    "phones": 8, "laptops": 6, "headphones": 8, "cameras": 5, "mens-shirts": 8, "womens-dresses": 8,
    "shoes": 9, "cookware": 6, "furniture": 6, "bedding": 5, "fiction": 7, "non-fiction": 6,
    "fitness": 5, "camping": 5, "board-games": 4, "puzzles": 4,
}


def words(text):
    return text.split()


ADJECTIVES = words("""
Classic Modern Rugged Compact Premium Essential Vintage Heritage Urban Nordic Alpine Coastal Everyday
Deluxe Signature Studio Lite Ultra Lightweight Slim Foldable Portable Handcrafted Artisan Minimalist
Elegant Sleek Bold Cosy Soft Durable Weatherproof Waterproof Breathable Ergonomic Smart Quiet Silent
Rapid Swift Agile Bright Vivid Serene Tranquil Majestic Royal Grand Petite Tiny Mighty Nimble Sturdy
Robust Refined Rustic Industrial Scandinavian Bohemian Tropical Arctic Desert Forest Ocean Midnight
Sunset Sunrise Golden Crimson Azure Emerald Amber Ivory Onyx Pearl Jade Cobalt Scarlet Saffron Indigo
Polar Lunar Solar Stellar Cosmic Orbital Atomic Quantum Digital Analog Retro Futura Metro Civic
Pioneer Voyager Explorer Nomad Ranger Summit Canyon Meadow Harbour Island Prairie Glacier Tundra
Savanna Monsoon Breeze Storm Thunder Lightning Ember Blaze Frost Aurora Nebula Comet Meteor Eclipse
Horizon Zenith Apex Vertex Prime Core Pure True Clear Fresh Crisp Calm Warm Cool Gentle Fierce Wild
Noble Brave Loyal Swift Steady Trusty Honest Humble Proud Lucky Happy Jolly Merry Sunny Breezy Misty
Dusky Shadow Velvet Silken Satin Polished Brushed Hammered Woven Knitted Quilted Padded Tailored
Relaxed Fitted Cropped Oversized Layered Pleated Tapered Stretch Featherweight Heavyweight Midweight
Insulated Ventilated Reinforced Modular Stackable Convertible Adjustable Reversible Washable Reusable
Rechargeable Cordless Magnetic Tactile Acoustic Sonic Optical Thermal Hybrid Dual Triple Twin Mono
Grande Mini Micro Mega Maxi Max Plus Pro Air Edge Flex Go Neo Nano Zen Spark Pulse Wave Drift Glide
Dash Sprint Trek Trail Peak Ridge Crest Cove Bay Dune Reef Grove Orchard Willow Cedar Aspen Juniper
Hazel Ivy Fern Moss Clover Sage Thyme Basil Mint Lotus Orchid Poppy Tulip Dahlia Magnolia Jasmine
""")

MATERIALS = {
    "electronics": words("""Aluminium Titanium Magnesium Polycarbonate Ceramic Graphite Carbon Glass Steel
        Silicone Leather Nylon Kevlar Polymer Fibreglass Zinc Chrome Sapphire Gorilla Alloy"""),
    "fashion": words("""Cotton Linen Wool Merino Cashmere Silk Denim Corduroy Flannel Poplin Chambray Jersey
        Satin Velvet Chiffon Tweed Suede Leather Canvas Mesh Knit Modal Bamboo Hemp Twill Organza Lace
        Seersucker Viscose Lyocell Crepe Georgette Gabardine Moleskin Boucle Alpaca Mohair Pique Oxford"""),
    "home": words("""Oak Walnut Maple Teak Birch Pine Bamboo Rattan Marble Granite Ceramic Porcelain
        Stoneware Enamel Copper Iron Stainless Aluminium Glass Linen Cotton Velvet Wool Jute Acacia Mango
        Ash Cherry Beech Terracotta Brass Slate Sateen Percale Chenille Seagrass Wicker Concrete"""),
    "books": words("""Hardcover Paperback Illustrated Annotated Clothbound Leatherbound Deluxe Anniversary
        Pocket Boxed Signed Revised Unabridged Abridged Collected Definitive Expanded Facsimile"""),
    "sports": words("""Nylon Neoprene Polyester Ripstop Cordura Aluminium Carbon Titanium Rubber Foam
        Spandex Fleece Down Merino Silicone Steel Latex Polypropylene Dyneema Cork Cast"""),
    "toys": words("""Wooden Cardboard Cardstock Bamboo Felt Tin Resin Acrylic Magnetic Foam Linen Walnut
        Beech Marble Metal Plywood"""),
}

NOUNS = {
    "phones": ["Smartphone", "Phone", "Handset", "Flip Phone", "Rugged Phone", "Foldable", "Camera Phone",
               "Mini Phone", "Phablet", "Satellite Phone", "Senior Phone", "Gaming Phone", "Feature Phone",
               "Business Phone", "Dual SIM Phone"],
    "laptops": ["Laptop", "Notebook", "Ultrabook", "Chromebook", "Convertible Laptop", "Mobile Workstation",
                "Gaming Laptop", "Tablet PC", "Netbook", "Two-in-One", "Creator Laptop", "Student Laptop",
                "Business Laptop"],
    "headphones": ["Headphones", "Earbuds", "Headset", "Earphones", "In-Ear Monitors", "Over-Ear Headphones",
                   "On-Ear Headphones", "Neckband Earphones", "Sport Earbuds", "Studio Headphones",
                   "Gaming Headset", "Bone Conduction Headphones", "Noise Cancelling Headphones",
                   "Sleep Earbuds", "Wireless Headphones"],
    "cameras": ["Mirrorless Camera", "DSLR", "Compact Camera", "Action Camera", "Instant Camera",
                "Rangefinder", "Camcorder", "Film Camera", "Bridge Camera", "Medium Format Camera",
                "Vlogging Camera", "Dashcam", "Trail Camera", "360 Camera", "Webcam"],
    "mens-shirts": ["Oxford Shirt", "Dress Shirt", "Polo Shirt", "Flannel Shirt", "Henley", "Tee",
                    "Overshirt", "Camp Shirt", "Chambray Shirt", "Linen Shirt", "Rugby Shirt", "Work Shirt",
                    "Tuxedo Shirt", "Hawaiian Shirt", "Grandad Shirt", "Western Shirt"],
    "womens-dresses": ["Maxi Dress", "Midi Dress", "Wrap Dress", "Shift Dress", "Slip Dress", "Shirt Dress",
        "Sundress", "Cocktail Dress", "Sheath Dress", "Tea Dress", "Smock Dress", "Evening Gown",
                       "Pinafore", "Tunic Dress", "Knit Dress", "Summer Dress"],
    "shoes": ["Running Shoes", "Sneakers", "Loafers", "Brogues", "Boots", "Chelsea Boots", "Hiking Boots",
              "Sandals", "Espadrilles", "Trainers", "Derby Shoes", "Oxfords", "Slippers", "Mules",
              "Ballet Flats", "Clogs", "Trail Runners"],
    "cookware": ["Skillet", "Frying Pan", "Saucepan", "Dutch Oven", "Stockpot", "Wok", "Griddle", "Casserole",
                 "Saute Pan", "Roasting Tin", "Baking Sheet", "Crepe Pan", "Grill Pan", "Pressure Cooker",
                 "Steamer", "Kettle", "Tagine", "Paella Pan", "Cast Iron Skillet"],
    "furniture": ["Side Table", "Coffee Table", "Dining Table", "Bookcase", "Armchair", "Sofa", "Desk",
                  "Bench", "Stool", "Sideboard", "Dresser", "Wardrobe", "Nightstand", "Console Table",
                  "Shelf", "Bed Frame", "Ottoman", "Rocking Chair"],
    "bedding": ["Duvet Cover", "Sheet Set", "Pillowcase Pair", "Quilt", "Comforter", "Blanket", "Throw",
                "Mattress Topper", "Pillow", "Bedspread", "Fitted Sheet", "Coverlet", "Eiderdown"],
    "fiction": ["Novel", "Thriller", "Mystery", "Romance", "Saga", "Short Stories", "Fantasy Epic",
                "Science Fiction Novel", "Crime Novel", "Historical Novel", "Graphic Novel", "Novella",
                "Anthology", "Fairy Tales", "Ghost Stories", "Detective Story"],
    "non-fiction": ["Field Guide", "Cookbook", "Biography", "Memoir", "Atlas", "Handbook", "History",
                    "Essay Collection", "Travel Guide", "Dictionary", "Almanac", "Encyclopedia", "Workbook",
                    "Manual", "Primer", "Textbook"],
    "fitness": ["Yoga Mat", "Dumbbell Set", "Kettlebell", "Resistance Bands", "Jump Rope", "Foam Roller",
                "Pull-Up Bar", "Exercise Bike", "Rowing Machine", "Medicine Ball", "Ab Wheel", "Weight Bench",
                "Treadmill", "Balance Board", "Gym Gloves", "Barbell", "Stepper"],
    "camping": ["Two-Person Tent", "Tent", "Sleeping Bag", "Sleeping Pad", "Camp Stove", "Lantern",
                "Headlamp", "Backpack", "Hammock", "Tarp", "Cooler", "Camp Chair", "Water Filter", "Mess Kit",
                "Bivy Sack", "Trekking Poles", "Dry Bag"],
    "board-games": ["Strategy Board Game", "Board Game", "Card Game", "Dice Game", "Party Game", "Chess Set",
                    "Backgammon Set", "Trivia Game", "Cooperative Game", "Deck-Building Game", "Word Game",
                    "Family Game", "Wargame", "Dexterity Game", "Mahjong Set", "Go Set"],
    "puzzles": ["Jigsaw Puzzle", "1000-Piece Puzzle", "500-Piece Puzzle", "Puzzle Box", "Brain Teaser",
                "3D Puzzle", "Crossword Book", "Sudoku Book", "Logic Puzzle", "Wooden Puzzle",
                "Panorama Puzzle", "Floor Puzzle", "Mini Puzzle", "Tangram Set", "Puzzle Cube", "Maze"],
}

# Words of each leaf's product copy (specs, features, uses).
FEATURES = {
    "phones": words("""display oled amoled battery charging camera lens zoom processor chipset storage memory
        5g nfc esim fingerprint unlock stereo speakers refresh bezel haptics satellite telephoto ultrawide
        portrait stabilisation bluetooth wifi usb-c sensor megapixel nits brightness glass frame notch
        gestures dual-sim signal antenna modem
        wallpaper widgets updates security encryption repairable recycled durability dustproof
        drop-tested hotspot tethering dictation assistant translation wallet payments navigation
        compass barometer gyroscope"""),
    "laptops": words("""keyboard trackpad touchscreen hinge processor cores graphics gpu ram ssd storage
        thunderbolt ports display resolution webcam microphone battery fan cooling chassis backlit
        fingerprint speakers wifi bluetooth hdmi docking benchmark rendering compiling spreadsheets
        multitasking portability
        firmware bios ethernet sd-card reader fingerprint-reader privacy shutter coding editing
        streaming lectures spreadsheets presentations conferencing hinge-angle tent-mode stylus ink"""),
    "headphones": words("""drivers bass treble soundstage latency codec anc transparency ambient earcups
        earpads headband microphone calls pairing multipoint battery playtime charging case fit tips
        sweatproof cushioning clamping impedance frequency response tuning equaliser spatial audio
        commute
        podcasts audiobooks playlists commuting flights office gym running cycling foldable swivel
        detachable cable adapter lanyard pouch firmware app voice assistant"""),
    "cameras": words("""sensor megapixel autofocus viewfinder shutter aperture lens mount iso burst video 4k
        8k stabilisation raw exposure flash zoom macro telephoto wide-angle tripod hotshoe dials grip
        weather-sealed codec timelapse slow-motion livestream bokeh
        landscapes portraits wildlife street astrophotography weddings travel vlogging focus-peaking
        zebras histogram gimbal battery grip memory card cage rig"""),
    "mens-shirts": words("""collar cuffs buttons placket pocket sleeve hem yoke pleat seams stitching fit
        tailoring button-down spread cutaway wrinkle-free iron-free breathable stretch office weekend
        layering tucked untucked shoulders chest
        darts gusset tails cufflinks monogram pinstripe houndstooth herringbone windowpane gingham
        check plaid solid heathered garment-dyed pre-washed"""),
    "womens-dresses": words("""neckline hemline waist sleeves straps bodice skirt lining pockets zip buttons
        tie belt ruffles pleats smocking print floral polka stripe gingham drape silhouette wedding party
        garden brunch holiday twirl
        v-neck sweetheart halter strapless off-shoulder square-neck puff balloon flutter bishop
        tiered asymmetric ruched empire a-line bias-cut"""),
    "shoes": words("""sole midsole outsole cushioning heel toe insole laces upper tread grip arch support
        stability traction drop waterproof breathable mesh lining welt stitching marathon trail
        commuting resoleable break-in
        goodyear vibram eyelets tongue collar counter shank footbed orthotic wide-fit half-sizes
        vegan nubuck patent brogueing toe-cap"""),
    "cookware": words("""induction oven-safe nonstick seasoning searing simmering braising frying sauteing
        handle lid rivets base heat distribution dishwasher-safe coating cladding pour spouts capacity
        litres recipes kitchen stovetop crust caramelise
        tri-ply carbon-steel enamelled ovenproof broiler grill roasting stews sauces eggs pancakes
        stir-fries risotto rivetless helper-handle"""),
    "furniture": words("""drawers shelves legs tabletop joinery dovetail veneer finish oiled lacquered
        assembly hardware cushion upholstery armrest backrest storage living dining bedroom hallway
        office seating surface tenon
        mortise castors glides levelling feet flat-pack solid-wood reclaimed upcycled plinth cabinet
        hutch modular sectional chaise"""),
    "bedding": words("""thread count duvet pillow sheets pillowcases fitted flat filling tog warmth cooling
        breathable hypoallergenic buttons envelope closure mattress depth washable sleep night
        bedroom crease-resistant
        sateen percale jersey flannel brushed stonewashed piped hemstitched oxford-edge corner-ties
        zip baffle-box duck goose microfibre"""),
    "fiction": words("""chapters characters plot heroine hero villain mystery suspense twist ending
        narrator family secrets kingdom voyage detective murder romance betrayal friendship war empire
        dragons starship village city summer winter debut bestselling prize-winning
        translated sequel trilogy series standalone prologue epilogue protagonist antagonist quest
        heist conspiracy pandemic exile homecoming"""),
    "non-fiction": words("""chapters research maps photographs recipes history science nature birds
        wildflowers trees mountains rivers travel cooking gardening biography memoir essays index
        glossary illustrations expert practical reference beginners
        footnotes bibliography timeline charts diagrams interviews archives letters diaries
        anecdotes foreword afterword checklists exercises"""),
    "fitness": words("""workout training strength cardio stretching yoga pilates grip handles weight
        resistance reps sets core balance mobility recovery home gym cushioning non-slip sweat
        endurance stamina interval
        squats lunges deadlifts presses curls rows planks burpees hiit crossfit physiotherapy
        rehabilitation anti-burst"""),
    "camping": words("""tent poles pegs guy lines rainfly footprint vestibule sleeping bag comfort rating
        packable compressible waterproof seams hiking backpacking trail campsite wilderness stove fuel
        burner lantern lumens headlamp weight ounces grams
        freestanding semi-freestanding ultralight bikepacking mountaineering alpine three-season
        four-season mummy quilt baffles zipper"""),
    "board-games": words("""players rules strategy tactics dice cards tokens tiles board meeples scoring turns
        expansions cooperative competitive family party minutes ages setup replayability campaign
        scenarios bluffing trading
        worker-placement engine-building area-control legacy roll-and-write solo variant miniatures
        insert sleeves rulebook"""),
    "puzzles": words("""pieces jigsaw picture image landscape painting artwork interlocking cut finish
        poster sorting edge border challenge family hours relaxing brain logic solution mindfulness
        gift framed
        whimsy grid random-cut gradient impossible double-sided shaped glow-in-the-dark wooden-box
        archival glue sorting-trays"""),
}

COLOURS = words("""black white grey navy red blue green olive beige brown tan pink purple yellow orange teal
    burgundy charcoal silver gold graphite ivory cream sage rust mustard lavender coral khaki indigo""")
SIZES = {
    "mens-shirts": ["S", "M", "L", "XL", "XXL"],
    "womens-dresses": ["XS", "S", "M", "L", "XL"],
    "shoes": [str(s) for s in range(36, 47)],
    "bedding": ["single", "double", "queen", "king"],
    "fiction": ["pocket", "standard", "large print"],
    "non-fiction": ["pocket", "standard", "large print"],
    "fitness": ["S", "M", "L"],
}
NO_COLOUR = {"fiction", "non-fiction"}  # books vary by size (format) only

# General product copy by part of speech, each list most common first (Zipf-weighted picks).
COPY_NOUNS = words("""
quality design comfort detail finish feel look style craft performance value care use life home travel
work weekend family friends gift season day night morning evening hours moments memories adventures
colour shade tone texture pattern print weave grain surface edge corner line curve shape size fit length
width height depth weight capacity volume space room storage pocket compartment stitching seams trim
hardware fittings handles straps buckles zips kitchen bedroom bathroom garden patio balcony office studio
workshop garage hallway city countryside mountains beach coast lake river forest park road street cafe
commute school campus gym festival picnic holiday trip journey winter spring summer autumn rain snow sun
wind cold heat weather outdoors indoors coffee tea breakfast lunch dinner dessert baking cooking reading
writing drawing music film photography gaming learning teaching sharing hosting relaxing sleeping resting
years decades generations collectors enthusiasts beginners experts professionals families children adults
parents kids teens students travellers cooks readers players runners hikers campers companion essential
staple treasure keepsake heirloom centrepiece statement balance harmony rhythm contrast character charm
warmth personality spirit heritage tradition standard warranty guarantee returns support service
everyday errands routine hobby passion craftsmanship materials construction durability reliability
versatility simplicity elegance convenience precision efficiency clarity softness strength stability
protection ventilation insulation grip control range power speed focus sound vision rest recovery
""")
COPY_ADJECTIVES = words("""
durable easy perfect classic modern simple practical versatile reliable premium lightweight stylish
natural soft strong smooth clean bright fresh warm secure compact generous great good better fine lovely
beautiful elegant graceful gentle quiet calm steady solid sturdy tough rugged resilient flexible
responsive intuitive thoughtful careful honest clever smart fast quick comfortable convenient portable
foldable stackable washable adjustable removable replaceable sustainable recycled organic ethical
responsible local independent small-batch limited seasonal original authentic traditional timeless
iconic celebrated popular favourite beloved familiar easy-care low-maintenance ready-to-use hassle-free
worry-free long-lasting all-day all-season all-weather go-to must-have well-made hard-wearing top-rated
best-selling award-winning modernist mid-century artisanal handmade hand-finished hand-stitched
hand-painted hand-woven brushed polished matte glossy textured ribbed quilted padded lined unlined
insulated breathable water-resistant wind-resistant stain-resistant scratch-resistant heat-resistant
certified compliant approved tested safe generous roomy snug cosy airy crisp supple springy silky
""")
COPY_VERBS = words("""
keeps holds stays fits works lasts moves folds packs opens closes cleans washes dries charges plays
feels looks sounds handles carries protects supports delivers brings offers gives adds makes helps
pairs matches complements suits combines blends mixes layers frames highlights completes upgrades
refreshes updates replaces renews restores maintains preserves improves enhances elevates simplifies
""")
COPY_PARTICIPLES = words("""
built designed made crafted tested engineered finished shaped tuned balanced refined inspired chosen
sourced packed shipped loved trusted reviewed recommended certified guaranteed included supplied
""")
COPY_ADVERBS = words("""
simply truly really quite very nearly almost always never often gently firmly neatly carefully quickly
quietly easily safely securely comfortably beautifully perfectly naturally effortlessly reliably
""")
COPY_WORDS = COPY_NOUNS + COPY_ADJECTIVES + COPY_VERBS + COPY_PARTICIPLES + COPY_ADVERBS

# Bx-brands: made-up, all starting "Bx" (marks generated products). Fixed, whatever the --seed,
# so search.py can filter on them.
_SYLLABLES = words("""tron vela nova lux ora mar kin zen tek dyn ara ion sol lyn vex quo rix tor mira nex
    pha cor ven tal gen mos ryn sta vox lum""")


def _brands():
    rng = random.Random(7)
    names = [s for s in _SYLLABLES] + [a + b for a in _SYLLABLES for b in _SYLLABLES if a != b]
    rng.shuffle(names)
    return ["Bx" + n for n in names[:300]]


BRANDS = _brands()
MODEL_LETTERS = "ABCDEFGHJKLMNPRSTVXZ"
MODEL_SUFFIXES = ["", "", "", "", " Pro", " Max", " Lite", " Mini", " Plus", " II", " III", " S", " X"]


def zipf_cum(n, s=1.0):
    """Cumulative weights 1/rank^s for random.choices: rank 1 is picked most."""
    return list(itertools.accumulate(1.0 / (r ** s) for r in range(1, n + 1)))


_CUM = {}


def zipf_pick(rng, seq, s=1.0):
    key = (id(seq), s)
    if key not in _CUM:
        _CUM[key] = zipf_cum(len(seq), s)
    cum = _CUM[key]
    return seq[bisect.bisect(cum, rng.random() * cum[-1])]


def vocabulary():
    """Distinct lower-case words of the names, brands and descriptions (model codes aside)."""
    out = set()
    for group in ([ADJECTIVES, COPY_WORDS, COLOURS, BRANDS] + list(MATERIALS.values()) + list(FEATURES.values())
                  + list(NOUNS.values()) + [[s for sizes in SIZES.values() for s in sizes]]):
        for w in group:
            out.update(w.lower().split())
    return out


# Price ranges (minor units) per leaf: log-uniform inside them, all within 199..250000.
PRICE_RANGE = {
    "phones": (9_900, 250_000), "laptops": (19_900, 250_000), "headphones": (1_999, 59_900),
    "cameras": (4_999, 250_000), "mens-shirts": (1_499, 19_900), "womens-dresses": (1_999, 49_900),
    "shoes": (2_499, 39_900), "cookware": (999, 49_900), "furniture": (2_999, 250_000),
    "bedding": (999, 59_900), "fiction": (199, 4_999), "non-fiction": (299, 9_999),
    "fitness": (499, 199_900), "camping": (699, 89_900), "board-games": (999, 19_900), "puzzles": (199, 9_999),
}


def price_in(rng, lo, hi):
    raw = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    cents = int(raw) // 100 * 100 + 99  # x.99 prices
    return max(MIN_PRICE, min(MAX_PRICE, cents))


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


# --------------------------------------------------------------------------------------------
# Helpers shared with search.py
# --------------------------------------------------------------------------------------------

def load_env():
    """The local stack's endpoints from .local/env (as tests/conftest.py reads it); the
    environment wins."""
    if ENV_FILE.exists():
        for line in ENV_FILE.read_text().splitlines():
            for pair in line.removeprefix("export ").strip().split():
                if "=" in pair:
                    k, v = pair.split("=", 1)
                    os.environ.setdefault(k, v)


def pct(samples, p):
    """As in infra/bench/checkout.py: the sample at rank p% (seconds in, ms out)."""
    s = sorted(samples)
    return round(s[min(len(s) - 1, int(len(s) * p / 100))] * 1000, 1) if s else None


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------

class Writer:
    """BatchWriteItem of whole products (never split between calls), with retries."""

    def __init__(self, ddb, table):
        self.ddb, self.table = ddb, table
        self.lock = threading.Lock()
        self.items = self.calls = self.retries = self.bumped = self.products = 0

    def write(self, products):
        """products: [(product item, variants, claims)]; returns when all are written."""
        product_of = {product[keys.PK]["S"]: product for product, _, _ in products}
        reqs = [{"PutRequest": {"Item": item}}
                for product, variants, claims in products for item in (*variants, *claims, product)]
        attempt = 0
        while True:
            out = self.ddb.batch_write_item(RequestItems={self.table: reqs})
            left = out.get("UnprocessedItems", {}).get(self.table, [])
            with self.lock:
                self.calls += 1
                self.items += len(reqs) - len(left)
            if not left:
                break
            attempt += 1
            if attempt > 12:
                raise RuntimeError(f"{len(left)} items still unprocessed after {attempt} attempts")
            time.sleep(min(5.0, 0.05 * 2 ** attempt) * random.uniform(0.5, 1.0))
            # Products split between calls may have been indexed in part: each is sent again
            # with its product item one version up (as an edit would write it), so the state
            # after the retry outranks whatever the indexer saw meanwhile.
            def owner(item):
                if item[keys.ENTITY]["S"] == "sku":
                    return keys.product_pk(item["productId"]["S"])
                return item[keys.PK]["S"]
            split = sorted({owner(r["PutRequest"]["Item"]) for r in left})
            reqs = [r for r in left if r["PutRequest"]["Item"][keys.ENTITY]["S"] != "product"]
            for pk in split:
                bumped = dict(product_of[pk])
                bumped["version"] = N(int(bumped["version"]["N"]) + 1)
                bumped["updatedAt"] = S(rfc3339(time.time_ns()))
                product_of[pk] = bumped
                reqs.append({"PutRequest": {"Item": bumped}})
            with self.lock:
                self.retries += 1
                self.bumped += len(split)
        with self.lock:
            self.products += len(products)


def chunks(seed, count, run_tag, now_ns):
    """Whole products packed into calls of at most 25 items."""
    batch, size = [], 0
    for n in range(count):
        p = make_product(seed, n, run_tag, now_ns)
        k = 1 + len(p[1]) + len(p[2])
        if size + k > MAX_ITEMS_PER_CALL:
            yield batch
            batch, size = [], 0
        batch.append(p)
        size += k
    if batch:
        yield batch


def os_count(session, url, query):
    r = session.get(f"{url}/products/_count", params={"q": query}, timeout=10)
    if r.status_code == 404:  # no index yet (the indexer creates it at its cold start)
        return 0
    r.raise_for_status()
    return r.json()["count"]


def check_categories(ddb, table):
    missing = []
    for leaf in LEAVES:
        got = ddb.get_item(TableName=table, Key=keys.key(keys.CATALOG_PK, keys.category_sk(leaf)))
        if "Item" not in got:
            missing.append(leaf)
    return missing


def clients(args):
    """The table's name, the OpenSearch node's URL and a DynamoDB client pooled for the workers."""
    import boto3
    from botocore.config import Config

    load_env()
    cfg = Config(retries={"max_attempts": 8, "mode": "standard"}, read_timeout=120,
                 max_pool_connections=max(10, args.workers * 2))
    ddb = boto3.client("dynamodb", endpoint_url=os.environ["AWS_ENDPOINT_URL"], config=cfg)
    return os.environ["TABLE_NAME"], os.environ.get("OPENSEARCH_URL", "http://127.0.0.1:9200").rstrip("/"), ddb


def generate(args):
    import requests

    table, os_url, ddb = clients(args)
    missing = check_categories(ddb, table)
    if missing:
        sys.exit(f"catalog_gen: categories missing from the table (seed them with infra/local/seed.py): {missing}")

    run_tag = os.urandom(3).hex()
    token = f"benchrun{run_tag}"
    session = requests.Session()
    before_all = os_count(session, os_url, f"description:{MARK}")
    log(f"run {run_tag}: {args.count} products, seed {args.seed}, {args.workers} writers; "
        f"{before_all} generated products already indexed (earlier runs)")

    writer = Writer(ddb, table)
    now_ns = time.time_ns()
    state = {"write_end": None, "indexed_at": None, "indexed": 0, "error": None, "stop": False,
             "first": None, "polled_at": None}
    t_start = time.perf_counter()
    wall_start = time.time()

    def poller():
        last_log = 0.0
        while True:
            elapsed = time.perf_counter() - t_start
            try:
                state["indexed"] = os_count(session, os_url, f"description:{token}")
                state["polled_at"] = time.perf_counter() - t_start
                if state["indexed"] and state["first"] is None:
                    state["first"] = (state["polled_at"], state["indexed"])
            except Exception as e:  # the node may be briefly busy: keep polling
                state["error"] = str(e)[:200]
            if state["indexed"] >= args.count and state["write_end"] is not None:
                state["indexed_at"] = time.perf_counter() - t_start
                return
            if elapsed > args.timeout or state["stop"]:
                return
            if elapsed - last_log >= 10:
                last_log = elapsed
                rate = writer.items / elapsed if elapsed else 0
                log(f"{elapsed:6.0f} s: written {writer.products}/{args.count} products ({writer.items} items, "
                    f"{rate:.0f} items/s); indexed {state['indexed']}/{args.count}")
            time.sleep(1.0)

    poll_thread = threading.Thread(target=poller, daemon=True)
    poll_thread.start()

    failure = None
    with ThreadPoolExecutor(args.workers) as pool:
        pending = set()
        for batch in chunks(args.seed, args.count, run_tag, now_ns):
            if len(pending) >= args.workers * 4:  # bounded: products are generated as they are written
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for f in done:
                    if f.exception():
                        failure = f.exception()
                if failure:
                    break
            pending.add(pool.submit(writer.write, batch))
        done, _ = wait(pending)
        for f in done:
            if f.exception() and not failure:
                failure = f.exception()
    state["write_end"] = time.perf_counter() - t_start
    if failure:
        state["stop"] = True  # the count cannot be reached: report what was indexed
        log(f"writing failed: {failure!r}")
    write_s = state["write_end"]
    log(f"writes done in {write_s:.1f} s: {writer.products} products, {writer.items} items, {writer.calls} calls "
        f"({writer.retries} retries); waiting for the index (timeout {args.timeout} s)")
    poll_thread.join()

    indexed_at = state["indexed_at"]
    # The indexer's pace once documents flow (first poll that saw one .. last poll), also
    # meaningful when the timeout cut the run short.
    steady = None
    if state["first"] and state["polled_at"] and state["polled_at"] > state["first"][0]:
        steady = (state["indexed"] - state["first"][1]) / (state["polled_at"] - state["first"][0])
    summary = {
        "run": run_tag,
        "seed": args.seed,
        "workers": args.workers,
        "products_requested": args.count,
        "products_written": writer.products,
        "items_written": writer.items,
        "batch_calls": writer.calls,
        "unprocessed_retries": writer.retries,
        "products_rewritten_after_split": writer.bumped,
        "write_s": round(write_s, 2),
        "items_per_s_ddb": round(writer.items / write_s, 1) if write_s else None,
        "products_per_s_ddb": round(writer.products / write_s, 1) if write_s else None,
        "indexed": state["indexed"],
        "all_indexed_s": round(indexed_at, 2) if indexed_at else None,
        "index_lag_after_writes_s": round(indexed_at - write_s, 2) if indexed_at else None,
        "docs_per_s_end_to_end": round(writer.products / indexed_at, 1) if indexed_at else None,
        "first_indexed_s": round(state["first"][0], 2) if state["first"] else None,
        "steady_docs_per_s": round(steady, 1) if steady else None,
        "timed_out": indexed_at is None,
        "first_write_utc": datetime.fromtimestamp(wall_start, tz=timezone.utc).isoformat(timespec="seconds"),
        "generated_products_indexed_total": os_count(session, os_url, f"description:{MARK}"),
        "write_error": repr(failure) if failure else None,
        "last_poll_error": state["error"],
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(summary, indent=2))
    return 1 if failure or indexed_at is None else 0


# --------------------------------------------------------------------------------------------
# Cleaning
# --------------------------------------------------------------------------------------------

def clean(args):
    import requests

    table, os_url, ddb = clients(args)
    t0 = time.perf_counter()
    segments = max(1, args.workers)

    def scan(segment):
        """Keys of generated products' items and their SKU claims in one scan segment."""
        found, start = [], None
        while True:
            page = ddb.scan(
                TableName=table, Segment=segment, TotalSegments=segments,
                ProjectionExpression="PK, SK, sku",
                FilterExpression="(#e = :product AND sellerId = :seller AND begins_with(brand, :bx) "
                                 "AND contains(description, :mark)) "
                                 "OR (#e = :variant AND begins_with(sku, :skup))",
                ExpressionAttributeNames={"#e": keys.ENTITY},
                ExpressionAttributeValues={":product": S("product"), ":seller": S(SELLER), ":bx": S("Bx"),
                                           ":mark": S(MARK), ":variant": S("variant"), ":skup": S(SKU_PREFIX)},
                **({"ExclusiveStartKey": start} if start else {}))
            found.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    with ThreadPoolExecutor(segments) as pool:
        found = [i for part in pool.map(scan, range(segments)) for i in part]
    products = {i[keys.PK]["S"] for i in found if i[keys.SK]["S"] == keys.PRODUCT_SK}
    # Only variants of generated products (a variant's PK is its product's).
    variants = [i for i in found if i[keys.SK]["S"].startswith(keys.VARIANT_PREFIX) and i[keys.PK]["S"] in products]
    deletes = [keys.key(i[keys.PK]["S"], i[keys.SK]["S"]) for i in variants]
    deletes += [keys.key(keys.sku_pk(i["sku"]["S"]), keys.SKU_SK) for i in variants]
    deletes += [keys.key(pk, keys.PRODUCT_SK) for pk in sorted(products)]
    log(f"clean: {len(products)} generated products, {len(variants)} variants found "
        f"in {time.perf_counter() - t0:.1f} s")

    def delete(batch):
        reqs = [{"DeleteRequest": {"Key": k}} for k in batch]
        attempt = 0
        while reqs:
            out = ddb.batch_write_item(RequestItems={table: reqs})
            reqs = out.get("UnprocessedItems", {}).get(table, [])
            if reqs:
                attempt += 1
                time.sleep(min(5.0, 0.05 * 2 ** attempt))
        return len(batch)

    t1 = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        deleted = sum(pool.map(delete, [deletes[i:i + MAX_ITEMS_PER_CALL]
                                        for i in range(0, len(deletes), MAX_ITEMS_PER_CALL)]))
    delete_s = time.perf_counter() - t1
    log(f"clean: {deleted} items deleted in {delete_s:.1f} s; waiting for the index to drop them")
    session = requests.Session()
    left = os_count(session, os_url, f"description:{MARK}")
    t2 = time.perf_counter()
    last_log = 0.0
    while left and time.perf_counter() - t2 < args.timeout:
        time.sleep(1.0)
        left = os_count(session, os_url, f"description:{MARK}")
        if time.perf_counter() - last_log >= 10:
            last_log = time.perf_counter()
            log(f"clean: {left} generated documents still in the index")
    emptied = round(time.perf_counter() - t1, 2) if not left else None
    print(json.dumps({"products_deleted": len(products), "items_deleted": deleted, "delete_s": round(delete_s, 2),
                      "documents_left": left, "index_emptied_s": emptied}, indent=2))
    return 0 if not left else 1


def dry_run(args):
    now_ns = time.time_ns()
    for n in range(2):
        product, variants, claims = make_product(args.seed, n, "000000", now_ns)
        print(json.dumps({"product": product, "variants": variants, "skuClaims": claims}, indent=2))
    rng = random.Random(args.seed)
    sample = [make_product(args.seed, rng.randrange(10**6), "000000", now_ns)[0] for _ in range(2000)]
    distinct = {w.lower().strip(".,:") for p in sample for f in ("name", "description") for w in p[f]["S"].split()}
    print(json.dumps({"vocabulary_words": len(vocabulary()), "brands": len(BRANDS),
                      "distinct_tokens_in_2000_products": len(distinct),
                      "note": "dry run: nothing written; SKUs/ids of a real run carry its run tag"}, indent=2),
          file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=50_000, help="products to generate (default 50000)")
    ap.add_argument("--workers", type=int, default=8, help="concurrent BatchWriteItem callers (default 8)")
    ap.add_argument("--seed", type=int, default=42, help="content seed (default 42)")
    ap.add_argument("--timeout", type=float, default=4500, help="seconds to wait for the index (default 4500)")
    ap.add_argument("--dry-run", action="store_true", help="print 2 sample products as DynamoDB JSON, write nothing")
    ap.add_argument("--clean", action="store_true",
                    help="delete every generated product (seller bench-seller, brand Bx*, 'benchgen') instead")
    args = ap.parse_args()
    if args.count < 1 or args.workers < 1:
        ap.error("--count and --workers must be at least 1")
    if args.dry_run:
        return dry_run(args)
    if args.clean:
        return clean(args)
    return generate(args)


if __name__ == "__main__":
    sys.exit(main())
