"""The read-only HTTP API: the route table, and nothing else.

Every route is declared once, beside its view, in ``chalicelib/serve`` (``routes.ROUTES``
gathers them), and registered here in one loop through ``chalicelib.serve.routing.Router``,
which maps errors to problem+json, adds the shared headers, answers 405, CORS preflights and
406, and answers every read as a page when a browser asks (``chalicelib.serve.pages``). The
views answer from one ``Service``, built here once: the dataset, the kept answers and what
each release derives.
"""

from chalice import Chalice, Response

from chalicelib.serve.routes import ROUTES
from chalicelib.serve.routing import Router
from chalicelib.serve.service import Service

app = Chalice(app_name="iran1988-records")
app.api.binary_types.append("application/gzip")
app.api.binary_types.append("application/vnd.sqlite3")  # all.sqlite
# The dataset DATASET_STORE names, opened on the first request.
router = Router(app, Response, Service())
for route in ROUTES:
    router.register(route)
# Last: a browser asking for a path no route has gets the site's 404 page, an API client the
# 404 problem.
router.register_unknown_paths()
