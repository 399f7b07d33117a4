"""The reconciliation protocol (W3C Reconciliation API 0.2) in two parts: its shapes
(``protocol``) and its scoring (``scoring``). The route, ``serve/reconcile.py``, is its HTTP
side, as yente splits a router, its scoring and the protocol's models."""
