"""The read-only HTTP API. Routes only: each handler parses, calls chalicelib, responds."""
from chalice import Chalice

app = Chalice(app_name="iran1988-records")
