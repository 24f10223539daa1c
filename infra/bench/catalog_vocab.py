"""Vocabulary of the synthetic catalog of infra/bench/catalog_gen.py: the categories and their
shares, the words of product names and descriptions, the made-up Bx brands, model codes, Zipf-weighted
picks and price ranges. Standard library only; search.py builds its queries from the same words.
"""

import bisect
import itertools
import math
import random

MIN_PRICE, MAX_PRICE = 199, 250_000

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
