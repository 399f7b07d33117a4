"""What schemathesis must know about this API that JSON Schema cannot say (schemathesis.toml
loads this module).

A list's ``cursor`` is signed: it is only ever valid when copied from a page's ``next``, for the
same query and release. OpenAPI gives its exact shape (``CURSOR_PATTERN``) and says so in its
description, but no schema can generate a valid signature, so a generated cursor would make
every positive test of a list a 400, which is right. Positive cases therefore start from the
first page; negative cases keep whatever cursor they carry, and must still be refused.
"""

from __future__ import annotations

import schemathesis
from schemathesis.core.parameters import ParameterLocation


@schemathesis.hook
def before_call(context, case, **kwargs):
    if not case.query or "cursor" not in case.query:
        return
    if case.meta is not None and case.meta.is_negative_at(ParameterLocation.QUERY):
        return
    del case.query["cursor"]
