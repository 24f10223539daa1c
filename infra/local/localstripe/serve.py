"""Run localstripe on 127.0.0.1 only (start.sh runs this with the localstripe venv).

Why not `localstripe --port N`: its CLI binds `::`, every interface, and has no host option.
    python serve.py --port 8420
State is in memory only: a restart forgets every PaymentIntent and webhook registration.
"""
import argparse
import logging

from aiohttp import web
from localstripe import resources
from localstripe.server import app

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=8420)
args = ap.parse_args()

# localstripe pickles its whole store to the fixed path /tmp/localstripe.pickle on every write (its CLI
# reloads it at start): that file is shared by every instance on the machine and the cost grows with
# each object. We never reload it, so skip writing it.
resources.Store.dump_to_disk = lambda self: None

# As its CLI does: request lines and webhook deliveries ("webhook ... delivered/failed") go to the log.
access = logging.getLogger("aiohttp.access")
access.setLevel(logging.DEBUG)
access.addHandler(logging.StreamHandler())

web.run_app(app, host="127.0.0.1", port=args.port, access_log=access)
