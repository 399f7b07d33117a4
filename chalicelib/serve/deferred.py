"""The modules the serving code imports on first use rather than at cold start: all of them
here, each with its reason.

Lambda answers a cold start's request only once ``app`` is imported, so every module imported
at the top of the serving code delays every cold start, whatever it asks for. Each module below
serves a few routes, or only requests after the first; the function that returns it imports
it when it is first asked for, and Python keeps it from then on, so a later call costs a
dictionary lookup. ``benchmarks/cold.py`` measures the cold start that this keeps small. Any
other import in ``chalicelib/serve`` sits at the top of its module.

No function here breaks an import circle: none of these modules imports its caller.
"""

from __future__ import annotations

from types import ModuleType


def query() -> ModuleType:
    """List parameters, cursors and the query engine over the list index: list, claims and
    facet routes."""
    from chalicelib.serve import query

    return query


def openapi() -> ModuleType:
    """The OpenAPI builder: /openapi.json, and the operations other modules describe for it."""
    from chalicelib.serve import openapi

    return openapi


def rendering() -> ModuleType:
    """HTML pages (Jinja2 and the templates): the first page a browser asks for."""
    from chalicelib.serve.pages import rendering

    return rendering


def slugs() -> ModuleType:
    """Ids made from names: the contribution form."""
    from chalicelib.checks import slugs

    return slugs


def scaffold() -> ModuleType:
    """Record skeletons from the schemas: the contribution form."""
    from chalicelib.checks import scaffold

    return scaffold


def recordform() -> ModuleType:
    """The record as form fields and back: the contribution form."""
    from chalicelib.serve import recordform

    return recordform
